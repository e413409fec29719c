import type { IClientOptions, MqttClient } from 'mqtt';

/**
 * mqtt.js, loaded when a connection is first opened: most cabinets have no
 * fleet broker, and loading the library took ~80 ms of the agent's cold start.
 */
export async function connectMqtt(url: string, options: IClientOptions): Promise<MqttClient> {
  const { connect } = await import('mqtt');
  return connect(url, options);
}

/**
 * Light simulated cabinets for `npm run bench -- fleet` (bench/fleet.ts): N
 * MQTT clients in one process, each speaking the documented topics
 * (docs/fleet.md) as a cabinet would: a persistent session under its own
 * id, a retained last will, a retained online status and state snapshot at
 * every connect, a subscription to its commands. Run as a child process so
 * its CPU does not count against the operator's figures:
 *
 *   node --import tsx bench/fleet-sim.ts <broker url> <prefix> <count>
 *
 * Prints `{"event":"ready","connected":N}` once all are connected, then a
 * line per reconnect wave on request (stdin "count").
 */
import mqtt, { type MqttClient } from 'mqtt';
import { fleetTopics, type StatePayload } from '../src/cloud/index.js';

const [url = '', prefix = 'cabinets', countText = '1000'] = process.argv.slice(2);
const count = Number(countText);
const clients: MqttClient[] = [];
let connectedOnce = 0;

function stateOf(thing: string): StatePayload {
  return {
    cabinetId: thing,
    at: Date.now(),
    versions: { app: '0.1.0-sim', node: process.version, schema: null },
    compartments: Array.from({ length: 12 }, (_, i) => ({ id: String(i + 1), size: 'M', door: 'closed' as const, occupied: i % 3 === 0, outOfService: false, needsCheck: false })),
    alarms: [],
    outbox: { depth: 0, dead: 0, oldestPendingAgeMs: null },
    config: { version: 0, settings: {} },
  };
}

function start(i: number): Promise<void> {
  const thing = `SIM-${String(i).padStart(5, '0')}`;
  const topics = fleetTopics(prefix, thing);
  const client = mqtt.connect(url, {
    clientId: thing,
    clean: false,
    keepalive: 30,
    protocolVersion: 4,
    // Spread over 1–2 s so a fleet that lost the broker does not return in one burst.
    reconnectPeriod: 1000 + Math.floor(Math.random() * 1000),
    will: { topic: topics.status, payload: Buffer.from(JSON.stringify({ online: false, at: Date.now(), reason: 'last-will' })), qos: 1, retain: true },
  });
  clients.push(client);
  client.on('error', () => undefined);
  return new Promise((resolve) => {
    client.on('connect', () => {
      void (async () => {
        await client.subscribeAsync(topics.commands, { qos: 1 });
        await client.publishAsync(topics.status, JSON.stringify({ online: true, at: Date.now(), reason: 'connected' }), { qos: 1, retain: true });
        await client.publishAsync(topics.state, JSON.stringify(stateOf(thing)), { qos: 1, retain: true });
        connectedOnce += 1;
        resolve();
      })().catch(() => undefined);
    });
  });
}

async function main(): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => start(i + k + 1)));
  }
  process.stdout.write(JSON.stringify({ event: 'ready', connected: connectedOnce }) + '\n');
  process.stdin.on('data', () => {
    process.stdout.write(JSON.stringify({ event: 'count', connected: clients.filter((c) => c.connected).length }) + '\n');
  });
  const stop = (): void => {
    for (const c of clients) c.end(true);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();

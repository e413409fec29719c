import { join } from 'node:path';
import { parseFaultConfig, type FaultConfig } from './faults.js';
import { aituoMock } from './aituo.js';
import { startMockChannel, type MockChannel } from './channel.js';
import { dingshangMock } from './dingshang.js';
import { hongxunMock } from './hongxun.js';
import { runMockCloudProcess } from './run.js';
import type { VendorFactory } from './server.js';
import type { LedgerEntry } from './types.js';
import { webhooksMock } from './webhooks.js';
import { yopointMock } from './yopoint.js';
import { isLoopback, notifyUrlFor } from '../../src/cloud/index.js';
import type { Config } from '../../src/main/config/schema.js';

export interface MockCloudCommandOptions {
  port?: number;
  host: string;
  stateFile?: string;
  /** JSON text of a FaultConfig (tools/mock-cloud/faults.ts). */
  faults?: string;
  json: boolean;
}

export const DEFAULT_MOCK_PORT = 8787;

/**
 * `npm run mock-cloud` (main.ts): every vendor the configuration enables, played
 * by its mock with the same credentials, on the port the configured URLs
 * point at. Each event that arrives is printed as it arrives, so a demo shows
 * pickups reaching "the cloud", and what was queued while the mock was down
 * arriving when it is back.
 */
export async function runMockCloudCommand(config: Config, opts: MockCloudCommandOptions): Promise<number> {
  const port = opts.port ?? configuredPort(config) ?? DEFAULT_MOCK_PORT;
  const faults: FaultConfig | undefined = opts.faults === undefined ? undefined : parseFaultConfig(JSON.parse(opts.faults) as unknown);
  const factories = vendorMocks(config);
  const stateFile = opts.stateFile ?? join(config.dataDir, 'mock-cloud.jsonl');
  const running = await runMockCloudProcess({ factories, stateFile, host: opts.host, port, ...(faults ? { faults } : {}), stdout: { write: () => undefined } });
  const channel = await startChannelMock(config);
  running.cloud.ledger.onApply((entry, verdict) => print(opts.json, arrival(entry, verdict)));
  // Every request, with its fault, for a script reading --json (the chaos test checks Retry-After with it).
  if (opts.json) running.cloud.onRequest((r) => print(true, { request: true, ...r }));
  const vendors = factories.length;
  print(opts.json, { ready: true, url: running.cloud.url, vendors, channel: channel?.url ?? null, stateFile });
  if (!opts.json) {
    process.stdout.write(`mock cloud on ${running.cloud.url} (${vendors} vendor mock(s)); state in ${stateFile}\n`);
    if (channel) process.stdout.write(`command channel mock on ${channel.url}\n`);
    process.stdout.write(`ledger: GET ${running.cloud.url}/_mock/ledger/<vendor>; faults: POST ${running.cloud.url}/_mock/faults\n`);
  }
  await running.stopped;
  await channel?.close();
  return 0;
}

function print(json: boolean, value: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
  else if (value.arrived) process.stdout.write(`${String(value.vendor).padEnd(10)} ${String(value.kind).padEnd(20)} ${String(value.key)}${value.duplicate ? '  (duplicate, not applied again)' : ''}\n`);
}

function arrival(entry: LedgerEntry, verdict: 'fresh' | 'duplicate'): Record<string, unknown> {
  return { arrived: true, vendor: entry.vendor, kind: entry.kind, key: entry.key, stream: entry.stream, duplicate: verdict === 'duplicate' };
}

/** The mocks of the vendors the configuration enables, with its credentials. */
export function vendorMocks(config: Config): VendorFactory[] {
  const { webhooks, yopoint, aituo, hongxun, dingshang, receiver } = config.cloud;
  const callbackBase = receiver === undefined ? undefined : `http://${receiver.host}:${receiver.port}`;
  const factories: VendorFactory[] = [];
  // One receiving backend: the mock verifies with the first webhook's secret.
  const firstWebhook = webhooks[0];
  if (firstWebhook) factories.push(webhooksMock({ secret: firstWebhook.secret }));
  if (yopoint) {
    factories.push(
      yopointMock({
        appid: yopoint.appid,
        appSecret: yopoint.appSecret,
        timestampUnit: yopoint.timestampUnit,
        emptyValues: yopoint.emptyValues,
        ...(callbackBase ? { notifyUrl: `${callbackBase}/yopoint/notify` } : {}),
      }),
    );
  }
  if (dingshang) {
    factories.push(
      dingshangMock({
        appKey: dingshang.appKey,
        appId: dingshang.appId,
        appSecret: dingshang.appSecret,
        machineNo: dingshang.machineNo,
        signValueMode: dingshang.signValueMode,
        callbackUrl: notifyUrlFor(dingshang),
      }),
    );
  }
  if (aituo) factories.push(aituoMock({ key: aituo.tid === 'event-id' ? 'tid' : 'body-hash', pushHeaders: aituo.headers }));
  if (hongxun) factories.push(hongxunMock({ sk: hongxun.sk, createBy: hongxun.createBy, dataSource: hongxun.dataSource, jsonNulls: hongxun.jsonNulls, timeZone: hongxun.timeZone }));
  return factories;
}

/** The port of the first configured vendor URL on this machine: the mock must answer where the agent sends. */
function configuredPort(config: Config): number | undefined {
  const urls = [...config.cloud.webhooks.map((w) => w.url), config.cloud.dingshang?.baseUrl, config.cloud.aituo?.url, config.cloud.hongxun?.url, config.cloud.yopoint?.gatewayUrl];
  for (const text of urls) {
    if (text === undefined) continue;
    const url = new URL(text);
    if (isLoopback(url.hostname)) return Number(url.port || 80);
  }
  return undefined;
}

async function startChannelMock(config: Config): Promise<MockChannel | null> {
  const channel = config.cloud.channel;
  if (channel === undefined) return null;
  const url = new URL(channel.url);
  if (!isLoopback(url.hostname)) return null;
  return startMockChannel({ secret: channel.secret, token: channel.token, port: Number(url.port || 80) });
}

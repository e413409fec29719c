import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboundEventOf } from '../../../../src/cloud/common/outbound-event.js';
import { dingshangConfigSchema, type DingshangConfig, type DingshangConfigInput } from '../../../../src/cloud/dingshang/config.js';

export const APP_ID = 'dsaaa73cee5b4efce9';
export const APP_SECRET = 'mock-app-secret-0001';
export const APP_KEY = 'mock-merchant-app-key';
export const MACHINE_NO = '12345678';
export const TOKEN = 'callback-token-0123456789';

/** A parsed config pointing at `baseUrl` (the mock's `/dingshang` prefix). */
export function dsConfig(baseUrl: string, extra: Partial<DingshangConfigInput> = {}): DingshangConfig {
  return dingshangConfigSchema.parse({
    baseUrl,
    appId: APP_ID,
    appSecret: APP_SECRET,
    appKey: APP_KEY,
    machineNo: MACHINE_NO,
    notifyUrl: 'http://127.0.0.1:9/dingshang/notify',
    callback: { urlToken: { value: TOKEN } },
    ...extra,
  });
}

/** A `parcel.picked-up` of a Dingshang code. */
export function pickedUp(id: string, codeExternalId: string | null, codeSource = 'dingshang'): OutboundEventOf<'parcel.picked-up'> {
  return {
    id,
    type: 'parcel.picked-up',
    parcelId: 'p-1',
    compartmentId: 'C01',
    occurredAt: Date.UTC(2025, 0, 20, 8, 0, 0),
    cabinetId: 'CAB-1',
    payload: { parcelId: 'p-1', compartmentId: 'C01', board: 1, lock: 1, codeSource, codeExternalId, externalRef: null, pickedUpAt: 1, via: 'keypad' },
  };
}

export interface TinyServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1:0 that records requests (body read in full) and answers with `handler`. */
export async function tinyServer(handler: (req: { method: string; url: string; body: string }, res: Parameters<RequestListener>[1]) => void): Promise<TinyServer> {
  const requests: TinyServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

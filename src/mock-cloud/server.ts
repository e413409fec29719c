/**
 * The mock-cloud HTTP server: `/<vendor>/…` goes to that vendor's mock,
 * `/_mock/…` is the control API the tests and the demo drive.
 *
 *   GET  /_mock/state                 every vendor's snapshot + the ledger
 *   POST /_mock/<vendor>/<action>     the vendor's control(action, JSON body)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLedger } from './ledger.js';
import type { CallbackSender, MockRequest, MockResponse, MockVendor, MockVendorContext } from './types.js';

export const MAX_MOCK_BODY_BYTES = 1024 * 1024;

export interface MockCloudOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  ledger?: MemoryLedger;
  now?: () => number;
}

export interface RunningMockCloud {
  /** `http://127.0.0.1:<port>` */
  url: string;
  server: Server;
  ledger: MemoryLedger;
  close(): Promise<void>;
}

export type VendorFactory = (ctx: MockVendorContext) => MockVendor;

export async function startMockCloud(factories: readonly VendorFactory[], options: MockCloudOptions = {}): Promise<RunningMockCloud> {
  const ledger = options.ledger ?? new MemoryLedger();
  const now = options.now ?? Date.now;
  const ctx: MockVendorContext = { ledger, sendCallback: postCallback, now };
  const vendors = new Map<string, MockVendor>();
  for (const factory of factories) {
    const vendor = factory(ctx);
    if (vendors.has(vendor.name)) throw new RangeError(`mock vendor ${vendor.name} is registered twice`);
    vendors.set(vendor.name, vendor);
  }

  const server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) });
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const [, first = '', ...rest] = url.pathname.split('/');
    const rawBody = await readBody(req);
    if (rawBody === null) return send(res, { status: 413, body: 'body too large' });
    if (first === '_mock') return send(res, await controlApi(req.method ?? 'GET', rest, rawBody));
    const vendor = vendors.get(first);
    if (vendor === undefined) return send(res, { status: 404, body: `no mock vendor ${first}` });
    const request: MockRequest = {
      method: req.method ?? 'GET',
      path: `/${rest.join('/')}`,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      receivedAt: now(),
    };
    send(res, await vendor.handle(request));
  }

  async function controlApi(method: string, parts: string[], rawBody: Buffer): Promise<MockResponse> {
    if (method === 'GET' && parts.join('/') === 'state') {
      const state: Record<string, unknown> = {};
      for (const [name, vendor] of vendors) state[name] = { snapshot: vendor.snapshot(), ledger: ledger.summary(name) };
      return json(200, state);
    }
    const [name = '', action = ''] = parts;
    const vendor = vendors.get(name);
    if (method !== 'POST' || vendor?.control === undefined || action === '') return json(404, { error: 'unknown control call' });
    let body: unknown = null;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return json(400, { error: 'control body is not JSON' });
      }
    }
    try {
      return json(200, (await vendor.control(action, body)) ?? null);
    } catch (err) {
      return json(err instanceof RangeError ? 400 : 500, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    server,
    ledger,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(status: number, value: unknown): MockResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function send(res: ServerResponse, response: MockResponse): void {
  res.writeHead(response.status, { 'content-length': Buffer.byteLength(response.body), ...response.headers });
  res.end(response.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > MAX_MOCK_BODY_BYTES) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

const postCallback: CallbackSender = async (request) => {
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
};

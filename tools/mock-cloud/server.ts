/**
 * The mock-cloud HTTP server: `/<vendor>/…` goes to that vendor's mock,
 * through the fault plan (faults.ts); `/_mock/…` is the control API the tests
 * and the demo drive, never faulted.
 *
 *   GET  /_mock/state                 every vendor's snapshot + the ledger
 *   GET  /_mock/faults                the fault plans, seed and counters
 *   POST /_mock/faults                replace the fault plans (a FaultConfig, JSON)
 *   GET  /_mock/ledger/<vendor>       the vendor's LedgerReport (applied, duplicates, appliedTwice, outOfOrder)
 *   POST /_mock/<vendor>/<action>     the vendor's control(action, JSON body)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNever } from '../../src/shared/domain.js';
import { FaultInjector, FaultPlanError, type FaultConfig, type FaultKind } from './faults.js';
import { MemoryLedger } from './ledger.js';
import { FileLedger } from './ledger-file.js';
import type { CallbackSender, MockRequest, MockResponse, MockVendor, MockVendorContext } from './types.js';

export const MAX_MOCK_BODY_BYTES = 1024 * 1024;

/** Vendor names are URL prefixes; `_mock` and anything needing escaping are refused. */
const VENDOR_NAME = /^[a-z][a-z0-9-]*$/;

export interface MockCloudOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port (the default). */
  port?: number;
  /** Default: a new MemoryLedger, or a FileLedger when `stateFile` is set. Not closed by `close()`. */
  ledger?: MemoryLedger;
  /** Persist the ledger in this file (ledger-file.ts) and reload it at start. Not with `ledger`. */
  stateFile?: string;
  /** Faults from the start; default none. Changed at runtime through `POST /_mock/faults`. */
  faults?: FaultConfig;
  now?: () => number;
}

export interface RunningMockCloud {
  /** `http://127.0.0.1:<port>` */
  url: string;
  server: Server;
  ledger: MemoryLedger;
  faults: FaultInjector;
  /**
   * Told of every vendor request as its fault is decided, before it is
   * handled (an arrival log: a test checks from it when each retry came).
   * Returns the unsubscribe.
   */
  onRequest(listener: (arrival: MockArrival) => void): () => void;
  /** Releases held (timed-out) requests, closes every connection and a ledger opened from `stateFile`. */
  close(): Promise<void>;
}

/** One vendor request as it arrived: `at` is the time the vendor mock sees (`receivedAt`). */
export interface MockArrival {
  vendor: string;
  method: string;
  path: string;
  at: number;
  fault: FaultKind;
  /** Of a 429 (`fault: 'throttle'`): the Retry-After it answers, seconds. */
  retryAfterSeconds?: number;
}

export type VendorFactory = (ctx: MockVendorContext) => MockVendor;

/**
 * Starts the server. Throws RangeError for a vendor registered twice, a bad
 * vendor name or `ledger` with `stateFile`; FaultPlanError for bad `faults`;
 * MockLedgerError / fs errors from the state file; the listen error.
 */
export async function startMockCloud(factories: readonly VendorFactory[], options: MockCloudOptions = {}): Promise<RunningMockCloud> {
  if (options.ledger !== undefined && options.stateFile !== undefined) throw new RangeError('mock cloud: give ledger or stateFile, not both');
  const faults = new FaultInjector(options.faults);
  const ownLedger = options.stateFile === undefined ? undefined : FileLedger.open(options.stateFile);
  const ledger = options.ledger ?? ownLedger ?? new MemoryLedger();
  try {
    const vendors = createVendors(factories, ledger, faults, options.now ?? Date.now);
    return await listen(vendors, ledger, faults, options, () => ownLedger?.close());
  } catch (err) {
    ownLedger?.close();
    throw err;
  }
}

function createVendors(factories: readonly VendorFactory[], ledger: MemoryLedger, faults: FaultInjector, now: () => number): Map<string, MockVendor> {
  const vendors = new Map<string, MockVendor>();
  for (const factory of factories) {
    // The name is known only once the factory returns; callbacks are sent later.
    let name = '';
    const sendCallback: CallbackSender = async (request) => {
      const first = await postCallback(request);
      // Duplicates go after the first answer, one by one: the agent must dedupe a callback it already committed.
      for (let i = faults.extraCallbacks(name); i > 0; i--) await postCallback(request).catch(() => undefined);
      return first;
    };
    const vendor = factory({ ledger, sendCallback, now });
    name = vendor.name;
    if (!VENDOR_NAME.test(name)) throw new RangeError(`mock vendor name ${JSON.stringify(name)} is not [a-z][a-z0-9-]*`);
    if (vendors.has(name)) throw new RangeError(`mock vendor ${name} is registered twice`);
    vendors.set(name, vendor);
  }
  return vendors;
}

async function listen(
  vendors: Map<string, MockVendor>,
  ledger: MemoryLedger,
  faults: FaultInjector,
  options: MockCloudOptions,
  closeLedger: () => void,
): Promise<RunningMockCloud> {
  const now = options.now ?? Date.now;
  const closing = new AbortController();
  /** Requests a `timeout` fault holds without answering. */
  const held = new Set<ServerResponse>();
  const arrivalListeners = new Set<(arrival: MockArrival) => void>();

  const server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, { status: 500, body: JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) });
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

    const decision = faults.decide(vendor.name);
    const arrival: MockArrival = { vendor: vendor.name, method: request.method, path: request.path, at: request.receivedAt, fault: decision.kind };
    if (decision.kind === 'throttle') arrival.retryAfterSeconds = decision.retryAfterSeconds;
    for (const listener of arrivalListeners) listener(arrival);
    if (decision.delayMs > 0) {
      try {
        await sleep(decision.delayMs, undefined, { signal: closing.signal });
      } catch {
        return void res.destroy(); // closed while delayed: a stopped mock applies nothing more
      }
    }
    switch (decision.kind) {
      case 'pass':
        return send(res, await vendor.handle(request));
      case 'fail':
        return send(res, { status: decision.status, body: 'mock fault: failure' });
      case 'throttle':
        return send(res, { status: 429, headers: { 'retry-after': String(decision.retryAfterSeconds) }, body: 'mock fault: too many requests' });
      case 'timeout':
        held.add(res);
        res.once('close', () => held.delete(res));
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'apply-then-fail':
        await vendor.handle(request);
        return send(res, { status: 500, body: 'mock fault: failure after apply' });
      default:
        return assertNever(decision, 'fault decision');
    }
  }

  async function controlApi(method: string, parts: string[], rawBody: Buffer): Promise<MockResponse> {
    const path = parts.join('/');
    if (method === 'GET' && path === 'state') {
      const state: Record<string, unknown> = {};
      for (const [name, vendor] of vendors) state[name] = { snapshot: vendor.snapshot(), ledger: ledger.summary(name) };
      return json(200, state);
    }
    if (path === 'faults' && method === 'GET') return json(200, faults.state());
    const [name = '', action = ''] = parts;
    if (method === 'GET' && name === 'ledger' && parts.length === 2) {
      return vendors.has(action) ? json(200, ledger.report(action)) : json(404, { error: `no mock vendor ${action}` });
    }
    if (path === 'faults' && method === 'POST') return configureFaults(rawBody);
    const vendor = vendors.get(name);
    if (method !== 'POST' || vendor?.control === undefined || action === '') return json(404, { error: 'unknown control call' });
    const body = parseJson(rawBody);
    if (!body.ok) return json(400, { error: 'control body is not JSON' });
    try {
      return json(200, (await vendor.control(action, body.value)) ?? null);
    } catch (err) {
      return json(err instanceof RangeError ? 400 : 500, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  function configureFaults(rawBody: Buffer): MockResponse {
    const body = parseJson(rawBody);
    if (!body.ok) return json(400, { error: 'control body is not JSON' });
    try {
      faults.configure((body.value ?? {}) as FaultConfig); // validated by configure
    } catch (err) {
      if (err instanceof FaultPlanError) return json(400, { error: err.message });
      throw err;
    }
    return json(200, faults.state());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    server,
    ledger,
    faults,
    onRequest: (listener) => {
      arrivalListeners.add(listener);
      return () => arrivalListeners.delete(listener);
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => {
          closeLedger();
          resolve();
        });
      })),
  };
}

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (raw.length === 0) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function json(status: number, value: unknown): MockResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function send(res: ServerResponse, response: MockResponse): void {
  if (res.destroyed) return; // the client went away (its timeout): nothing to answer
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

/**
 * The contract between the mock-cloud server (server.ts: HTTP, faults,
 * control API, the ledger) and each vendor's mock (one file per vendor,
 * written from its spec in docs/vendors/). A vendor mock is a request
 * handler plus state; it never touches sockets or faults itself.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface MockRequest {
  method: string;
  /** The path below the vendor's prefix, e.g. `/api/openapi/v1/consumes` for `/dingshang/api/openapi/v1/consumes`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body exactly as received: signatures are checked over these bytes. */
  rawBody: Buffer;
  receivedAt: number;
}

export interface MockResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/**
 * What a mock applies, once per idempotency key. `apply` answers `fresh`
 * for a new key and `duplicate` for one seen before (counted, not applied
 * again). Persisted when the server has a state file, so exactly-once holds
 * across a mock restart. `order` per `stream` (a parcel) lets a test check order.
 */
export interface MockLedger {
  apply(entry: LedgerEntry): 'fresh' | 'duplicate';
}

export interface LedgerEntry {
  vendor: string;
  /** The idempotency key: the event id as the vendor carries it (webhook-id, trade_id, tid …). */
  key: string;
  /** Ordering stream, e.g. the parcel id; null when the vendor does not carry one. */
  stream: string | null;
  kind: string;
  /** What arrived (parsed), for the tests and the state dump. */
  body: unknown;
  at: number;
  /**
   * When the event occurred, as the vendor's body carries it (e.g. the
   * webhook `timestamp` in epoch ms, or a `yyyy-MM-dd HH:mm:ss` string): the
   * ledger reports a stream whose entries were applied in decreasing order.
   * Numbers compare numerically, strings lexicographically; absent = unchecked.
   */
  order?: LedgerOrder;
}

export type LedgerOrder = number | string;

/** Sends a vendor → agent callback (Dingshang delivery result, Yopoint notify); the server applies the duplicate-callback fault. */
export type CallbackSender = (request: { url: string; method: 'POST'; headers: Record<string, string>; body: string }) => Promise<{ status: number; text: string }>;

export interface MockVendorContext {
  ledger: MockLedger;
  sendCallback: CallbackSender;
  now: () => number;
}

export interface MockVendor {
  /** URL prefix and name: `webhooks`, `dingshang`, `yopoint`, `aituo`, `hongxun`. */
  readonly name: string;
  handle(request: MockRequest): MockResponse | Promise<MockResponse>;
  /**
   * Vendor-specific control actions for tests and the demo, under
   * `POST /_mock/<name>/<action>` with a JSON body (e.g. Dingshang
   * `create-codes`, `send-delivery-callback`). Unknown action → throw RangeError.
   */
  control?(action: string, body: unknown): unknown | Promise<unknown>;
  /** Holdings (codes, orders) for `GET /_mock/state`. */
  snapshot(): unknown;
}

import { parseRetryAfter } from './backoff.js';
import type { DeliveryOutcome } from './ports.js';

/**
 * The failure classes, for any HTTP destination. Pure: the caller
 * passes what it read from the answer and the time.
 */

/** What an answer or a throw can come to: never `skipped`, which only a destination that sent nothing decides. */
export type ClassifiedOutcome = Exclude<DeliveryOutcome, { kind: 'skipped' }>;

/** The part of fetch's `Headers` we read; a plain `new Headers({...})` in tests. */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** How much of an error body goes into a row's `last_error` (and so the screen). */
export const REASON_BODY_CHARS = 200;

/** Statuses worth retrying besides 5xx: Request Timeout, Too Early, Too Many Requests. */
const RETRY_STATUSES = new Set([408, 425, 429]);

/**
 * 2xx delivered; 408/425/429/5xx retry (with the Retry-After delay, if any);
 * 401/403 unauthorised (pause the destination); everything else dead:
 * other 4xx, 3xx (we never follow a redirect with a signed POST: the URL in the
 * config is wrong) and statuses outside 100–599.
 */
export function classifyHttp(status: number, headers: HeaderLookup, bodyText: string, now: number = Date.now()): ClassifiedOutcome {
  if (status >= 200 && status <= 299) return { kind: 'delivered' };
  const reason = httpReason(status, bodyText);
  if (status === 401 || status === 403) return { kind: 'unauthorised', reason };
  if (RETRY_STATUSES.has(status) || (status >= 500 && status <= 599)) {
    return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(headers.get('retry-after'), now) };
  }
  return { kind: 'dead', reason };
}

/** `HTTP <status>` plus the start of the body on one line, as the row's `last_error`. */
export function httpReason(status: number, bodyText: string): string {
  const snippet = bodyText.slice(0, REASON_BODY_CHARS).replace(/\s+/g, ' ').trim();
  return snippet.length > 0 ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`;
}

// Node's socket and DNS errors that mean "the other end was not reachable
// (this time)". undici's own are all `UND_ERR_*` and handled by prefix.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A thrown error of a delivery attempt. fetch wraps the real cause
 * (`TypeError: fetch failed` → `cause: Error { code: 'ECONNREFUSED' }`), so
 * the cause chain is searched and the most specific name wins. Every error is
 * a retry: what a destination knows to be permanent it returns as an outcome,
 * not a throw, so an unknown throw is not proof the event can never go (the
 * row stays visible with this reason, and the backoff is capped).
 */
export function classifyError(err: unknown): ClassifiedOutcome {
  const chain = causeChain(err);
  for (const e of chain) {
    if (e.name === 'TimeoutError') return { kind: 'retry', reason: 'timeout: no answer in time' };
    if (e.name === 'AbortError') return { kind: 'retry', reason: 'aborted' };
  }
  for (const e of chain) {
    if (e.code === undefined) continue;
    if (TIMEOUT_CODES.has(e.code)) return { kind: 'retry', reason: `timeout: ${e.code}` };
    if (NETWORK_CODES.has(e.code) || e.code.startsWith('UND_ERR_')) return { kind: 'retry', reason: `network: ${e.code}` };
  }
  const top = chain[0];
  if (top === undefined) return { kind: 'retry', reason: `unexpected throw: ${String(err).slice(0, REASON_BODY_CHARS)}` };
  // fetch's own wrapper without a coded cause (e.g. a socket closed mid-answer).
  if (top.name === 'TypeError' && top.message === 'fetch failed') return { kind: 'retry', reason: 'network: fetch failed' };
  return { kind: 'retry', reason: `unexpected ${top.name}: ${top.message.slice(0, REASON_BODY_CHARS)}` };
}

interface ErrorLike {
  name: string;
  message: string;
  code: string | undefined;
}

/** The error and its causes, outermost first; bounded against cycles. */
function causeChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && chain.length < 8) {
    const record = current as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
    chain.push({
      name: typeof record.name === 'string' ? record.name : 'Error',
      message: typeof record.message === 'string' ? record.message : '',
      code: typeof record.code === 'string' ? record.code : undefined,
    });
    current = record.cause;
  }
  return chain;
}

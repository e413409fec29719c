/**
 * The contract between the thin HTTP server (server.ts) and the pure vendor
 * routes (yopoint-route.ts, dingshang-route.ts): a route turns the raw bytes
 * of one callback into a verdict, and the server does only I/O around it
 * (read with limits, record in the inbox, write the answer).
 */
import type { YopointInbound } from '../yopoint/mapper.js';
import type { InboundCommand } from '../sync/ports.js';
import type { DingshangInbound } from './dingshang-inbound.js';

/** What the server hands a route: nothing parsed, nothing decoded. */
export interface RouteRequest {
  /** The request target as received, path and query. It may carry a token (Dingshang): never log it. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body bytes exactly as received (the signature is checked on these, not on a re-serialised form). */
  readonly body: Uint8Array;
}

/** One HTTP answer, fully decided by the route. */
export interface RouteAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The mapped content of an accepted callback: what the inbox stores as the command's result and `onCallback` receives. */
export type CallbackContent = YopointInbound | DingshangInbound;

export type RouteVerdict =
  /** Authentic: record `command` with `content` as its result, then answer `answer` (also to a duplicate). */
  | { readonly verdict: 'accept'; readonly command: InboundCommand; readonly content: CallbackContent; readonly answer: RouteAnswer }
  /** Refused: answer `answer` (whose status is `status`), store nothing. `reason` is safe to log (no secret, no body). */
  | { readonly verdict: 'refuse'; readonly status: number; readonly reason: string; readonly answer: RouteAnswer };

/** Answers the server itself decides, in the vendor's reply shape. */
export type ServerRefusal = 'too-large' | 'inbox-unavailable';

export interface CallbackRoute {
  /** The inbox `source` of what this route accepts. */
  readonly vendor: CallbackContent['source'];
  /** Exact path (no query) the route serves, POST only. */
  readonly path: string;
  /** Pure: verify and map one callback. Does not throw. */
  handle(request: RouteRequest, nowMs: number): RouteVerdict;
  /** 413 for a body over the limit; 503 when the inbox could not record (the vendor should redeliver). */
  refusal(kind: ServerRefusal): RouteAnswer;
}

export const STATUS_FOR_REFUSAL: Readonly<Record<ServerRefusal, number>> = { 'too-large': 413, 'inbox-unavailable': 503 };

export const JSON_UTF8 = 'application/json; charset=utf-8';
export const TEXT_UTF8 = 'text/plain; charset=utf-8';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The body as UTF-8 text, or null when it is not valid UTF-8 (a malformed callback: neither vendor documents another charset). */
export function utf8Text(body: Uint8Array): string | null {
  try {
    return utf8Decoder.decode(body);
  } catch {
    return null;
  }
}

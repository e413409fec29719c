/**
 * The `device.delivery.response` push to our `notify_url` (docs/vendors/dingshang.md §10).
 * Pure: the HTTP receiver passes the request target and the raw body in and
 * sends back the reply returned here.
 *
 * How the vendor authenticates this callback is NOT documented (§10 "UNKNOWN",
 * §12 item 4): the example body has no `sign` and no `timestamp`. What is
 * implemented:
 * - `urlToken`: our own secret in the `notify_url` query string, the spec's
 *   suggestion (§10, inference). It proves the caller knows our URL; it does
 *   not protect the body against tampering.
 * - `signature: 'section-2'`: require a `sign` field computed with the §2
 *   algorithm and the AppKey over the other body fields. UNVERIFIED and off by
 *   default; switch it on only if the vendor confirms callbacks are signed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { deliveryCallbackSchema, type DsDeliveryCallback } from './schemas.js';
import { DEFAULT_SIGN_VALUE_MODE, verifySign, type SignValueMode } from './signer.js';

// UNVERIFIED: docs/vendors/dingshang.md §10/§12 item 4 (callback signature): the docs show an unsigned body.
export type CallbackSignature = { readonly kind: 'none' } | { readonly kind: 'section-2'; readonly appKey: string; readonly signValues?: SignValueMode };

export interface CallbackAuth {
  /** Our secret carried in the `notify_url` query (§10 inference). null = no token check (e.g. behind an authenticated relay). */
  readonly urlToken: { readonly param: string; readonly value: string } | null;
  /** Default `{ kind: 'none' }`. */
  readonly signature?: CallbackSignature;
  /**
   * Body of the 200 reply. §10 asks only for a correct response ("status 200
   * or other") and names no body format. Default `''`.
   */
  readonly ackBody?: string;
}

export interface CallbackRequest {
  /** The request target as received: a path with its query (`/notify/dingshang?t=…`) or an absolute URL. */
  readonly url: string;
  /** The raw body bytes or text, exactly as received. */
  readonly body: string | Uint8Array;
}

export interface CallbackReply {
  readonly status: number;
  readonly body: string;
}

/** The neutral reading of a §10 callback. */
export interface DeliveryResult {
  readonly orderId: number | null;
  readonly recordId: number | null;
  /** `deliver_status` "1" → dispensed, "0" → failed; anything else (an edge case §10 lists) → other. */
  readonly outcome: 'dispensed' | 'failed' | 'other';
  /** `floor_status` (§8.5), as sent. */
  readonly laneStatus: string;
  /** `error_msg` or `fail_reason` (§10: the name is inconsistent), '' on success. */
  readonly failReason: string;
}

export type CallbackVerdict =
  | { readonly kind: 'delivery'; readonly callback: DsDeliveryCallback; readonly result: DeliveryResult; readonly reply: CallbackReply }
  /** Authentic JSON that is not a documented `device.delivery.response` (§10 says expiry/invalidation pushes exist too): acknowledged, raw kept. */
  | { readonly kind: 'unrecognised'; readonly raw: Record<string, unknown>; readonly reply: CallbackReply }
  | { readonly kind: 'rejected'; readonly reason: 'bad-token' | 'missing-signature' | 'bad-signature' | 'not-json-object'; readonly rawBody: string; readonly reply: CallbackReply };

/** Our `notify_url` for §5.1/§6.5/§7.3: `base` with the token added to its query. */
export function notifyUrlWithToken(base: string, param: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set(param, token);
  return url.toString();
}

function sameSecret(given: string, expected: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function tokenOk(target: string, auth: CallbackAuth): boolean {
  if (auth.urlToken === null) return true;
  let given: string | null;
  try {
    given = new URL(target, 'http://receiver.invalid').searchParams.get(auth.urlToken.param);
  } catch {
    return false;
  }
  return given !== null && sameSecret(given, auth.urlToken.value);
}

// UNVERIFIED: docs/vendors/dingshang.md §10 (Content-Type): the example body is JSON, so only JSON is parsed; the raw body is kept otherwise.
/** The body as a JSON object, or null for anything else (an array, a scalar, not JSON). */
export function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function deliveryResultOf(cb: DsDeliveryCallback): DeliveryResult {
  const outcome = cb.deliver_status === '1' ? 'dispensed' : cb.deliver_status === '0' ? 'failed' : 'other';
  const failReason = cb.error_msg !== undefined && cb.error_msg !== '' ? cb.error_msg : (cb.fail_reason ?? '');
  return { orderId: cb.order_id, recordId: cb.record_id, outcome, laneStatus: cb.floor_status, failReason };
}

const UNAUTHORISED: CallbackReply = { status: 401, body: '' };
const BAD_REQUEST: CallbackReply = { status: 400, body: '' };

/**
 * Authenticate and read one callback. Order: token (cheap, before parsing),
 * body is a JSON object, signature when configured, then the §10 schema.
 */
export function verifyDeliveryCallback(req: CallbackRequest, auth: CallbackAuth): CallbackVerdict {
  const rawBody = typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('utf8');
  if (!tokenOk(req.url, auth)) return { kind: 'rejected', reason: 'bad-token', rawBody, reply: UNAUTHORISED };
  const obj = jsonObject(rawBody);
  if (obj === null) return { kind: 'rejected', reason: 'not-json-object', rawBody, reply: BAD_REQUEST };
  const sig = auth.signature ?? { kind: 'none' };
  if (sig.kind === 'section-2') {
    if (typeof obj.sign !== 'string') return { kind: 'rejected', reason: 'missing-signature', rawBody, reply: UNAUTHORISED };
    if (!verifySign(obj, sig.appKey, sig.signValues ?? DEFAULT_SIGN_VALUE_MODE)) return { kind: 'rejected', reason: 'bad-signature', rawBody, reply: UNAUTHORISED };
  }
  // UNVERIFIED: docs/vendors/dingshang.md §10 (expected reply): only "status 200 or other" is documented, no body.
  const ack: CallbackReply = { status: 200, body: auth.ackBody ?? '' };
  const parsed = deliveryCallbackSchema.safeParse(obj);
  if (!parsed.success) return { kind: 'unrecognised', raw: obj, reply: ack };
  return { kind: 'delivery', callback: parsed.data, result: deliveryResultOf(parsed.data), reply: ack };
}

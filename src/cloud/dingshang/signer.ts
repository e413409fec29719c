/**
 * Dingshang Open API signature and payload encoding (docs/vendors/dingshang.md §2).
 * Pure: the caller passes `timestamp` in the params; nothing here reads the
 * clock. No nonce exists in the documented protocol (§12 item 3).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { type EndpointDef, type EndpointName, endpointPath, ENDPOINTS, envelopeSchema, isSuccess, OPEN_API_BASE_PATH, type PathParamsOf, type RequestOf, type ResponseOf } from './schemas.js';

/**
 * How values enter the string that is hashed.
 * - `raw`: `k=v` as is: the doc text, dsjsdz/signatory (PHP), cakioe/signatory
 *   (Rust) and the original go-pansy/pansy (§2.3).
 * - `url-encoded`: Go `url.Values.Encode()` as in the current go-pansy/pansy
 *   (§2.3): keys and values query-escaped, space → `+`.
 */
export const SIGN_VALUE_MODES = ['raw', 'url-encoded'] as const;
export type SignValueMode = (typeof SIGN_VALUE_MODES)[number];

// UNVERIFIED: docs/vendors/dingshang.md §2.3 (raw vs URL-encoded): which one the live server checks is unknown;
// the two differ only for values with reserved characters (`notify_url`, `expired_at`).
export const DEFAULT_SIGN_VALUE_MODE: SignValueMode = 'raw';

/** §1: every payload value is a string. `null`/`undefined` are accepted so optional fields can be passed through and dropped. */
export type SignParams = Readonly<Record<string, string | null | undefined>>;

/** §2.1 steps 2–3: `sign` never takes part; empty, `"NULL"` and null values are dropped (the reference code drops `"NULL"` too). */
export function isSignedEntry(key: string, value: string | null | undefined): value is string {
  return key !== 'sign' && value !== undefined && value !== null && value !== '' && value !== 'NULL';
}

/** §2.1 step 4: ASCII/byte order of the UTF-8 key, case-sensitive (Go `sort.Strings`, PHP `sort`). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Go `url.QueryEscape` (used by `url.Values.Encode`): unreserved bytes are
 * `A–Z a–z 0–9 - _ . ~`, space becomes `+`, every other UTF-8 byte `%XX`
 * (upper-case hex). Differs from `URLSearchParams` on `*` and `~`, and from
 * Java's `URLEncoder` (Kotlin lib) on `~` and `*`; Go is the library §2.3 names.
 */
export function goQueryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const unreserved =
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d || byte === 0x5f || byte === 0x2e || byte === 0x7e;
    if (unreserved) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** §2.1 steps 2–6: the exact string that is MD5-hashed, ending in `&key={AppKey}`. */
export function signBaseString(params: SignParams, appKey: string, mode: SignValueMode = DEFAULT_SIGN_VALUE_MODE): string {
  if (appKey.length === 0) throw new RangeError('Dingshang AppKey is empty'); // the PHP reference refuses it too
  const enc = mode === 'url-encoded' ? goQueryEscape : (s: string) => s;
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(params)) if (isSignedEntry(k, v)) pairs.push([k, v]);
  pairs.sort(([a], [b]) => byteOrder(a, b));
  const joined = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  // With no pair left Go gives `&key=…` and PHP `key=…`; moot in practice, since `timestamp` is always signed (§2.1 step 1).
  return `${joined}&key=${appKey}`;
}

/** §2.1 step 7: upper-case hex MD5 of the UTF-8 base string (32 chars). */
export function computeSign(params: SignParams, appKey: string, mode: SignValueMode = DEFAULT_SIGN_VALUE_MODE): string {
  return createHash('md5').update(signBaseString(params, appKey, mode), 'utf8').digest('hex').toUpperCase();
}

/**
 * §2.1 step 8: the parameter object with `sign` added. Empty/`NULL`/null
 * entries are left out of the object too, as both reference libraries
 * (go-pansy `ToBase64String`, PHP `toBase64String`) do before encoding.
 */
export function signParams(params: SignParams, appKey: string, mode: SignValueMode = DEFAULT_SIGN_VALUE_MODE): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (isSignedEntry(k, v)) out[k] = v;
  out.sign = computeSign(out, appKey, mode);
  return out;
}

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * §2.1 steps 8–9: `{"payload": base64(JSON of the params including sign)}`.
 * `timestamp` (Unix seconds as a string, §1) is required: the PHP reference
 * refuses to sign without it and we never read the clock here.
 * Throws RangeError when `timestamp` is missing or not seconds.
 */
export function encodePayload(
  params: SignParams & { readonly timestamp: string },
  appKey: string,
  mode: SignValueMode = DEFAULT_SIGN_VALUE_MODE,
): { payload: string } {
  if (!UNIX_SECONDS.test(params.timestamp)) throw new RangeError(`timestamp must be Unix seconds as a string, got "${params.timestamp}"`);
  // Key order in the JSON does not matter: the sign is over the sorted string (§2.4).
  return { payload: Buffer.from(JSON.stringify(signParams(params, appKey, mode)), 'utf8').toString('base64') };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The inverse of `encodePayload` (for a mock server and for tests): the
 * decoded JSON object, or null when the text is not standard padded base64 of
 * a JSON object. Values are returned unparsed; the caller applies a schema.
 */
export function decodePayload(payload: string): Record<string, unknown> | null {
  if (payload.length === 0 || !BASE64.test(payload)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Scalars of a decoded object as sign values: strings as is, integers and
 * booleans as Go `%v` prints them (older examples still carry JSON numbers,
 * §1). Returns null when a value is nested or a non-integer number: the
 * documented raw rule does not say how to sign those (§2.3).
 */
export function toSignParams(obj: Readonly<Record<string, unknown>>): Record<string, string | null> | null {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' || v === null) out[k] = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) out[k] = String(v);
    else if (typeof v === 'boolean') out[k] = String(v);
    else if (v === undefined) continue;
    else return null;
  }
  return out;
}

/**
 * The receiver's check of §2.1: recompute over everything but `sign` and
 * compare in constant time. False when `sign` is absent, not a string, or a
 * value cannot be signed (see `toSignParams`).
 */
export function verifySign(obj: Readonly<Record<string, unknown>>, appKey: string, mode: SignValueMode = DEFAULT_SIGN_VALUE_MODE): boolean {
  const given = obj.sign;
  const params = toSignParams(obj);
  if (typeof given !== 'string' || params === null) return false;
  const expected = Buffer.from(computeSign(params, appKey, mode), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** §1 `timestamp`: whole Unix seconds of an epoch-ms instant, as a string. */
export function unixSeconds(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs < 0) throw new RangeError(`not an instant: ${epochMs}`);
  return String(Math.floor(epochMs / 1000));
}

/**
 * Build a Dingshang HTTP request and read its response, without doing any
 * I/O: the future client sends what `buildRequest` returns, and a mock server
 * uses `readSignedBody` + `matchEndpoint` to answer (docs/vendors/dingshang.md §1–§3).
 */
/** The three developer-centre values (§1.1). */
export interface DsCredentials {
  /** 开发者ID: the `Appid` header. */
  readonly appId: string;
  /** 开发者密码: the `AppSecret` header; never part of the sign. */
  readonly appSecret: string;
  /** 商户Key: the Open API signing key (`&key=`, §2.1 step 6). */
  readonly appKey: string;
}

export interface DsRequestOptions {
  /** How sign values are joined (§2.3). Default `raw`. */
  readonly signValues?: SignValueMode;
}

export interface BuiltRequest {
  readonly httpMethod: 'POST' | 'PUT';
  /** Absolute path under the host: `/api/openapi/v1/...`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body text, or null when the call has none (§1). */
  readonly body: string | null;
}

type PathPart<N extends EndpointName> = (typeof ENDPOINTS)[N]['pathParams'] extends readonly [] ? { pathParams?: undefined } : { pathParams: PathParamsOf<N> };
type ParamPart<N extends EndpointName> = RequestOf<N> extends undefined ? { params?: undefined } : { params: RequestOf<N> };
/** Path parameters when the path has any, request fields when the call has a body. */
export type CallInput<N extends EndpointName> = PathPart<N> & ParamPart<N>;

/**
 * §1 headers on every call. `Content-Type` only with a body.
 * UNVERIFIED: docs/vendors/dingshang.md §1 (Content-Type): not documented; the examples send JSON text, so `application/json` (inference).
 */
export function requestHeaders(creds: DsCredentials, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { Appid: creds.appId, AppSecret: creds.appSecret };
  if (hasBody) headers['Content-Type'] = 'application/json';
  return headers;
}

function asSignable(value: unknown, name: string): Record<string, string> & { timestamp: string } {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name}: request is not an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new TypeError(`${name}: payload value ${k} is not a string (§1)`);
    out[k] = v;
  }
  const { timestamp } = out;
  if (timestamp === undefined) throw new TypeError(`${name}: timestamp is missing (§2.1)`);
  return { ...out, timestamp };
}

/**
 * The request for one endpoint: params are validated against the endpoint's
 * schema (documented defaults applied), then signed and base64-encoded
 * (§2.1) or sent as plain JSON (§5.1). Throws ZodError when the params break
 * the documented shape and RangeError on a missing path parameter.
 */
export function buildRequest<N extends EndpointName>(name: N, input: CallInput<N>, creds: DsCredentials, opts: DsRequestOptions = {}): BuiltRequest {
  const def: EndpointDef = ENDPOINTS[name];
  const path = OPEN_API_BASE_PATH + endpointPath(name, (input.pathParams ?? {}) as PathParamsOf<N>);
  if (def.body === 'none' || def.request === null) {
    return { httpMethod: def.httpMethod, path, headers: requestHeaders(creds, false), body: null };
  }
  const parsed: unknown = def.request.parse(input.params);
  const body =
    def.body === 'plain-json'
      ? JSON.stringify(parsed)
      : JSON.stringify(encodePayload(asSignable(parsed, name), creds.appKey, opts.signValues ?? DEFAULT_SIGN_VALUE_MODE));
  return { httpMethod: def.httpMethod, path, headers: requestHeaders(creds, true), body };
}

export type DsResponse<T> =
  /** `code === 0 && message === "ok"` and `data` fits the endpoint (§1). */
  | { kind: 'ok'; data: T }
  /** The vendor refused: any other code/message, including `code: 0` with an error text (§1 caveat). `data` kept raw (10025 carries `order_id`, §6.5). */
  | { kind: 'failure'; code: number; message: string; data: unknown }
  /** Not an envelope, or a success whose `data` does not fit: a vendor change or a bug, never a success. */
  | { kind: 'malformed'; reason: string; body: unknown };

/** Reads an already JSON-decoded response body of endpoint `name`. */
export function parseResponse<N extends EndpointName>(name: N, body: unknown): DsResponse<ResponseOf<N>> {
  const env = envelopeSchema.safeParse(body);
  if (!env.success) return { kind: 'malformed', reason: `envelope: ${env.error.message}`, body };
  if (!isSuccess(env.data)) return { kind: 'failure', code: env.data.code, message: env.data.message, data: env.data.data };
  const schema: z.ZodType = ENDPOINTS[name].response;
  const data = schema.safeParse(env.data.data);
  // The cast only narrows the table's union back to entry N; the value was parsed by that entry's schema.
  return data.success ? { kind: 'ok', data: data.data as ResponseOf<N> } : { kind: 'malformed', reason: `data: ${data.error.message}`, body };
}

export type SignedBodyResult =
  | { ok: true; params: Record<string, unknown> }
  | { ok: false; reason: 'not-json' | 'no-payload' | 'bad-payload' | 'bad-sign' };

/**
 * The receiving side of §2.1 (for a mock server): `{"payload": …}` decoded
 * and its `sign` checked with `appKey`. The params still need the
 * endpoint's request schema.
 */
export function readSignedBody(bodyText: string, appKey: string, mode: SignValueMode = DEFAULT_SIGN_VALUE_MODE): SignedBodyResult {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  const payload = typeof body === 'object' && body !== null && 'payload' in body ? body.payload : undefined;
  if (typeof payload !== 'string') return { ok: false, reason: 'no-payload' };
  const params = decodePayload(payload);
  if (params === null) return { ok: false, reason: 'bad-payload' };
  return verifySign(params, appKey, mode) ? { ok: true, params } : { ok: false, reason: 'bad-sign' };
}

/**
 * Build a Dingshang HTTP request and read its response, without doing any
 * I/O: the future client sends what `buildRequest` returns, and a mock server
 * uses `readSignedBody` + `matchEndpoint` to answer (docs/vendors/dingshang.md §1–§3).
 */
import type { z } from 'zod';
import { ENDPOINTS, endpointPath, OPEN_API_BASE_PATH, type EndpointDef, type EndpointName, type PathParamsOf, type RequestOf, type ResponseOf } from './endpoints.js';
import { envelopeSchema, isSuccess } from './schemas.js';
import { decodePayload, DEFAULT_SIGN_VALUE_MODE, encodePayload, verifySign, type SignValueMode } from './signer.js';

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

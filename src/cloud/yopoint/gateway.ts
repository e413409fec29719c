/**
 * Gateway wire format (docs/vendors/yopoint.md §1, §2.1): build a signed request for one
 * method and parse its response envelope. Pure: the caller passes the
 * instant, and does the HTTP POST to `YOPOINT_GATEWAY_URL` itself.
 */
import { z } from 'zod';
import type { YopointOptions } from './config.js';
import { type YopointBizFor, type YopointDataFor, type YopointMethod, yopointMethods } from './endpoints.js';
import {
  YOPOINT_CONTENT_TYPE,
  YOPOINT_GATEWAY_URL,
  YOPOINT_VERSION,
  type YopointEnvelope,
  type YopointRequestParams,
  yopointEnvelopeSchema,
} from './schemas.js';
import { YOPOINT_SIGN_TYPE, yopointSign, yopointTimestamp } from './signer.js';

export type YopointRequestOptions = Pick<YopointOptions, 'appid' | 'appSecret' | 'timestampUnit' | 'emptyValues'>;

export interface YopointRequest {
  url: string;
  contentType: string;
  /** The seven form fields, `sign` included (§1.1). */
  params: YopointRequestParams;
  /** `params` as an x-www-form-urlencoded body. */
  body: string;
}

/**
 * Builds the signed form for `method`. `biz` is validated against the
 * method's schema; keys the schema does not name are dropped, so nothing
 * undocumented is sent (`cabinet.open.door` excepted: its schema is open).
 * Throws a ZodError when `biz` does not fit the schema (a caller bug).
 */
export function buildYopointRequest<M extends YopointMethod>(
  options: YopointRequestOptions,
  method: M,
  biz: YopointBizFor<M>,
  nowMs: number,
): YopointRequest {
  const spec: { request: z.ZodType } = yopointMethods[method];
  const checked = spec.request.parse(biz);
  const unsigned = {
    appid: options.appid,
    method,
    // §1.1: biz_content is the JSON text; §2.1 step 3: signed as that literal text.
    biz_content: JSON.stringify(checked),
    version: YOPOINT_VERSION,
    timestamp: yopointTimestamp(nowMs, options.timestampUnit),
    sign_type: YOPOINT_SIGN_TYPE,
  } as const;
  const params: YopointRequestParams = { ...unsigned, sign: yopointSign(unsigned, options.appSecret, { emptyValues: options.emptyValues }) };
  return { url: YOPOINT_GATEWAY_URL, contentType: YOPOINT_CONTENT_TYPE, params, body: new URLSearchParams(params).toString() };
}

/**
 * biz_content of `cabinet.order.list` for a time window, in the key casing the
 * options select (§4.7). StartTime / EndTime are Unix seconds on both doc
 * pages, independent of the envelope `timestampUnit` switch.
 */
export function cabinetOrderListBiz(
  window: { page: number; pageSize: number; fromMs: number; toMs: number },
  keys: YopointOptions['orderListKeys'],
): YopointBizFor<'cabinet.order.list'> {
  const start = Math.floor(window.fromMs / 1000);
  const end = Math.floor(window.toMs / 1000);
  // UNVERIFIED: docs/vendors/yopoint.md §4.7 (apifox StartTime/EndTime vs GitBook startTime/endTime)
  return keys === 'apifox'
    ? { page: window.page, StartTime: start, EndTime: end, pageSize: window.pageSize }
    : { page: window.page, startTime: start, endTime: end, pageSize: window.pageSize };
}

export type YopointResult<M extends YopointMethod> =
  | { ok: true; data: YopointDataFor<M>; envelope: YopointEnvelope }
  /** The gateway answered with `error_code` ≠ 0 (§1.2, §8). `-1` is not only "signature error": §1.2 shows it with ERR_BARCODE_OUTSTOCK too. */
  | { ok: false; kind: 'vendor-error'; errorCode: number; errorMsg: string; envelope: YopointEnvelope }
  /** The body is not the §1.2 envelope, or a success `data` does not fit the method's schema. */
  | { ok: false; kind: 'malformed'; problem: string; raw: unknown };

/** Parses a gateway response body (already JSON-decoded) for `method`. */
export function parseYopointResponse<M extends YopointMethod>(method: M, body: unknown): YopointResult<M> {
  const envelope = yopointEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, kind: 'malformed', problem: z.prettifyError(envelope.error), raw: body };
  const env = envelope.data;
  if (env.error_code !== 0) return { ok: false, kind: 'vendor-error', errorCode: env.error_code, errorMsg: env.error_msg, envelope: env };
  // TS cannot correlate a generic M with its table row; the table is `as const`, so the row is M's.
  const schema = yopointMethods[method].response as z.ZodType<YopointDataFor<M>>;
  const data = schema.safeParse(env.data);
  if (!data.success) return { ok: false, kind: 'malformed', problem: `${method} data: ${z.prettifyError(data.error)}`, raw: body };
  return { ok: true, data: data.data, envelope: env };
}

/**
 * The Yopoint gateway client (docs/vendors/yopoint.md §1, §2.1, §4): one signed
 * form-urlencoded POST per call to the configured gateway URL. It never
 * retries on its own (a `cabinet.open.door` repeated blindly could open a
 * door twice, §4.4); each failure is a `YopointError` whose code says what
 * to do, and `retryable` says whether trying again later as-is makes sense.
 *
 * Every answer's `Date` header feeds the injected `ClockOffset`, and every
 * request is stamped with the server's clock as measured so far: the
 * gateway judges the signed `timestamp` by its own clock (§1 asks callers to
 * sync with Aliyun NTP; the allowed skew is UNKNOWN, §2.4).
 */
import { z } from 'zod';
import { type Logger, silentLogger } from '../../shared/logger.js';
import type { ClockOffset } from '../common/clock-offset.js';
import { type HttpAnswer, httpSend, httpUrl, isHttpsUnlessLoopback } from '../common/http.js';
import { redactSecrets } from '../common/redact.js';
import { parseRetryAfter } from '../sync/backoff.js';
import { classifyError, httpReason } from '../sync/classify.js';
import type { YopointOptions } from './config.js';
import { YopointError, yopointRefusalCode } from './errors.js';
import { YOPOINT_CONTENT_TYPE, YOPOINT_GATEWAY_URL, YOPOINT_VERSION, type YopointBizFor, type YopointDataFor, type YopointEnvelope, yopointEnvelopeSchema, type YopointMethod, yopointMethods, type YopointOrder, type YopointRequestParams } from './schemas.js';
import { YOPOINT_SIGN_TYPE, yopointSign, yopointTimestamp } from './signer.js';

export type YopointClientOptions = Pick<
  YopointOptions,
  'appid' | 'appSecret' | 'timestampUnit' | 'emptyValues' | 'orderListKeys' | 'gatewayUrl' | 'timeoutMs' | 'orderListPageSize' | 'orderListMaxPages' | 'signErrorCode'
>;

export interface YopointClientDeps {
  /** Fed from every answer's `Date` header; its `serverNow` stamps each request. Share it with whatever else signs for Yopoint. */
  clock: ClockOffset;
  /** Default Date.now. */
  now?: () => number;
  /** Default silent. Logs method, status and duration at debug; never a parameter or the secret. */
  logger?: Logger;
}

/** An order reference for `cabinet.order.get` (§4.8: one of the two). */
export type YopointOrderRef = { ReceiptNo: string } | { TradeNo: string };

/** A time window in epoch ms; `cabinet.order.list` sends it as Unix seconds (§4.7). */
export interface YopointOrderWindow {
  fromMs: number;
  toMs: number;
}

/** Vendor text that goes into an error message is cut to this length. */
const MAX_VENDOR_TEXT = 200;

export class YopointClient {
  readonly #options: YopointClientOptions;
  readonly #url: URL;
  readonly #clock: ClockOffset;
  readonly #now: () => number;
  readonly #log: Logger;

  /** Throws RangeError when `gatewayUrl` is not http(s), or is plain http to a host other than loopback (§1: HTTPS only). */
  constructor(options: YopointClientOptions, deps: YopointClientDeps) {
    const url = httpUrl(options.gatewayUrl, 'yopoint gateway');
    if (!isHttpsUnlessLoopback(url)) throw new RangeError('yopoint gateway: url must be https (plain http only to a loopback mock)');
    this.#options = options;
    this.#url = url;
    this.#clock = deps.clock;
    this.#now = deps.now ?? Date.now;
    this.#log = (deps.logger ?? silentLogger).child({ module: 'cloud/yopoint' });
  }

  /** §4.2: one page of the operator's cabinets. Devices stay opaque objects (their fields are UNKNOWN). Throws YopointError. */
  async cabinetList(biz: YopointBizFor<'cabinet.list'> = {}, signal?: AbortSignal): Promise<YopointDataFor<'cabinet.list'>> {
    return (await this.#call('cabinet.list', biz, signal)).data;
  }

  /**
   * §4.7: every order in the window, walking `page` 1, 2, … with
   * `orderListPageSize` per page until a short or last page (see
   * `yopointOrderPage`). An order met on two pages (the list shifted while we
   * walked) is kept once, in its first place with its latest copy. Throws YopointError (`too-many-pages`
   * after `orderListMaxPages`); a partial list is never returned.
   */
  async cabinetOrderList(window: YopointOrderWindow, signal?: AbortSignal): Promise<YopointOrder[]> {
    const { orderListPageSize: pageSize, orderListMaxPages: maxPages, orderListKeys } = this.#options;
    const orders = new Map<string, YopointOrder>();
    for (let page = 1; page <= maxPages; page++) {
      const biz = cabinetOrderListBiz({ page, pageSize, fromMs: window.fromMs, toMs: window.toMs }, orderListKeys);
      const { data } = await this.#call('cabinet.order.list', biz, signal);
      const { orders: found, last } = yopointOrderPage(data, page, pageSize);
      for (const order of found) orders.set(order.ReceiptNo, order);
      if (last) return [...orders.values()];
    }
    throw new YopointError('too-many-pages', `yopoint cabinet.order.list: more than ${maxPages} pages of ${pageSize}; narrow the window or raise orderListMaxPages`, {
      method: 'cabinet.order.list',
    });
  }

  /** §4.8: one order by `ReceiptNo` or `TradeNo`. Throws YopointError (an unknown order is whatever the gateway answers: `refused`). */
  async cabinetOrderGet(ref: YopointOrderRef, signal?: AbortSignal): Promise<YopointOrder> {
    return (await this.#call('cabinet.order.get', ref, signal)).data;
  }

  /**
   * §4.4: parameters and response are UNKNOWN, so `biz` goes out verbatim
   * (from configuration or the vendor) and the answer comes back unparsed,
   * with its envelope to keep as the raw record. Throws YopointError.
   */
  // UNVERIFIED: docs/vendors/yopoint.md §4.4 (cabinet.open.door request and response unknown)
  async cabinetOpenDoor(biz: YopointBizFor<'cabinet.open.door'>, signal?: AbortSignal): Promise<{ data: unknown; envelope: YopointEnvelope }> {
    return this.#call('cabinet.open.door', biz, signal);
  }

  async #call<M extends YopointMethod>(method: M, biz: YopointBizFor<M>, signal: AbortSignal | undefined): Promise<{ data: YopointDataFor<M>; envelope: YopointEnvelope }> {
    const request = this.#build(method, biz);
    const redact = (text: string): string => redactSecrets(text, [this.#options.appSecret, request.params.sign]);
    let answer: HttpAnswer;
    try {
      answer = await httpSend(
        { url: this.#url, method: 'POST', headers: { 'content-type': request.contentType, accept: 'application/json' }, body: request.body, signal, timeoutMs: this.#options.timeoutMs },
        this.#now,
      );
    } catch (err) {
      throw sendFailure(method, err, signal);
    }
    // Every answer, refusals included, tells us the server's clock.
    this.#clock.observeDateHeader(answer.headers.get('date'), answer.sentAt, answer.receivedAt);
    this.#log.debug({ method, status: answer.status, ms: answer.receivedAt - answer.sentAt }, 'yopoint call');

    const meta = { method, status: answer.status };
    if (answer.status === 401 || answer.status === 403) {
      throw new YopointError('unauthorised', `yopoint ${method}: ${httpReason(answer.status, redact(answer.text))}`, meta);
    }
    if (answer.status < 200 || answer.status > 299) {
      const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), this.#now());
      throw new YopointError('http', `yopoint ${method}: ${httpReason(answer.status, redact(answer.text))}`, retryAfterMs === undefined ? meta : { ...meta, retryAfterMs });
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      throw new YopointError('unparsable', `yopoint ${method}: the answer is not JSON: ${snippet(redact(answer.text))}`, meta);
    }
    const result = parseYopointResponse(method, body);
    if (result.ok) return { data: result.data, envelope: result.envelope };
    if (result.kind === 'malformed') throw new YopointError('unparsable', `yopoint ${method}: ${snippet(redact(result.problem))}`, meta);
    const vendorMsg = snippet(redact(result.errorMsg));
    const code = yopointRefusalCode(result.errorCode, result.errorMsg, this.#options.signErrorCode);
    const hint = code === 'unauthorised' ? ' (check appid and appSecret)' : '';
    throw new YopointError(code, `yopoint ${method}: error_code ${result.errorCode} ${vendorMsg}${hint}`, { ...meta, vendorCode: result.errorCode, vendorMsg });
  }

  /** Throws YopointError('invalid-request') when `biz` does not fit the method's documented schema. */
  #build<M extends YopointMethod>(method: M, biz: YopointBizFor<M>): YopointRequest {
    try {
      return buildYopointRequest(this.#options, method, biz, this.#clock.serverNow(this.#now()));
    } catch (err) {
      const why = err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err);
      throw new YopointError('invalid-request', `yopoint ${method}: parameters do not fit the documented biz_content: ${snippet(why)}`, { method }, { cause: err });
    }
  }
}

/**
 * One `cabinet.order.list` answer (§4.7): the GitBook page returns `data` as
 * an array, the apifox page is cut off (inference: the §1.2 paging block).
 * A page is the last when the block says so (`current_page` ≥ `last_page`),
 * or, without `last_page`, when it holds fewer than `pageSize` orders.
 */
// UNVERIFIED: docs/vendors/yopoint.md §4.7 (array vs paging block; how the end of the list shows)
export function yopointOrderPage(data: YopointDataFor<'cabinet.order.list'>, page: number, pageSize: number): { orders: YopointOrder[]; last: boolean } {
  if (Array.isArray(data)) return { orders: data, last: data.length < pageSize };
  const orders = data.data;
  if (orders.length === 0) return { orders, last: true };
  if (data.last_page !== undefined) return { orders, last: (data.current_page ?? page) >= data.last_page };
  return { orders, last: orders.length < pageSize };
}

function sendFailure(method: string, err: unknown, signal: AbortSignal | undefined): YopointError {
  if (signal?.aborted === true) return new YopointError('aborted', `yopoint ${method}: stopped by the caller`, { method }, { cause: err });
  const outcome = classifyError(err);
  // classifyError only ever answers `retry` for a throw; its reason names the cause.
  const reason = outcome.kind === 'delivered' ? 'unexpected throw' : outcome.reason;
  const code = reason.startsWith('timeout') ? 'timeout' : 'network';
  return new YopointError(code, `yopoint ${method}: ${reason}`, { method }, { cause: err });
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_VENDOR_TEXT ? `${line.slice(0, MAX_VENDOR_TEXT)}…` : line;
}

/**
 * Gateway wire format (docs/vendors/yopoint.md §1, §2.1): build a signed request for one
 * method and parse its response envelope. Pure: the caller passes the
 * instant, and does the HTTP POST to `YOPOINT_GATEWAY_URL` itself.
 */
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

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
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { ClockOffset } from '../common/clock-offset.js';
import { httpSend, httpUrl, isHttpsUnlessLoopback, type HttpAnswer } from '../common/http.js';
import { parseRetryAfter } from '../sync/backoff.js';
import { classifyError, httpReason } from '../sync/classify.js';
import type { YopointOptions } from './config.js';
import type { YopointBizFor, YopointDataFor, YopointMethod } from './endpoints.js';
import { YopointError, yopointRefusalCode } from './errors.js';
import { buildYopointRequest, cabinetOrderListBiz, parseYopointResponse, type YopointRequest } from './gateway.js';
import type { YopointEnvelope, YopointOrder } from './schemas.js';
import { redactSecrets } from '../common/redact.js';

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


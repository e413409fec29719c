/**
 * The Dingshang Open API client (docs/vendors/dingshang.md §1–§7): one typed method per
 * `ENDPOINTS` entry. Each call is built by `buildRequest` (§2 signing),
 * sent by `httpSend`, and read by `parseResponse`; it succeeds only when the
 * envelope is `code 0` and `message "ok"` (§1 caveat), and fields protobuf
 * left out come back with their defaults (schemas.ts). Everything else is a
 * `DingshangError` whose code says what to do.
 *
 * It never retries on its own: the drainer and the code puller decide. Every
 * answer's `Date` header feeds the injected `ClockOffset`, and every signed
 * `timestamp` is the server's time as measured so far (the allowed skew is
 * UNKNOWN, §1, §12 item 3).
 */
import { z } from 'zod';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { ClockOffset } from '../common/clock-offset.js';
import { httpSend, httpUrl, type HttpAnswer } from '../common/http.js';
import { classifyError, httpReason } from '../sync/classify.js';
import { DingshangError, DS_AUTH_CODES, type DingshangErrorMeta } from './errors.js';
import { notifyUrlFor, type DingshangConfig } from './config.js';
import { type DsOrder, type DsPickupCode, type DsProduct, type EndpointName, envelopeSchema, formatDsDateTime, type ORDER_UPDATE_STATUSES, type RequestOf, type ResponseOf } from './schemas.js';
import { interpretConsume } from './mapper.js';
import { buildRequest, type BuiltRequest, type CallInput, decodePayload, type DsCredentials, type DsResponse, parseResponse, unixSeconds } from './signer.js';
import { redactSecrets } from '../common/redact.js';

export type DingshangClientOptions = Pick<
  DingshangConfig,
  | 'baseUrl' | 'appId' | 'appSecret' | 'appKey' | 'machineNo' | 'notifyUrl' | 'callback' | 'signValueMode' | 'alreadyUsedCodes'
  | 'utcOffsetMinutes' | 'timeoutMs' | 'cabinetNames' | 'productsPerPage' | 'maxProductPages'
>;

export interface DingshangClientDeps {
  /** Fed from every answer's `Date` header; its `serverNow` stamps each signed request. */
  clock: ClockOffset;
  /** Default Date.now. */
  now?: () => number;
  /** Default silent. Logs endpoint, status and duration at debug; never a parameter, a code or a secret. */
  logger?: Logger;
}

/** §4.4 query; `cabinetName` and `addr` must not be sent together. */
export interface ProductQuery {
  page?: number;
  perPage?: number;
  categoryId?: number;
  cabinetName?: string;
  selectAll?: boolean;
  addr?: number;
}

export interface CreateCodesOptions {
  /** §6.1 `code_length` 6–10 (server default 6). */
  codeLength?: number;
  /** §6.1 `expired_at` as an instant; sent as GMT+8 wall clock (`utcOffsetMinutes`). Absent = never expires. */
  expiresAt?: number;
}

export type OrderUpdateStatus = (typeof ORDER_UPDATE_STATUSES)[number];

export type ConsumeResult =
  | { kind: 'consumed'; order: DsOrder }
  /** A code of `alreadyUsedCodes` (§6.5: 10025); `orderId` from `data.order_id`, null when absent. */
  | { kind: 'already-used'; vendorCode: number; orderId: number | null };

/** Vendor text that goes into an error message is cut to this length. */
const MAX_VENDOR_TEXT = 200;
/**
 * Read at most this much of an answer. §6.3 has no paging and returns every
 * code of a product at once (bounded by the lane capacity in the real API),
 * so this is larger than `httpSend`'s default.
 */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export class DingshangClient {
  readonly #options: DingshangClientOptions;
  readonly #base: URL;
  readonly #creds: DsCredentials;
  readonly #notifyUrl: string;
  readonly #clock: ClockOffset;
  readonly #now: () => number;
  readonly #log: Logger;

  /** `options` come from `dingshangConfigSchema`. Throws RangeError when `baseUrl` is not an http(s) URL. */
  constructor(options: DingshangClientOptions, deps: DingshangClientDeps) {
    this.#base = httpUrl(options.baseUrl, 'dingshang baseUrl');
    this.#options = options;
    this.#creds = { appId: options.appId, appSecret: options.appSecret, appKey: options.appKey };
    this.#notifyUrl = notifyUrlFor(options);
    this.#clock = deps.clock;
    this.#now = deps.now ?? Date.now;
    this.#log = (deps.logger ?? silentLogger).child({ module: 'cloud/dingshang' });
  }

  get machineNo(): string {
    return this.#options.machineNo;
  }

  // ------------------------------------------------------------ §4 machines and catalogue

  /** §4.1: `"pong"` when the host answers and the headers are accepted. Throws DingshangError. */
  ping(signal?: AbortSignal): Promise<string> {
    return this.#call('ping', {}, signal);
  }

  /** §4.2: the merchant's machines. Throws DingshangError. */
  machines(signal?: AbortSignal): Promise<ResponseOf<'machineList'>> {
    return this.#call('machineList', {}, signal);
  }

  /** §4.3: one machine, this cabinet's by default. Throws DingshangError. */
  machine(machineNo: string = this.#options.machineNo, signal?: AbortSignal): Promise<ResponseOf<'machineDetail'>> {
    return this.#call('machineDetail', { pathParams: { machine_no: machineNo } }, signal);
  }

  /** §4.4: one page of this cabinet's products. Throws DingshangError (`invalid-request` for `cabinetName` with `addr`). */
  products(query: ProductQuery = {}, signal?: AbortSignal): Promise<ResponseOf<'productList'>> {
    const params: RequestOf<'productList'> = {
      ...this.#signedBase(),
      page: String(query.page ?? 1),
      ...(query.perPage === undefined ? {} : { per_page: String(query.perPage) }),
      ...(query.categoryId === undefined ? {} : { category_id: String(query.categoryId) }),
      ...(query.cabinetName === undefined ? {} : { cabinet_name: query.cabinetName }),
      ...(query.selectAll === undefined ? {} : { select_all: query.selectAll ? '1' : '0' }),
      ...(query.addr === undefined ? {} : { addr: String(query.addr) as NonNullable<RequestOf<'productList'>['addr']> }),
    };
    return this.#call('productList', { params }, signal);
  }

  /**
   * Every product of this cabinet: §4.4 page by page for each of
   * `cabinetNames`, `productsPerPage` per page. A product met twice (the list
   * shifted while we walked, or two cabinets) is kept once, first seen.
   * Throws DingshangError; `unparsable` after `maxProductPages` pages.
   */
  async allProducts(signal?: AbortSignal): Promise<DsProduct[]> {
    const { cabinetNames, productsPerPage, maxProductPages } = this.#options;
    const byId = new Map<number, DsProduct>();
    for (const cabinetName of cabinetNames) {
      for (let page = 1; ; page++) {
        if (page > maxProductPages) {
          throw new DingshangError('unparsable', `dingshang productList: more than ${maxProductPages} pages for cabinet ${cabinetName}; raise maxProductPages`, {
            endpoint: 'productList',
          });
        }
        const result = await this.products({ page, cabinetName, ...(productsPerPage === undefined ? {} : { perPage: productsPerPage }) }, signal);
        for (const product of result.data) if (!byId.has(product.id)) byId.set(product.id, product);
        if (isLastProductPage(result, page, productsPerPage)) break;
      }
    }
    return [...byId.values()];
  }

  /** §4.5: visible categories. Throws DingshangError. */
  categories(signal?: AbortSignal): Promise<ResponseOf<'categoryList'>> {
    return this.#call('categoryList', { params: this.#signedBase() }, signal);
  }

  /** §4.6: approved, visible banners. Throws DingshangError. */
  banners(signal?: AbortSignal): Promise<ResponseOf<'bannerList'>> {
    return this.#call('bannerList', { params: this.#signedBase() }, signal);
  }

  /** §4.7: lanes on sale ("may be withdrawn": prefer `machine` + `products`). Throws DingshangError. */
  floors(signal?: AbortSignal): Promise<ResponseOf<'floorList'>> {
    return this.#call('floorList', { params: this.#signedBase() }, signal);
  }

  // ------------------------------------------------------------ §5 orders

  /** §5.1: plain JSON, not signed; `notify_url` is ours. Returns `order_id`. Throws DingshangError. */
  async createOrder(order: { tradeId: string; products: ReadonlyArray<{ productId: number; quantity: number }> }, signal?: AbortSignal): Promise<number> {
    const params: RequestOf<'orderCreate'> = {
      machine_no: this.#options.machineNo,
      notify_url: this.#notifyUrl,
      trade_id: order.tradeId,
      products: order.products.map((p) => ({ product_id: p.productId, quantity: p.quantity })),
    };
    return (await this.#call('orderCreate', { params }, signal)).order_id;
  }

  /** §5.2: one order by `order_id`. Throws DingshangError. */
  order(orderId: number, signal?: AbortSignal): Promise<DsOrder> {
    return this.#call('orderQuery', { pathParams: { order_id: String(orderId) }, params: this.#signedBase() }, signal);
  }

  /** §5.3: set the payment status (`1` paid … `6` pay error). Throws DingshangError. */
  async updateOrder(orderId: number, status: OrderUpdateStatus, signal?: AbortSignal): Promise<void> {
    await this.#call('orderUpdate', { pathParams: { order_id: String(orderId) }, params: { ...this.#signedBase(), status } }, signal);
  }

  /** §5.4: cancel = §5.3 with a status other than `1`; the vendor sends no callback for it. Throws DingshangError. */
  cancelOrder(orderId: number, status: Exclude<OrderUpdateStatus, '1'>, signal?: AbortSignal): Promise<void> {
    return this.updateOrder(orderId, status, signal);
  }

  // ------------------------------------------------------------ §6 pickup codes

  /** §6.1: `count` codes for one product. The codes are not returned (read them with `codes`). Throws DingshangError. */
  async createCodes(productId: number, count?: number, options: CreateCodesOptions = {}, signal?: AbortSignal): Promise<void> {
    const params: RequestOf<'pickupCodeCreateOne'> = {
      ...this.#signedBase(),
      method: 'pickup_code.product.id',
      product_id: String(productId),
      ...(count === undefined ? {} : { count: String(count) }),
      ...this.#createCommon(options),
    };
    await this.#call('pickupCodeCreateOne', { params }, signal);
  }

  /** §6.2: codes for every product (one per item by default). Throws DingshangError. */
  async createCodesForAll(options: CreateCodesOptions = {}, signal?: AbortSignal): Promise<void> {
    await this.#call('pickupCodeCreateAll', { params: { ...this.#signedBase(), method: 'pickup_code.product.all', ...this.#createCommon(options) } }, signal);
  }

  /** §6.3: a product's unused, unexpired codes (the whole list: the spec gives no paging). Throws DingshangError. */
  codes(productId: number, signal?: AbortSignal): Promise<DsPickupCode[]> {
    return this.#call('pickupCodeQuery', { pathParams: { product_id: String(productId) }, params: this.#signedBase() }, signal);
  }

  /** §6.4: cancel one code by its §6.3 record `id` (not the code text). Throws DingshangError (80002 when unknown). */
  async cancelCode(recordId: number, signal?: AbortSignal): Promise<void> {
    await this.#call('pickupCodeCancelOne', { params: { ...this.#signedBase(), method: 'pickup_code.delete.id', id: String(recordId) } }, signal);
  }

  /** §6.4: cancel every code of this cabinet. Throws DingshangError. */
  async cancelAllCodes(signal?: AbortSignal): Promise<void> {
    await this.#call('pickupCodeCancelAll', { params: { ...this.#signedBase(), method: 'pickup_code.delete.all' } }, signal);
  }

  /**
   * §6.5: report a code as used; `notify_url` is ours. A refusal with a code
   * of `alreadyUsedCodes` (10025) is an answer, not an error. Throws
   * DingshangError for every other refusal and failure.
   */
  async consume(input: { code: string; productId: number; tradeId: string }, signal?: AbortSignal): Promise<ConsumeResult> {
    const params: RequestOf<'consume'> = {
      ...this.#signedBase(),
      method: 'event.consume.pickup_code',
      code: input.code,
      product_id: String(input.productId),
      notify_url: this.#notifyUrl,
      trade_id: input.tradeId,
    };
    const { response, meta, redact } = await this.#exchange('consume', { params }, signal);
    if (response.kind === 'ok') return { kind: 'consumed', order: response.data };
    const outcome = interpretConsume(response, this.#options.alreadyUsedCodes);
    if (outcome.kind === 'already-consumed') return { kind: 'already-used', vendorCode: outcome.code, orderId: outcome.orderId };
    throw this.#failure('consume', response, meta, redact);
  }

  // ------------------------------------------------------------ §7 deliveries

  /** §7.1: dispense one record of a paid or pickup-code order. Throws DingshangError (`{"code":0,"message":"订单未支付"}` is `refused`). */
  deliver(orderId: number, recordId: number, signal?: AbortSignal): Promise<ResponseOf<'deliveryPut'>> {
    const params: RequestOf<'deliveryPut'> = { ...this.#signedBase(), method: 'device.delivery.put', order_id: String(orderId), record_id: String(recordId) };
    return this.#call('deliveryPut', { params }, signal);
  }

  /** §7.2: the result of a dispense. Throws DingshangError (an unknown id is `{"code":404}`: `refused`). */
  deliveryResult(deliveryId: string, signal?: AbortSignal): Promise<ResponseOf<'deliveryResult'>> {
    return this.#call('deliveryResult', { pathParams: { delivery_id: deliveryId }, params: this.#signedBase() }, signal);
  }

  /** §7.3: test dispense by lane name (`channel.name`, e.g. "A20"); `notify_url` is ours. Throws DingshangError. */
  debugDelivery(channelName: string, signal?: AbortSignal): Promise<ResponseOf<'deliveryDebug'>> {
    const params: RequestOf<'deliveryDebug'> = { ...this.#signedBase(), method: 'device.delivery.put', channel_name: channelName, notify_url: this.#notifyUrl };
    return this.#call('deliveryDebug', { params }, signal);
  }

  // ------------------------------------------------------------ plumbing

  /** `machine_no` + `timestamp` (§2.1 step 1), the timestamp on the server's clock as measured. */
  #signedBase(): { machine_no: string; timestamp: string } {
    return { machine_no: this.#options.machineNo, timestamp: unixSeconds(Math.max(0, this.#clock.serverNow(this.#now()))) };
  }

  #createCommon(options: CreateCodesOptions): { code_length?: '6' | '7' | '8' | '9' | '10'; expired_at?: string } {
    return {
      ...(options.codeLength === undefined ? {} : { code_length: String(options.codeLength) as '6' }),
      ...(options.expiresAt === undefined ? {} : { expired_at: formatDsDateTime(options.expiresAt, this.#options.utcOffsetMinutes) }),
    };
  }

  async #call<N extends EndpointName>(name: N, input: CallInput<N>, signal: AbortSignal | undefined): Promise<ResponseOf<N>> {
    const { response, meta, redact } = await this.#exchange(name, input, signal);
    if (response.kind === 'ok') return response.data;
    throw this.#failure(name, response, meta, redact);
  }

  /** One HTTP exchange up to a parsed envelope. Throws DingshangError for everything that is not an envelope on a 2xx answer. */
  async #exchange<N extends EndpointName>(
    name: N,
    input: CallInput<N>,
    signal: AbortSignal | undefined,
  ): Promise<{ response: DsResponse<ResponseOf<N>>; meta: DingshangErrorMeta; redact: (text: string) => string }> {
    const request = this.#build(name, input);
    // `key=…` too: a short AppKey (the docs' sample is "kva") is below the redaction floor, its place in a sign base string is not.
    const redact = redactor([`key=${this.#options.appKey}`, this.#options.appKey, this.#options.appSecret, ...signedValuesOf(request)]);
    let answer: HttpAnswer;
    try {
      answer = await httpSend(
        {
          url: new URL(request.path.replace(/^\//, ''), baseWithSlash(this.#base)),
          method: request.httpMethod,
          headers: { ...request.headers, accept: 'application/json' },
          ...(request.body === null ? {} : { body: request.body }),
          ...(signal === undefined ? {} : { signal }),
          timeoutMs: this.#options.timeoutMs,
          maxResponseBytes: MAX_ANSWER_BYTES,
        },
        this.#now,
      );
    } catch (err) {
      throw sendFailure(name, err, signal);
    }
    // Every answer, refusals included, tells us the server's clock.
    this.#clock.observeDateHeader(answer.headers.get('date'), answer.sentAt, answer.receivedAt);
    this.#log.debug({ endpoint: name, status: answer.status, ms: answer.receivedAt - answer.sentAt }, 'dingshang call');

    const meta: DingshangErrorMeta = { endpoint: name, status: answer.status };
    const body = parseJson(answer.text);
    const envelope = body === undefined ? null : envelopeSchema.safeParse(body);
    if (envelope?.success === true) {
      meta.vendorCode = envelope.data.code;
      meta.vendorMessage = snippet(redact(envelope.data.message));
    }
    if (answer.status < 200 || answer.status > 299) {
      const retryAfter = answer.headers.get('retry-after');
      if (retryAfter !== null) meta.retryAfter = retryAfter;
      const reason = `dingshang ${name}: ${httpReason(answer.status, snippet(redact(answer.text)))}`;
      // §1: missing Appid/AppSecret is HTTP 401 with code 10008.
      throw new DingshangError(answer.status === 401 || answer.status === 403 ? 'unauthorised' : 'http', reason, meta);
    }
    if (body === undefined) throw new DingshangError('unparsable', `dingshang ${name}: the answer is not JSON: ${snippet(redact(answer.text))}`, meta);
    return { response: parseResponse(name, body), meta, redact };
  }

  /** The error for a non-ok envelope: `unauthorised` for a credentials/sign code, `unparsable` for a malformed one, else `refused`. */
  #failure(name: EndpointName, response: DsResponse<unknown>, meta: DingshangErrorMeta, redact: (text: string) => string): DingshangError {
    if (response.kind === 'malformed') return new DingshangError('unparsable', `dingshang ${name}: ${snippet(redact(response.reason))}`, meta);
    if (response.kind === 'ok') return new DingshangError('unparsable', `dingshang ${name}: not a failure`, meta); // unreachable by the callers
    const vendorMessage = snippet(redact(response.message));
    const vendorData = scalarData(response.data, redact);
    const full: DingshangErrorMeta = { ...meta, vendorCode: response.code, vendorMessage, ...(vendorData === undefined ? {} : { vendorData }) };
    if (DS_AUTH_CODES.has(response.code)) {
      return new DingshangError('unauthorised', `dingshang ${name}: code ${response.code} ${vendorMessage} (check appId, appSecret, appKey, signValueMode)`, full);
    }
    return new DingshangError('refused', `dingshang ${name}: code ${response.code} ${vendorMessage}`, full);
  }

  /** Throws DingshangError('invalid-request') when the parameters break the documented request shape. */
  #build<N extends EndpointName>(name: N, input: CallInput<N>): BuiltRequest {
    try {
      return buildRequest(name, input, this.#creds, { signValues: this.#options.signValueMode });
    } catch (err) {
      // Issues name paths and rules, never values: a code text or the notify token must not reach a log.
      const why = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') : err instanceof Error ? err.name : 'error';
      throw new DingshangError('invalid-request', `dingshang ${name}: parameters break the documented request: ${snippet(why)}`, { endpoint: name }, { cause: err });
    }
  }
}

/**
 * §4.4 paging: the last page is `current_page ≥ last_page`; when `last_page`
 * was left out (protobuf zero) a page shorter than `per_page` (or empty) is.
 */
export function isLastProductPage(result: ResponseOf<'productList'>, page: number, requestedPerPage: number | undefined): boolean {
  if (result.data.length === 0) return true;
  if (result.last_page > 0) return Math.max(result.current_page, page) >= result.last_page;
  const perPage = result.per_page > 0 ? result.per_page : (requestedPerPage ?? 10); // §4.4: per_page default "10"
  return result.data.length < perPage;
}

function baseWithSlash(base: URL): URL {
  // `{url}` may carry a path prefix (a relay): keep it, and append /api/openapi/v1/... below it.
  const url = new URL(base);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** The payload and the sign of a signed request: both must stay out of messages. */
function signedValuesOf(request: BuiltRequest): string[] {
  if (request.body === null) return [];
  const body = parseJson(request.body);
  const payload = typeof body === 'object' && body !== null && 'payload' in body && typeof body.payload === 'string' ? body.payload : null;
  if (payload === null) return [];
  const sign = decodePayload(payload)?.sign;
  return typeof sign === 'string' ? [payload, sign] : [payload];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A refusal's `data` kept for the caller (10025 `order_id`), only when it is a small object of scalars. */
function scalarData(data: unknown, redact: (text: string) => string): DingshangErrorMeta['vendorData'] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(data).slice(0, 16)) {
    if (typeof v === 'string') out[k] = snippet(redact(v));
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function sendFailure(name: string, err: unknown, signal: AbortSignal | undefined): DingshangError {
  if (signal?.aborted === true) return new DingshangError('network', `dingshang ${name}: stopped by the caller`, { endpoint: name }, { cause: err });
  const outcome = classifyError(err);
  const reason = outcome.kind === 'delivered' ? 'unknown failure' : outcome.reason; // classifyError always says retry
  return new DingshangError(reason.startsWith('timeout') ? 'timeout' : 'network', `dingshang ${name}: ${reason}`, { endpoint: name }, { cause: err });
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_VENDOR_TEXT ? `${line.slice(0, MAX_VENDOR_TEXT)}…` : line;
}

/** A server (or a proxy) may echo the request: keep secrets, the sign and the payload out. Runs before any cut. */
function redactor(secrets: readonly string[]): (text: string) => string {
  return (text) => redactSecrets(text, secrets);
}

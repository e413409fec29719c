/**
 * The Dingshang Open API, vendor side (docs/vendors/dingshang.md §1–§10), for the contract
 * tests, the benches and the demo. Requests are read with the same wire
 * functions the client uses (`matchEndpoint`, `readSignedBody`, the request
 * schemas), and every signed call is checked with the AppKey.
 *
 * Answers follow the spec's examples: success `{code:0, message:"ok", data}`;
 * missing headers HTTP 401 + 10008 (§1); wrong Appid 10014 (§4.1), wrong
 * AppSecret 10013 (§9 original table); bad sign 4006 "sorry, payload sign
 * invalid" (§2.3, §9); params that break the documented shape 4003 (§9);
 * unknown machine 30003; unknown record 80002; code used 10025 with
 * `data.order_id` (§6.5); unknown delivery `{"code":404}` (§7.2). Fields with
 * zero values are left out of `data`, as protobuf does (§1).
 *
 * Control actions (POST /_mock/dingshang/<action>): `create-codes`,
 * `add-product`, `cancel-code`, `use-code`, `send-delivery-callback`, `reset`.
 */
import { codeExternalId, computeSign, DEFAULT_UTC_OFFSET_MINUTES, DS_ERROR, type EndpointName, ENDPOINTS, formatDsDateTime, jsonObject, matchEndpoint, OPEN_API_BASE_PATH, parseDsDateTime, readSignedBody, type SignValueMode, toSignParams } from '../../src/cloud/index.js';
import { DingshangMockState, type MockCode, type MockProduct } from './dingshang-state.js';
import type { VendorFactory } from './server.js';
import type { MockRequest, MockResponse, MockVendor, MockVendorContext } from './types.js';

export interface DingshangMockOptions {
  /** 商户Key: every signed call is checked with it (§2). */
  appKey: string;
  /** The one machine this mock holds (§1: 8 digits). */
  machineNo: string;
  /** §2.3; default `raw`. */
  signValueMode?: SignValueMode;
  /** Where `send-delivery-callback` posts when the action names no `url` (else the order's `notify_url`). */
  callbackUrl?: string;
  /** When set, the `Appid` header must equal it (else 10014). Any non-empty value otherwise. */
  appId?: string;
  /** When set, the `AppSecret` header must equal it (else 10013). */
  appSecret?: string;
  /** `section-2`: sign callbacks with the §2 algorithm. Default `none`, like the §10 example. */
  callbackSignature?: 'none' | 'section-2';
  /** The mock's clock minus the real one, in ms: moves the `Date` header and the timestamp check. Default 0. */
  clockSkewMs?: number;
  /** Refuse (4003) a `timestamp` further than this from the mock's clock. Default null: the tolerance is UNKNOWN (§12 item 3). */
  maxSkewSeconds?: number | null;
  /** §4.2/§4.3 `is_online`. Default true. */
  online?: boolean;
  /**
   * Codes per auto-created product in `create-codes` without `productId`
   * (and those products' capacity, §6.1: count ≤ capacity). Default 1000, so
   * 100,000 codes are 100 products: one §6.3 call each.
   */
  codesPerProduct?: number;
}

type Answer = { ok: unknown } | { fail: number; message: string; data?: unknown; status?: number };

const ok = (data: unknown): Answer => ({ ok: data });
const fail = (code: number, message: string, data?: unknown): Answer => ({ fail: code, message, ...(data === undefined ? {} : { data }) });
const NOT_FOUND_RECORD = (): Answer => fail(DS_ERROR.RECORD_NOT_FOUND, '查不到对应记录');

export function dingshangMock(options: DingshangMockOptions): VendorFactory {
  return (ctx) => new DingshangMock(options, ctx);
}

class DingshangMock implements MockVendor {
  readonly name = 'dingshang';
  readonly #o: Required<Omit<DingshangMockOptions, 'callbackUrl' | 'appId' | 'appSecret'>> & Pick<DingshangMockOptions, 'callbackUrl' | 'appId' | 'appSecret'>;
  readonly #ctx: MockVendorContext;
  #state: DingshangMockState;

  constructor(options: DingshangMockOptions, ctx: MockVendorContext) {
    this.#o = {
      signValueMode: 'raw',
      callbackSignature: 'none',
      clockSkewMs: 0,
      maxSkewSeconds: null,
      online: true,
      codesPerProduct: 1000,
      ...options,
    };
    this.#ctx = ctx;
    this.#state = new DingshangMockState(options.codesPerProduct ?? 1000);
  }

  #now(): number {
    return this.#ctx.now() + this.#o.clockSkewMs;
  }

  #text(epochMs: number): string {
    return formatDsDateTime(epochMs, DEFAULT_UTC_OFFSET_MINUTES);
  }

  handle(req: MockRequest): MockResponse {
    return this.#reply(this.#answer(req));
  }

  #reply(answer: Answer): MockResponse {
    const headers = { 'content-type': 'application/json', date: new Date(this.#now()).toUTCString() };
    if ('ok' in answer) return { status: 200, headers, body: JSON.stringify({ code: 0, message: 'ok', data: answer.ok }) };
    const body = { code: answer.fail, message: answer.message, data: answer.data ?? {} };
    return { status: answer.status ?? 200, headers, body: JSON.stringify(body) };
  }

  #answer(req: MockRequest): Answer {
    const appId = header(req, 'appid');
    const appSecret = header(req, 'appsecret');
    // §1: missing headers are the one documented HTTP status.
    if (appId === '' || appSecret === '') return { fail: DS_ERROR.APPID_OR_SECRET_EMPTY, message: 'appid or appsecret is empty', status: 401 };
    if (this.#o.appId !== undefined && appId !== this.#o.appId) return fail(DS_ERROR.APPID_INVALID, 'appid is invalid');
    if (this.#o.appSecret !== undefined && appSecret !== this.#o.appSecret) return fail(DS_ERROR.APP_SECRET_INVALID_V1, 'app secret is invalid');
    if (!req.path.startsWith(`${OPEN_API_BASE_PATH}/`)) return { fail: DS_ERROR.NOT_FOUND, message: 'Not Found', status: 404 };
    const path = req.path.slice(OPEN_API_BASE_PATH.length);

    let params: Record<string, unknown> | null = null;
    if (req.rawBody.length > 0) {
      if (req.method === 'POST' && path === '/orders') {
        params = jsonObject(req.rawBody.toString('utf8')); // §5.1: plain JSON, not signed
        if (params === null) return fail(DS_ERROR.INVALID_PARAMS, 'sorry, invalid params');
      } else {
        const read = readSignedBody(req.rawBody.toString('utf8'), this.#o.appKey, this.#o.signValueMode);
        if (!read.ok) return read.reason === 'bad-sign' ? fail(DS_ERROR.PAYLOAD_SIGN_INVALID, 'sorry, payload sign invalid') : fail(DS_ERROR.INVALID_PARAMS, 'sorry, invalid params');
        const { sign: _sign, ...rest } = read.params;
        params = rest;
      }
    }
    const route = matchEndpoint(req.method, path, typeof params?.method === 'string' ? params.method : null);
    if (route === null) return { fail: DS_ERROR.NOT_FOUND, message: 'Not Found', status: 404 };
    const def = ENDPOINTS[route.name];
    let parsed: Record<string, unknown> = {};
    if (def.request !== null) {
      const checked = def.request.safeParse(params ?? undefined);
      if (!checked.success) return fail(DS_ERROR.INVALID_PARAMS, 'sorry, invalid params');
      parsed = checked.data as Record<string, unknown>;
      if (parsed.machine_no !== this.#o.machineNo) return fail(DS_ERROR.MACHINE_NOT_FOUND, '设备不存在');
      if (typeof parsed.timestamp === 'string' && this.#o.maxSkewSeconds !== null) {
        if (Math.abs(Number(parsed.timestamp) - this.#now() / 1000) > this.#o.maxSkewSeconds) return fail(DS_ERROR.INVALID_PARAMS, 'sorry, invalid params');
      }
    } else if (params !== null) {
      return fail(DS_ERROR.INVALID_PARAMS, 'sorry, invalid params'); // §1: these calls send no body
    }
    return this.#dispatch(route.name, route.pathParams, parsed);
  }

  #dispatch(name: EndpointName, path: Record<string, string>, p: Record<string, unknown>): Answer {
    const s = this.#state;
    const str = (key: string): string => (typeof p[key] === 'string' ? (p[key] as string) : '');
    switch (name) {
      case 'ping':
        return ok('pong');
      case 'machineList':
        return ok([pb({ machine_name: 'Mock cabinet', machine_no: this.#o.machineNo, is_online: this.#o.online, status: true, created_at: '2024-01-01 00:00:00' })]);
      case 'machineDetail':
        if (path.machine_no !== this.#o.machineNo) return fail(DS_ERROR.MACHINE_NOT_FOUND, '设备不存在');
        return ok(
          pb({
            machine_name: 'Mock cabinet',
            is_online: this.#o.online,
            model: { cabinet_names: s.cabinetNames() },
            machine_type: 6,
            categories: [{ id: 1, title: 'Parcels' }],
            merchant: { title: 'Mock merchant', status: 'VERIFIED' },
          }),
        );
      case 'productList':
        return ok(this.#productPage(p));
      case 'categoryList':
        return ok([pb({ id: 1, title: 'Parcels', sort_id: 0, is_visible: true })]);
      case 'bannerList':
        return ok([]);
      case 'floorList':
        return ok([...s.products()].map((x) => pb({ status: '1', good: { id: x.id, ...goodOf(x) }, channel: { id: x.id, ...channelOf(x) }, current_inventory: x.current, inventory: x.inventory })));
      case 'orderCreate':
        return this.#orderCreate(p);
      case 'orderQuery': {
        const order = s.order(Number(path.order_id));
        return order === undefined ? NOT_FOUND_RECORD() : ok(pb(s.orderView(order, 'query')));
      }
      case 'orderUpdate': {
        const order = s.order(Number(path.order_id));
        if (order === undefined) return NOT_FOUND_RECORD();
        return s.updateOrder(order, str('status')) ? ok('') : fail(DS_ERROR.ORDER_STATUS_INVALID, '订单状态无效');
      }
      case 'pickupCodeCreateOne': {
        const product = s.product(Number(p.product_id));
        if (product === undefined) return fail(DS_ERROR.PRODUCT_NOT_FOUND, 'sorry, product not found');
        const expiry = this.#expiry(str('expired_at'));
        if (expiry === undefined) return fail(DS_ERROR.EXPIRED_AT_INVALID, 'sorry, pickup code expired_at invalid');
        s.createCodes(product, Number(str('count') || '1'), Number(str('code_length') || '6'), expiry, this.#now());
        return ok({});
      }
      case 'pickupCodeCreateAll': {
        const expiry = this.#expiry(str('expired_at'));
        if (expiry === undefined) return fail(DS_ERROR.EXPIRED_AT_INVALID, 'sorry, pickup code expired_at invalid');
        // §6.2: one code per item by default.
        for (const product of s.products()) if (product.current > 0) s.createCodes(product, product.current, Number(str('code_length') || '6'), expiry, this.#now());
        return ok({});
      }
      case 'pickupCodeQuery': {
        const now = this.#now();
        // §6.3: unused and unexpired codes only; an unknown product has none (inference: no error is documented).
        return ok(s.unusedCodes(Number(path.product_id), now).map((c) => this.#codeView(c)));
      }
      case 'pickupCodeCancelOne':
        return s.cancelCode(Number(p.id)) ? ok({}) : NOT_FOUND_RECORD();
      case 'pickupCodeCancelAll':
        s.cancelAllCodes();
        return ok({});
      case 'consume':
        return this.#consume(p);
      case 'deliveryPut': {
        const order = s.order(Number(p.order_id));
        if (order === undefined) return NOT_FOUND_RECORD();
        // §7.1: only paid or pickup-code orders; the documented refusal comes with code 0.
        if (order.status !== 'SUCCESS' && order.status !== 'PICKUPCODE') return fail(0, '订单未支付');
        const delivery = s.deliver(order, Number(p.record_id), this.#text(this.#now()));
        return delivery === undefined ? NOT_FOUND_RECORD() : ok(pb({ delivery_id: delivery.id, delivered_at: delivery.deliveredAt, status: '未取货或正在出货' }));
      }
      case 'deliveryResult': {
        const delivery = s.delivery(path.delivery_id ?? '');
        if (delivery === undefined) return fail(DS_ERROR.NOT_FOUND, 'Not Found');
        return ok(pb({ delivered_at: delivery.deliveredAt, status: '出货完成', pickup_at: delivery.deliveredAt }));
      }
      case 'deliveryDebug': {
        const product = s.productByLane(str('channel_name'));
        if (product === undefined) return NOT_FOUND_RECORD();
        if (product.current <= 0) return fail(DS_ERROR.INSUFFICIENT_STOCK, '商品库存不足');
        const delivery = s.debugDelivery(this.#text(this.#now()));
        return ok(pb({ delivery_id: delivery.id, delivered_at: delivery.deliveredAt, status: '未取货或正在出货' }));
      }
      default:
        return NOT_FOUND_RECORD();
    }
  }

  /** §4.4: `cabinet_name` (default A) or `addr`, `category_id` ("0" all), `page`/`per_page` (default 10). */
  #productPage(p: Record<string, unknown>): unknown {
    const perPage = Number(p.per_page ?? '10');
    const page = Number(p.page ?? '1');
    const category = Number(p.category_id ?? '0');
    const addr = p.addr === undefined ? null : Number(p.addr);
    const cabinet = typeof p.cabinet_name === 'string' ? p.cabinet_name : 'A';
    const all = [...this.#state.products()].filter(
      (x) => (addr === null ? x.cabinet === cabinet : x.addr === addr) && (category === 0 || x.categoryId === category),
    );
    if (all.length === 0) return []; // §4.4: an empty result is `data: []`
    const items = all.slice((page - 1) * perPage, page * perPage);
    return pb({
      data: items.map((x) => pb({ id: x.id, current_inventory: x.current, inventory: x.inventory, category: { id: x.categoryId, title: 'Parcels' }, good: goodOf(x), channel: channelOf(x) })),
      total: all.length,
      current_page: page,
      last_page: Math.ceil(all.length / perPage),
      per_page: perPage,
    });
  }

  #orderCreate(p: Record<string, unknown>): Answer {
    const s = this.#state;
    const tradeId = String(p.trade_id);
    if (s.hasTradeId(tradeId)) return fail(DS_ERROR.TRADE_ID_EXISTS, 'sorry, trade id exists');
    const lines = p.products as Array<{ product_id: number; quantity: number }>;
    for (const line of lines) {
      const product = s.product(line.product_id);
      if (product === undefined) return fail(DS_ERROR.PRODUCT_NOT_FOUND, 'sorry, product not found');
      if (product.current < line.quantity) return fail(DS_ERROR.INSUFFICIENT_STOCK, '商品库存不足');
    }
    const order = s.createOrder({ tradeId, notifyUrl: String(p.notify_url), lines, status: 'NOTPAY', date: this.#text(this.#now()).slice(0, 10), pickupCodeId: 0 });
    return ok(pb({ order_id: order.orderId }));
  }

  /** §6.5; the ledger records each consume once by `trade_id`, and counts our own repeats (same trade_id) as duplicates. */
  #consume(p: Record<string, unknown>): Answer {
    const s = this.#state;
    const tradeId = String(p.trade_id);
    const code = s.codeByText(String(p.code));
    if (code === undefined || code.productId !== Number(p.product_id) || code.status === 'CANCELLED') return NOT_FOUND_RECORD();
    if (code.status === 'USED') {
      const order = code.orderId === null ? undefined : s.order(code.orderId);
      if (order !== undefined && order.tradeId === tradeId) this.#record(tradeId, p, order.orderId);
      return fail(DS_ERROR.PICKUP_CODE_USED, '取货码已使用', { order_id: code.orderId ?? 0 });
    }
    if (code.expiresAt !== null && code.expiresAt <= this.#now()) return fail(DS_ERROR.PICKUP_CODE_EXPIRED, 'sorry, pickup code expired');
    if (s.hasTradeId(tradeId)) return fail(DS_ERROR.TRADE_ID_EXISTS, 'sorry, trade id exists');
    const order = s.useCode(code, { tradeId, notifyUrl: String(p.notify_url), date: this.#text(this.#now()).slice(0, 10) });
    this.#record(tradeId, p, order.orderId);
    return ok(pb(s.orderView(order, 'consume')));
  }

  #record(tradeId: string, p: Record<string, unknown>, orderId: number): void {
    this.#ctx.ledger.apply({
      vendor: this.name,
      key: tradeId,
      stream: null, // §6.5 carries no parcel or order reference of ours
      kind: 'consume',
      body: { trade_id: tradeId, product_id: p.product_id, order_id: orderId },
      at: this.#ctx.now(),
    });
  }

  /** §6.1 `expired_at` (GMT+8 wall clock, empty = never) → epoch ms; undefined when it is not a real date. */
  #expiry(text: string): number | null | undefined {
    if (text === '') return null;
    return parseDsDateTime(text, DEFAULT_UTC_OFFSET_MINUTES) ?? undefined;
  }

  /** §6.3 item, built once per code: a 100,000-code pull lists each code once more per pull. */
  #codeView(c: MockCode): Record<string, unknown> {
    c.view ??= pb({ id: c.id, code: c.code, status: 'UNUSED', created_at: this.#text(c.createdAt), expired_at: c.expiresAt === null ? '' : this.#text(c.expiresAt), quantity: 1 });
    return c.view;
  }

  // ------------------------------------------------------------ control API

  async control(action: string, body: unknown): Promise<unknown> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const s = this.#state;
    switch (action) {
      case 'create-codes': {
        const count = positiveInt(b.count ?? 1, 'count');
        const codeLength = positiveInt(b.codeLength ?? 6, 'codeLength');
        const expiresAt = b.expiresAt === undefined || b.expiresAt === null ? null : positiveInt(b.expiresAt, 'expiresAt');
        const productId = b.productId === undefined ? null : positiveInt(b.productId, 'productId');
        const created = s.createCodesFor(productId, count, codeLength, expiresAt, this.#now());
        return { codes: created.map((c) => ({ productId: c.productId, recordId: c.id, code: c.code, externalId: codeExternalId(c.productId, c.id) })) };
      }
      case 'add-product': {
        const product = s.addProduct({
          ...(b.id === undefined ? {} : { id: positiveInt(b.id, 'id') }),
          ...(typeof b.cabinet === 'string' ? { cabinet: b.cabinet } : {}),
          ...(b.inventory === undefined ? {} : { inventory: positiveInt(b.inventory, 'inventory') }),
        });
        return { productId: product.id, lane: product.lane };
      }
      case 'cancel-code':
        return { cancelled: s.cancelCode(positiveInt(b.recordId, 'recordId')) };
      case 'use-code': {
        // Someone else consumes a code upstream (another channel), for the reconcile path.
        const code = s.codeById(positiveInt(b.recordId, 'recordId'));
        if (code === undefined || code.status !== 'UNUSED') throw new RangeError('use-code: no unused code with that recordId');
        const order = s.useCode(code, { tradeId: typeof b.tradeId === 'string' ? b.tradeId : `other-${code.id}`, notifyUrl: '', date: this.#text(this.#now()).slice(0, 10) });
        return { orderId: order.orderId };
      }
      case 'send-delivery-callback':
        return this.#sendCallback(b);
      case 'reset':
        this.#state = new DingshangMockState(this.#o.codesPerProduct);
        return { reset: true };
      default:
        throw new RangeError(`dingshang mock: unknown action ${action}`);
    }
  }

  /** §10: POST the `device.delivery.response` body to `url`, the `callbackUrl` option, or the order's `notify_url`. */
  async #sendCallback(b: Record<string, unknown>): Promise<unknown> {
    const order = this.#state.order(positiveInt(b.orderId, 'orderId'));
    if (order === undefined) throw new RangeError('send-delivery-callback: unknown orderId');
    const url = typeof b.url === 'string' ? b.url : (this.#o.callbackUrl ?? order.notifyUrl);
    if (url === '') throw new RangeError('send-delivery-callback: no url (no callbackUrl option and no notify_url on the order)');
    const deliverStatus = b.deliverStatus === '0' ? '0' : '1';
    const callback: Record<string, string | number> = {
      deliver_status: deliverStatus,
      error_msg: typeof b.errorMsg === 'string' ? b.errorMsg : deliverStatus === '1' ? '' : 'Slave Comm Error',
      floor_status: typeof b.floorStatus === 'string' ? b.floorStatus : deliverStatus === '1' ? '1' : '3',
      method: 'device.delivery.response',
      order_id: order.orderId,
      record_id: b.recordId === undefined ? (order.records[0]?.id ?? 0) : positiveInt(b.recordId, 'recordId'),
    };
    if (this.#o.callbackSignature === 'section-2') {
      const params = toSignParams(callback);
      if (params !== null) callback.sign = computeSign(params, this.#o.appKey, this.#o.signValueMode);
    }
    // UNVERIFIED: docs/vendors/dingshang.md §10 (Content-Type of the callback; the example body is JSON)
    const answer = await this.#ctx.sendCallback({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(callback) });
    return { status: answer.status, text: answer.text, body: callback };
  }

  snapshot(): unknown {
    return this.#state.summary();
  }
}

/** §4.4 `good` of a mock product. */
function goodOf(x: MockProduct): Record<string, unknown> {
  return { name: `Item ${x.id}`, price: x.price, original_price: '0.00', good_no: String(x.id), slug: `item-${x.id}` };
}

/** §4.4 `channel` of a mock product. */
function channelOf(x: MockProduct): Record<string, unknown> {
  return { name: x.lane, cabinet_name: x.cabinet, code: x.motorCode, x: String(x.row), y: String(x.column), addr: x.addr };
}

/** §1: protobuf leaves out empty, 0 and false fields (objects only; arrays keep their items). */
export function pb<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => (typeof v === 'object' && v !== null ? pb(v) : v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === '' || v === 0 || v === false || v === null || v === undefined) continue;
    out[k] = typeof v === 'object' ? pb(v) : v;
  }
  return out as T;
}

function header(req: MockRequest, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function positiveInt(v: unknown, what: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer`);
  return n;
}

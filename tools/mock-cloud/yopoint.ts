/**
 * The Yopoint operator-platform side (docs/vendors/yopoint.md), for the tests and the
 * demo: the gateway `POST /yopoint/api/gateway/index` (§1) checks appid and
 * the §2.1 signature, holds cabinets and orders, and answers `cabinet.list`
 * (§4.2), `cabinet.order.list` (§4.7, paged), `cabinet.order.get` (§4.8) and
 * `cabinet.open.door` (§4.4, recorded in the ledger). Control action
 * `send-notify` posts a §5 webhook, signed per §2.2, to `notifyUrl`.
 *
 * What the docs do not say, the mock chooses, and says so here:
 *  - error_msg values (`ERR_SIGN`, `ERR_APPID`, `ERR_PARAMS`, `ERR_TIMESTAMP`,
 *    `ERR_METHOD`, `ERR_ORDER_NOT_EXIST`) and the non-zero code 1 for
 *    failures that are not the signature: the docs give only -1 = signature
 *    error (§4.2) and "non-zero = failure" (§1.2);
 *  - a timestamp window (`maxSkewMs`, default 5 minutes; Yopoint's is UNKNOWN, §2.4);
 *  - HTTP 200 on every gateway answer, the outcome in the envelope;
 *  - `cabinet.order.list` filters on `PayTime` (which time the window applies
 *    to is not stated, §4.7) and sorts by it;
 *  - `cabinet.open.door` answers `data: null` (§4.4 UNKNOWN) and its ledger
 *    key is the request's `sign`: no idempotency key is documented, so only a
 *    byte-identical repeat counts as a duplicate.
 */
import { z } from 'zod';
import { cabinetListBizSchema, cabinetOpenDoorBizSchema, cabinetOrderGetBizSchema, cabinetOrderListBizSchema, decodeYopointForm, isYopointNotifyMethod, YOPOINT_NOTIFY_METHODS, YOPOINT_SIGN_TYPE, type YopointNotifyMethod, type YopointOrder, yopointOrderSchema, yopointRequestParamsSchema, yopointSign, yopointSignMatches, yopointTimestampToMs } from '../../src/cloud/index.js';
import { buildYopointNotification, type YopointNotifyBizInput } from './yopoint-notify.js';
import type { VendorFactory } from './server.js';
import type { MockRequest, MockResponse, MockVendorContext } from './types.js';

export const YOPOINT_MOCK_NAME = 'yopoint';
/** §1: the one gateway URL's path, below the mock's `/yopoint` prefix. */
export const YOPOINT_MOCK_GATEWAY_PATH = '/api/gateway/index';

export interface YopointMockOptions {
  appid: string;
  appSecret: string;
  /** How the mock reads request timestamps and writes notification timestamps. Default `s` (§2.4). */
  timestampUnit?: 's' | 'ms';
  /** Default `include` (§2.1). */
  emptyValues?: 'include' | 'omit';
  /** The agent's callback URL for `send-notify`. */
  notifyUrl?: string;
  /** Largest accepted |mock now − request timestamp| in ms; null = no check. Default 300 000 (the mock's choice). */
  maxSkewMs?: number | null;
  /** `data` of `cabinet.order.list`: `array` as in the GitBook example (default) or the §1.2 paging block (inference). */
  orderListShape?: 'array' | 'paged';
  /** Cabinets per `cabinet.list` page when the caller sends no `PageSize`. Default 10 (the mock's choice). */
  cabinetPageSize?: number;
}

/** The mock's error answers (see the file comment: the messages are the mock's). */
const SIGN_ERROR = -1;
const FAILURE = 1;

const MAX_CALLS_KEPT = 100;
const MAX_DUPLICATES = 100;

const addOrdersSchema = z.union([z.object({ orders: z.array(yopointOrderSchema) }), yopointOrderSchema.transform((o) => ({ orders: [o] }))]);
const cabinetSchema = z.record(z.string(), z.unknown());
const addCabinetsSchema = z.union([z.object({ cabinets: z.array(cabinetSchema) }), cabinetSchema.transform((c) => ({ cabinets: [c] }))]);
const sendNotifySchema = z.object({
  method: z.string().refine(isYopointNotifyMethod, `one of ${YOPOINT_NOTIFY_METHODS.join(', ')}`),
  biz: z.unknown(),
  /** Send the same notification this many more times (a redelivery, §5: `RequestID` "for dedupe"). */
  duplicate: z.number().int().min(0).max(MAX_DUPLICATES).default(0),
});

interface CallRecord {
  method: string;
  timestamp: string;
  at: number;
  /** `error_msg` of the answer. */
  answer: string;
}

export interface NotifyAnswer {
  status: number | null;
  /** The agent's reply, parsed when JSON. */
  body: unknown;
  error?: string;
}

export function yopointMock(options: YopointMockOptions): VendorFactory {
  return (ctx) => new YopointMockVendor(options, ctx);
}

class YopointMockVendor {
  readonly name = YOPOINT_MOCK_NAME;
  readonly #o: Required<Omit<YopointMockOptions, 'notifyUrl'>> & { notifyUrl: string | undefined };
  readonly #ctx: MockVendorContext;
  #cabinets: Record<string, unknown>[] = [];
  readonly #orders = new Map<string, YopointOrder>();
  #calls: CallRecord[] = [];
  #openDoorCalls = 0;
  #notificationsSent = 0;

  constructor(options: YopointMockOptions, ctx: MockVendorContext) {
    this.#o = {
      appid: options.appid,
      appSecret: options.appSecret,
      timestampUnit: options.timestampUnit ?? 's',
      emptyValues: options.emptyValues ?? 'include',
      notifyUrl: options.notifyUrl,
      maxSkewMs: options.maxSkewMs === undefined ? 300_000 : options.maxSkewMs,
      orderListShape: options.orderListShape ?? 'array',
      cabinetPageSize: options.cabinetPageSize ?? 10,
    };
    this.#ctx = ctx;
  }

  handle(request: MockRequest): MockResponse {
    if (request.path !== YOPOINT_MOCK_GATEWAY_PATH) return { status: 404, body: 'not found' };
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' }, body: 'method not allowed' };
    const form = decodeYopointForm(request.rawBody.toString('utf8'));
    if (form === null) return this.#answer(FAILURE, 'ERR_PARAMS');
    const answer = this.#gateway(form, request.receivedAt);
    this.#calls.push({ method: form.method ?? '', timestamp: form.timestamp ?? '', at: request.receivedAt, answer: answerMsg(answer) });
    if (this.#calls.length > MAX_CALLS_KEPT) this.#calls = this.#calls.slice(-MAX_CALLS_KEPT);
    return answer;
  }

  #gateway(form: Record<string, string>, at: number): MockResponse {
    if (form.appid !== this.#o.appid) return this.#answer(SIGN_ERROR, 'ERR_APPID');
    if (form.sign === undefined || form.sign_type?.toLowerCase() !== YOPOINT_SIGN_TYPE) return this.#answer(SIGN_ERROR, 'ERR_SIGN');
    // §2.1 step 1: the server signs every parameter it received except `sign`.
    const expected = yopointSign(form, this.#o.appSecret, { emptyValues: this.#o.emptyValues });
    if (!yopointSignMatches(form.sign, expected)) return this.#answer(SIGN_ERROR, 'ERR_SIGN');
    const params = yopointRequestParamsSchema.safeParse(form);
    if (!params.success) return this.#answer(FAILURE, 'ERR_PARAMS');
    const sentAt = yopointTimestampToMs(params.data.timestamp, this.#o.timestampUnit);
    if (sentAt === null || (this.#o.maxSkewMs !== null && Math.abs(this.#ctx.now() - sentAt) > this.#o.maxSkewMs)) return this.#answer(FAILURE, 'ERR_TIMESTAMP');
    let biz: unknown;
    try {
      biz = JSON.parse(params.data.biz_content);
    } catch {
      return this.#answer(FAILURE, 'ERR_PARAMS');
    }
    switch (params.data.method) {
      case 'cabinet.list':
        return this.#cabinetList(biz);
      case 'cabinet.order.list':
        return this.#orderList(biz);
      case 'cabinet.order.get':
        return this.#orderGet(biz);
      case 'cabinet.open.door':
        return this.#openDoor(biz, params.data.sign, at);
      default:
        return this.#answer(FAILURE, 'ERR_METHOD');
    }
  }

  #cabinetList(raw: unknown): MockResponse {
    const biz = cabinetListBizSchema.safeParse(raw);
    if (!biz.success) return this.#answer(FAILURE, 'ERR_PARAMS');
    return this.#ok(pagingBlock(this.#cabinets, biz.data.Page ?? 1, biz.data.PageSize ?? this.#o.cabinetPageSize));
  }

  #orderList(raw: unknown): MockResponse {
    const parsed = cabinetOrderListBizSchema.safeParse(raw);
    if (!parsed.success) return this.#answer(FAILURE, 'ERR_PARAMS');
    const b = parsed.data;
    const [start, end] = 'StartTime' in b ? [b.StartTime, b.EndTime] : [b.startTime, b.endTime];
    const inWindow = [...this.#orders.values()]
      .filter((o) => o.PayTime !== undefined && o.PayTime >= start && o.PayTime <= end)
      .sort((x, y) => (x.PayTime ?? 0) - (y.PayTime ?? 0) || (x.ReceiptNo < y.ReceiptNo ? -1 : x.ReceiptNo > y.ReceiptNo ? 1 : 0));
    const block = pagingBlock(inWindow, b.page, b.pageSize);
    return this.#ok(this.#o.orderListShape === 'array' ? block.data : block);
  }

  #orderGet(raw: unknown): MockResponse {
    const biz = cabinetOrderGetBizSchema.safeParse(raw);
    if (!biz.success) return this.#answer(FAILURE, 'ERR_PARAMS');
    const { ReceiptNo, TradeNo } = biz.data;
    const order = ReceiptNo !== undefined ? this.#orders.get(ReceiptNo) : [...this.#orders.values()].find((o) => o.TradeNo === TradeNo);
    return order === undefined ? this.#answer(FAILURE, 'ERR_ORDER_NOT_EXIST') : this.#ok(order);
  }

  #openDoor(raw: unknown, sign: string, at: number): MockResponse {
    const biz = cabinetOpenDoorBizSchema.safeParse(raw);
    if (!biz.success) return this.#answer(FAILURE, 'ERR_PARAMS');
    this.#openDoorCalls += 1;
    this.#ctx.ledger.apply({ vendor: this.name, key: sign.toLowerCase(), stream: null, kind: 'cabinet.open.door', body: biz.data, at });
    return this.#ok(null);
  }

  #ok(data: unknown): MockResponse {
    return this.#envelope({ error_code: 0, error_msg: 'SUCCESS', sub_error_code: null, sub_error_msg: null, data });
  }

  #answer(code: number, msg: string): MockResponse {
    return this.#envelope({ error_code: code, error_msg: msg, sub_error_code: null, sub_error_msg: null, data: null });
  }

  /** The mock's clock goes out as `Date`, so a test can give it an offset and watch the client measure it. */
  #envelope(body: Record<string, unknown>): MockResponse {
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', date: new Date(this.#ctx.now()).toUTCString() }, body: JSON.stringify(body) };
  }

  /** Throws RangeError for an unknown action or a body that does not fit it. */
  async control(action: string, body: unknown): Promise<unknown> {
    switch (action) {
      case 'add-order': {
        const { orders } = parseControl(addOrdersSchema, body, action);
        for (const order of orders) this.#orders.set(order.ReceiptNo, order);
        return { orders: this.#orders.size };
      }
      case 'add-cabinet': {
        const { cabinets } = parseControl(addCabinetsSchema, body, action);
        this.#cabinets.push(...cabinets);
        return { cabinets: this.#cabinets.length };
      }
      case 'reset':
        this.#cabinets = [];
        this.#orders.clear();
        this.#calls = [];
        this.#openDoorCalls = 0;
        this.#notificationsSent = 0;
        return { reset: true };
      case 'send-notify':
        return this.#sendNotify(parseControl(sendNotifySchema, body, action));
      default:
        throw new RangeError(`yopoint mock: unknown action ${action} (add-order, add-cabinet, reset, send-notify)`);
    }
  }

  async #sendNotify(req: z.output<typeof sendNotifySchema>): Promise<{ form: Record<string, string>; answers: NotifyAnswer[] }> {
    const url = this.#o.notifyUrl;
    if (url === undefined) throw new RangeError('yopoint mock: send-notify needs notifyUrl in the mock options');
    let notification: ReturnType<typeof buildYopointNotification>;
    try {
      // sendNotifySchema checked the method; buildYopointNotification checks biz against it.
      const method = req.method as YopointNotifyMethod;
      notification = buildYopointNotification(this.#o, method, req.biz as YopointNotifyBizInput<typeof method>, this.#ctx.now());
    } catch (err) {
      throw new RangeError(`yopoint mock: send-notify biz does not fit ${req.method}: ${err instanceof z.ZodError ? z.prettifyError(err) : String(err)}`);
    }
    const answers: NotifyAnswer[] = [];
    for (let i = 0; i <= req.duplicate; i++) {
      this.#notificationsSent += 1;
      try {
        const reply = await this.#ctx.sendCallback({ url, method: 'POST', headers: { 'content-type': notification.contentType }, body: notification.body });
        answers.push({ status: reply.status, body: jsonOrText(reply.text) });
      } catch (err) {
        answers.push({ status: null, body: null, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { form: notification.params, answers };
  }

  snapshot(): unknown {
    return {
      cabinets: this.#cabinets.length,
      orders: [...this.#orders.keys()],
      openDoorCalls: this.#openDoorCalls,
      notificationsSent: this.#notificationsSent,
      calls: this.#calls,
    };
  }
}

/** §1.2 paging block (`{total, per_page, current_page, last_page, from, to, data}`), 1-based `from` / `to`, null when the page is empty. */
function pagingBlock<T>(items: readonly T[], page: number, perPage: number) {
  const start = (page - 1) * perPage;
  const data = items.slice(start, start + perPage);
  return {
    total: items.length,
    per_page: perPage,
    current_page: page,
    last_page: Math.max(1, Math.ceil(items.length / perPage)),
    from: data.length === 0 ? null : start + 1,
    to: data.length === 0 ? null : start + data.length,
    data,
  };
}

function parseControl<T extends z.ZodType>(schema: T, body: unknown, action: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new RangeError(`yopoint mock ${action}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function answerMsg(response: MockResponse): string {
  try {
    const body = JSON.parse(response.body) as { error_msg?: unknown };
    return typeof body.error_msg === 'string' ? body.error_msg : '';
  } catch {
    return '';
  }
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

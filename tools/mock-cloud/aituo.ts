/**
 * Aituo, both sides the agent talks to (docs/vendors/aituo.md):
 *
 *   POST /aituo/smartlocker/api/v2/clientApiTest   the merchant push receiver (§3.3 shows this URL as
 *                                                   Aituo's test receiver): 1001/1002/1003 bodies
 *   POST /aituo/smartlocker/api/v2[/<path>]         the 3.1 calls (§2), dispatched on the body's `oType`,
 *                                                   else on the last path segment: 1009, 1018, 1019
 *
 * What the spec does not document, the mock decides, and says so here: the
 * push reply is an empty 200 (§3.1: format UNKNOWN); 3.1 answers are the
 * mock's own (§1: response envelope UNKNOWN): 1009 an empty 200, 1018/1019 a
 * JSON array of the orders added by control (or `{ [listKey]: [...] }`);
 * authentication is a set of required headers (§1, §3.1: UNKNOWN).
 *
 * Control: `add-waiting-order` `{ list?: 'pickup'|'dropoff', order: {…} }`,
 * `remove-waiting-order` `{ list?, match: {…} }`, `reset`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AITUO_GET_WAIT_DROPOFF_ORDER, AITUO_GET_WAIT_PICKUP_ORDER, AITUO_OPEN_BOX, aituoPushBodySchema } from '../../src/cloud/index.js';
import type { VendorFactory } from './server.js';
import type { MockRequest, MockResponse, MockVendor, MockVendorContext } from './types.js';

export const AITUO_MOCK_PUSH_PATH = '/smartlocker/api/v2/clientApiTest';
export const AITUO_MOCK_API_PREFIX = '/smartlocker/api/v2';

export interface AituoMockOptions {
  /**
   * The ledger's idempotency key. `tid` (default) matches the agent's
   * `tid: 'event-id'`, where `tid` carries our event id. `body-hash` (SHA-256
   * of the raw body) is for `tid: 'device-no'`, where the documented body has
   * no place left for the id and only a byte-identical redelivery is recognisable.
   */
  key?: 'tid' | 'body-hash';
  /** Headers every push must carry (the merchant's own auth: §3.1 documents none). Default none. */
  pushHeaders?: Record<string, string>;
  /** Headers every 3.1 call must carry (§1 "Auth" UNKNOWN). Default none. */
  apiHeaders?: Record<string, string>;
  /** Wrap 1018/1019 answers as `{ [listKey]: orders }`; default a bare array. */
  listKey?: string;
}

type OrderList = 'pickup' | 'dropoff';
type Order = Record<string, string | number>;

const orderSchema = z.record(z.string(), z.union([z.string(), z.number()]));
const addOrderSchema = z.object({ list: z.enum(['pickup', 'dropoff']).default('pickup'), order: orderSchema });
const removeOrderSchema = z.object({ list: z.enum(['pickup', 'dropoff']).default('pickup'), match: orderSchema });
/** src/cloud/aituo/client.ts `OTypeJsonEnvelope`: a JSON object of strings. */
const callSchema = z.record(z.string(), z.string());

export function aituoMock(options: AituoMockOptions = {}): VendorFactory {
  return (ctx) => new AituoMock(ctx, options);
}

class AituoMock implements MockVendor {
  readonly name = 'aituo';
  readonly #ctx: MockVendorContext;
  readonly #options: AituoMockOptions;
  #orders: Record<OrderList, Order[]> = { pickup: [], dropoff: [] };
  #openings: { deviceNo: string; boxNo: string; at: number }[] = [];
  #counts = { pushes: 0, pushesRefused: 0, calls: 0, callsRefused: 0 };

  constructor(ctx: MockVendorContext, options: AituoMockOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  handle(request: MockRequest): MockResponse {
    if (request.method !== 'POST') return text(405, 'POST only (docs/vendors/aituo.md §2, §3.3)');
    if (request.path === AITUO_MOCK_PUSH_PATH) return this.#push(request);
    if (request.path === AITUO_MOCK_API_PREFIX || request.path.startsWith(`${AITUO_MOCK_API_PREFIX}/`)) return this.#call(request);
    return text(404, `no aituo route ${request.path}`);
  }

  #push(request: MockRequest): MockResponse {
    this.#counts.pushes += 1;
    if (!hasHeaders(request, this.#options.pushHeaders)) return this.#refusePush(401, 'unauthorised');
    const parsed = aituoPushBodySchema.safeParse(parseJson(request.rawBody));
    // §3.3: exactly the seven keys, every value a string.
    if (!parsed.success) return this.#refusePush(400, `not a §3.3 push body: ${z.prettifyError(parsed.error)}`);
    const body = parsed.data;
    const key = this.#options.key === 'body-hash' ? createHash('sha256').update(request.rawBody).digest('hex') : body.tid;
    if (key === '') return this.#refusePush(400, 'tid is empty');
    this.#ctx.ledger.apply({
      vendor: this.name,
      key,
      stream: body.orderCode === '' ? null : body.orderCode,
      kind: `push-${body.oType}`,
      body,
      at: this.#ctx.now(),
      // The pushes carry no time (§3.3); within one order, the dropoff (1001) comes before its pickup or return.
      order: body.oType === '1001' ? 1 : 2,
    });
    // A duplicate is acknowledged like a fresh push, so the sender stops.
    return text(200, '');
  }

  #refusePush(status: number, message: string): MockResponse {
    this.#counts.pushesRefused += 1;
    return text(status, message);
  }

  #call(request: MockRequest): MockResponse {
    this.#counts.calls += 1;
    if (!hasHeaders(request, this.#options.apiHeaders)) return this.#refuseCall(401, 'unauthorised');
    const parsed = callSchema.safeParse(parseJson(request.rawBody));
    if (!parsed.success) return this.#refuseCall(400, 'a 3.1 call is a JSON object of strings');
    const params = parsed.data;
    const oType = params.oType ?? request.path.slice(AITUO_MOCK_API_PREFIX.length + 1).split('/').pop() ?? '';
    switch (oType) {
      case AITUO_OPEN_BOX: {
        const { deviceNo, boxNo } = params;
        if (deviceNo === undefined || boxNo === undefined) return this.#refuseCall(400, '1009 needs deviceNo and boxNo');
        this.#openings.push({ deviceNo, boxNo, at: this.#ctx.now() });
        return text(200, '');
      }
      case AITUO_GET_WAIT_PICKUP_ORDER:
        return this.#list(this.#orders.pickup);
      case AITUO_GET_WAIT_DROPOFF_ORDER:
        return this.#list(this.#orders.dropoff);
      default:
        return this.#refuseCall(400, `oType ${JSON.stringify(oType)} is not mocked`);
    }
  }

  #list(orders: Order[]): MockResponse {
    const listKey = this.#options.listKey;
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(listKey === undefined ? orders : { [listKey]: orders }) };
  }

  #refuseCall(status: number, message: string): MockResponse {
    this.#counts.callsRefused += 1;
    return text(status, message);
  }

  control(action: string, body: unknown): unknown {
    switch (action) {
      case 'add-waiting-order': {
        const { list, order } = parseControl(addOrderSchema, body, action);
        this.#orders[list].push(order);
        return { [list]: this.#orders[list].length };
      }
      case 'remove-waiting-order': {
        const { list, match } = parseControl(removeOrderSchema, body, action);
        const before = this.#orders[list].length;
        this.#orders[list] = this.#orders[list].filter((o) => !Object.entries(match).every(([k, v]) => o[k] === v));
        return { removed: before - this.#orders[list].length };
      }
      case 'reset':
        this.#orders = { pickup: [], dropoff: [] };
        this.#openings = [];
        this.#counts = { pushes: 0, pushesRefused: 0, calls: 0, callsRefused: 0 };
        return null;
      default:
        throw new RangeError(`unknown aituo control action ${action}`);
    }
  }

  snapshot(): unknown {
    return { waitPickup: this.#orders.pickup, waitDropoff: this.#orders.dropoff, openings: this.#openings, ...this.#counts };
  }
}

function hasHeaders(request: MockRequest, required: Record<string, string> | undefined): boolean {
  return Object.entries(required ?? {}).every(([name, value]) => request.headers[name.toLowerCase()] === value);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Throws RangeError (the server answers 400) for a body that does not fit. */
function parseControl<T extends z.ZodType>(schema: T, body: unknown, action: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new RangeError(`aituo ${action}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function text(status: number, body: string): MockResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/**
 * zod schemas for the Dingshang Open API, both directions (docs/vendors/dingshang.md §1,
 * §4–§8, §10). Field names are the vendor's, copied from the spec.
 *
 * Requests: strict objects of strings (§1 "all payload values are strings"),
 * so nothing the spec does not name can be sent. Only `POST /orders` is plain
 * JSON with numbers (§5.1).
 *
 * Responses: loose objects (unknown fields are kept, never required), and
 * every field protobuf may leave out (empty, 0, false: §1 "Zero values") gets
 * its zero value or the documented default. Enum-like strings stay `string`:
 * the docs carry two unreconciled value sets (§8.2), so an unknown value must
 * not fail a parse; the known values are exported as constants.
 */
import { z } from 'zod';
import { formatWallClock, parseWallClock } from '../common/wall-clock.js';

// ---------------------------------------------------------------- helpers

const str = () => z.string().default('');
const int = () => z.number().int().default(0);
const bool = () => z.boolean().default(false);
/** A field whose JSON type the spec does not state (e.g. pagination totals, §4.4): number or numeric text. */
const intLike = () =>
  z
    .union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)])
    .default(0);

/** `machine_no`: 8 digits; longer numbers exist for special merchants (§1). */
export const machineNoSchema = z.string().regex(/^\d{8,}$/, 'machine_no is 8 (or more) digits');
/** `timestamp`: Unix seconds as a string (§1). */
export const timestampSchema = z.string().regex(/^\d{1,12}$/, 'timestamp is Unix seconds');
/** An id sent as text (§1: payload values are strings). */
const idText = z.string().regex(/^\d+$/, 'a numeric id as text');
/** `YYYY-MM-DD HH:mm:ss` (§6.1). */
const dateTimeText = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'YYYY-MM-DD HH:mm:ss');

// ---------------------------------------------------------------- envelope (§1)

/**
 * `{code, message, data}`. `code` 0 and an empty `message` may be left out
 * like any protobuf zero value; `data` is an object, an array, a string,
 * `{}`, null or absent, so it stays unknown here and the endpoint's data
 * schema is applied only on success.
 */
export const envelopeSchema = z.looseObject({
  code: int(),
  message: str(),
  data: z.unknown().optional(),
});
export type DsEnvelope = z.output<typeof envelopeSchema>;

/**
 * §1 caveat: some failures come back with `code: 0` and an error text
 * (`订单未支付`, `超出货道最大库存`), so success is `code === 0 && message === "ok"`
 * and nothing else.
 */
export function isSuccess(envelope: { readonly code: number; readonly message: string }): boolean {
  return envelope.code === 0 && envelope.message === 'ok';
}

/** §6.5: the 10025 failure carries `data.order_id`. */
export const alreadyUsedDataSchema = z.looseObject({ order_id: int() });

// ---------------------------------------------------------------- enumerations (§8)

/** §8.1 order `status`. */
export const ORDER_STATUSES = ['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'PICKUPCODE', 'NOTPAY', 'TESTPAY'] as const;
/** §8.2 order-record `status` on the query page. */
export const RECORD_STATUSES = ['WAITING_PICKED_UP', 'IS_PICKED_UP', 'IS_REFUND', 'IS_DELIVERING', 'IS_SUCCESS', 'IS_FAILED', 'IS_TIMEOUT'] as const;
/** §6.5 / §8.2 order-record `status` in the consume response: cancelled, picked up, not picked up. */
export const CONSUME_RECORD_STATUSES = ['订单取消', '已取货', '未取货'] as const;
/** §6.3 / §8.3 pickup-code `status`. */
export const PICKUP_CODE_STATUSES = ['UNUSED', 'USED', 'EXPIRED', 'UNKNOWN'] as const;
/** §5.3 values of `status` in PUT `/orders/{order_id}`: paid, refunding, closed, revoked, user paying, pay error. */
export const ORDER_UPDATE_STATUSES = ['1', '2', '3', '4', '5', '6'] as const;
/** §8.5 lane `floor_status`: 0 no lane, 1 normal, 2 jammed, 3 motor fault, 47 serial timeout. */
export const FLOOR_STATUSES = ['0', '1', '2', '3', '47'] as const;
/** §4.3 `machine_type`: vending, amusement, claw, borrow locker, return locker, grid locker. */
export const MACHINE_TYPES = [1, 2, 3, 4, 5, 6] as const;
/** §8.4 operating `status` as a string (machine_status page). */
export const MACHINE_OPERATING_STATUSES = ['MAINTENANCE', 'OPERATIONAL', 'TRANSFER'] as const;

// ---------------------------------------------------------------- common request shape (§2.1 step 1)

const signedBase = { machine_no: machineNoSchema, timestamp: timestampSchema };

/** Payload of the reads that take only `machine_no` + `timestamp` (§4.5–§4.7, §5.2, §6.3, §7.2). */
export const machineOnlyRequestSchema = z.strictObject(signedBase);

// ---------------------------------------------------------------- §4 machines, catalogue

/** §4.1: `data` is `"pong"`. */
export const pingDataSchema = str();

/** §4.2 list item. `status` is a bool here but a string enum on §8.4's page: accept both. */
export const machineListItemSchema = z.looseObject({
  machine_name: str(),
  machine_no: str(),
  is_online: bool(),
  status: z.union([z.boolean(), z.string()]).default(false),
  address: str(),
  notify_message: str(),
  lng_lat: str(),
  created_at: str(),
  contact: str(),
  tel: str(),
});
export const machineListDataSchema = z.array(machineListItemSchema).default([]);

const idAny = z.union([z.number(), z.string()]).optional(); // §4.3 gives no type for these ids
const titled = z.looseObject({ id: int(), title: str() });

/** §4.3 machine detail. */
export const machineDetailDataSchema = z.looseObject({
  machine_name: str(),
  address: str(),
  lng_lat: str(),
  is_online: bool(),
  model: z.looseObject({ id: idAny, cabinet_names: z.array(z.string()).default([]) }).prefault({}),
  machine_type: int(),
  cover_image: str(),
  categories: z.array(titled).default([]),
  announcement: z.looseObject({ title: str() }).prefault({}),
  merchant: z
    .looseObject({ title: str(), description: str(), logo: str(), store_id: idAny, status: str(), created_at: str() })
    .prefault({}),
  currency: z.looseObject({ id: idAny, name: str(), code: str(), symbol: str() }).prefault({}),
});

/** §4.4 product list payload. `addr` and `cabinet_name` must not be sent together. */
export const productListRequestSchema = z
  .strictObject({
    ...signedBase,
    page: z.string().regex(/^[1-9]\d*$/).default('1'),
    per_page: z.string().regex(/^[1-9]\d*$/).optional(),
    category_id: idText.optional(),
    cabinet_name: z.string().regex(/^[A-Z]$/).optional(),
    select_all: z.enum(['0', '1']).optional(),
    addr: z.enum(['1', '2', '3', '4', '5', '6', '7', '8']).optional(),
  })
  .refine((p) => p.addr === undefined || p.cabinet_name === undefined, {
    message: 'send either addr or cabinet_name, not both (§4.4)',
  });

/** §4.4 `channel`: the lane. `x` row and `y` column are 0-based text; `addr` the driver board, 1-based. */
export const productChannelSchema = z.looseObject({
  name: str(),
  cabinet_name: str(),
  code: str(),
  x: str(),
  y: str(),
  addr: int(),
});

/** §4.4 `good`. */
export const goodSchema = z.looseObject({
  name: str(),
  description: str(),
  thumb: str(),
  price: str(),
  original_price: str(),
  content: str(),
  good_no: str(),
  slug: str(),
  media: z.array(z.unknown()).default([]),
});

/** §4.4 product item; `id` is the `product_id` of pickup-code, consume and order calls. */
export const productSchema = z.looseObject({
  id: int(),
  current_inventory: int(),
  inventory: int(),
  category: titled.prefault({}),
  good: goodSchema.prefault({}),
  channel: productChannelSchema.prefault({}),
});
export type DsProduct = z.output<typeof productSchema>;

const productPageSchema = z.looseObject({
  data: z.array(productSchema).default([]),
  total: intLike(),
  current_page: intLike(),
  last_page: intLike(),
  per_page: intLike(),
});
/** §4.4: a page object, or `[]` when there is nothing (normalised to an empty page of zero values). */
export const productListDataSchema = z
  .union([productPageSchema, z.tuple([])])
  .default([])
  .transform((v) => (Array.isArray(v) ? productPageSchema.parse({}) : v));

/** §4.5 categories. */
export const categoryListDataSchema = z
  .array(z.looseObject({ id: int(), title: str(), sort_id: int(), is_visible: bool() }))
  .default([]);

/** §4.6 banners; the types of `id`, `sort_id` and the counters are not stated. */
export const bannerListDataSchema = z
  .array(
    z.looseObject({
      id: intLike(),
      status: str(),
      is_visible: bool(),
      cover_image: str(),
      sort_id: intLike(),
      hit_count: intLike(),
      views_count: intLike(),
    }),
  )
  .default([]);

/** §4.7 lanes ("may be withdrawn"); `status` is a `floor_status` (§8.5). */
export const floorListDataSchema = z
  .array(
    z.looseObject({
      status: str(),
      good: goodSchema.extend({ id: intLike(), updated_at: str() }).prefault({}),
      channel: productChannelSchema.extend({ id: intLike() }).prefault({}),
      current_inventory: int(),
      inventory: int(),
    }),
  )
  .default([]);

// ---------------------------------------------------------------- §5 orders

/** §5.1 create order: plain JSON, not a signed payload; here ids and quantities are numbers. */
export const orderCreateRequestSchema = z.strictObject({
  machine_no: machineNoSchema,
  notify_url: z.url(),
  // §5.1: unique and non-empty; 20–32 characters and numeric are preferred, a uuid is fine.
  trade_id: z.string().min(1),
  products: z.array(z.strictObject({ product_id: z.number().int(), quantity: z.number().int().positive() })).min(1),
});
export const orderCreateDataSchema = z.looseObject({ order_id: int() });

/** §5.2 `records[]`; `status` only when paid, `notify_sent` "0"/"1". */
export const orderRecordSchema = z.looseObject({
  id: int(),
  product_id: int(),
  quantity: int(),
  price: str(),
  status: str(),
  notify_sent: str(),
});

/** §5.2 order (also the consume response, §6.5). */
export const orderSchema = z.looseObject({
  order_id: int(),
  trade_id: str(),
  date: str(),
  amount: str(),
  status: str(),
  notify_send_count: int(),
  pickup_code_id: int(),
  records: z.array(orderRecordSchema).default([]),
});
export type DsOrder = z.output<typeof orderSchema>;

/** §5.3 update payment status; cancel (§5.4) is the same call with `status` ≠ "1". */
export const orderUpdateRequestSchema = z.strictObject({ ...signedBase, status: z.enum(ORDER_UPDATE_STATUSES) });
/** §5.3: `data` is `""`. */
export const emptyStringDataSchema = str();
/** §6.1, §6.4: `data` is `{}`. */
export const emptyObjectDataSchema = z.looseObject({}).prefault({});

// ---------------------------------------------------------------- §6 pickup codes

const codeLength = z.enum(['6', '7', '8', '9', '10']);
const createCommon = {
  ...signedBase,
  // §6.1: GMT+8 wall clock; empty or not sent = never expires.
  expired_at: dateTimeText.optional(),
  /** Struck out in the docs and ignored by the server (§6.1); allowed because documented, never sent by our mapper. */
  quantity: idText.optional(),
  code_length: codeLength.optional(),
};

/** §6.1 codes for one product. */
export const pickupCodeCreateOneRequestSchema = z.strictObject({
  ...createCommon,
  method: z.literal('pickup_code.product.id'),
  product_id: idText,
  count: z.string().regex(/^[1-9]\d*$/).optional(),
});
/** §6.2 codes for every product: no `product_id`, no `count`. */
export const pickupCodeCreateAllRequestSchema = z.strictObject({ ...createCommon, method: z.literal('pickup_code.product.all') });

/** §6.3 item. `expired_at` empty or absent = never expires; `quantity` defaults to 1. */
export const pickupCodeSchema = z.looseObject({
  id: int(),
  code: str(),
  status: str(),
  created_at: str(),
  expired_at: str(),
  quantity: z.number().int().default(1),
});
export type DsPickupCode = z.output<typeof pickupCodeSchema>;
export const pickupCodeListDataSchema = z.array(pickupCodeSchema).default([]);

/** §6.4 cancel one: `id` is the record id from §6.3, not the code text. */
export const pickupCodeCancelOneRequestSchema = z.strictObject({ ...signedBase, method: z.literal('pickup_code.delete.id'), id: idText });
/** §6.4 cancel all codes of the machine. */
export const pickupCodeCancelAllRequestSchema = z.strictObject({ ...signedBase, method: z.literal('pickup_code.delete.all') });

/** §6.5 consume a code. */
export const consumeRequestSchema = z.strictObject({
  ...signedBase,
  method: z.literal('event.consume.pickup_code'),
  code: z.string().min(1),
  product_id: idText,
  notify_url: z.url(),
  trade_id: z.string().min(1), // §6.5/§5.1: unique, non-empty; 20–32 chars preferred
});
/** §6.5: an order of status `PICKUPCODE`; `pickup_code_id` always present. */
export const consumeDataSchema = orderSchema;

// ---------------------------------------------------------------- §7 deliveries

/** §7.1 dispense one record of an order. */
export const deliveryPutRequestSchema = z.strictObject({
  ...signedBase,
  method: z.literal('device.delivery.put'),
  order_id: idText,
  record_id: idText,
});
/** §7.1 / §7.3 response; `status` is Chinese free text. */
export const deliveryDataSchema = z.looseObject({
  delivery_id: str(),
  delivered_at: str(),
  status: str(),
  pickup_at: str(),
  fail_reason: str(),
});
/** §7.2 result query. */
export const deliveryResultDataSchema = z.looseObject({ delivered_at: str(), status: str(), pickup_at: str(), fail_reason: str() });
/** §7.3 test dispense by lane name (`channel_name` = product `channel.name`). */
export const deliveryDebugRequestSchema = z.strictObject({
  ...signedBase,
  method: z.literal('device.delivery.put'),
  channel_name: z.string().min(1),
  notify_url: z.url(),
});

// ---------------------------------------------------------------- §10 callback

/** §10 ids are ints in the example; the body is a free-form map, so numeric text is accepted too. */
const callbackId = z
  .union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])
  .optional()
  .transform((v) => v ?? null);

/**
 * §10 `device.delivery.response` body (a free-form map, not protobuf).
 * `deliver_status` "1" success / "0" failure (other values exist as an edge
 * case); the failure text is `error_msg` in the example and `fail_reason` in
 * the table heading: both accepted.
 */
export const deliveryCallbackSchema = z.looseObject({
  method: z.literal('device.delivery.response'),
  order_id: callbackId,
  record_id: callbackId,
  deliver_status: str(),
  floor_status: str(),
  error_msg: z.string().optional(),
  fail_reason: z.string().optional(),
});
export type DsDeliveryCallback = z.output<typeof deliveryCallbackSchema>;

// Dingshang time values: dates are `YYYY-MM-DD HH:mm:ss` wall-clock text (§4.2, §6.1, §6.3), written and read by common/wall-clock.ts.

// UNVERIFIED: docs/vendors/dingshang.md §6.1/§6.3 (time zone): §6.1 says `expired_at` is GMT+8; the zone of
// `created_at` and the other dates is not stated and is assumed to be the same.
/** Minutes east of UTC of the vendor's wall-clock dates. Default 480 (GMT+8, §6.1). */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

/** An epoch-ms instant as vendor wall-clock text (`YYYY-MM-DD HH:mm:ss`); seconds truncated. Throws RangeError for a non-finite instant. */
export function formatDsDateTime(epochMs: number, offsetMinutes: number = DEFAULT_UTC_OFFSET_MINUTES): string {
  return formatWallClock(epochMs, offsetMinutes);
}

/**
 * Vendor wall-clock text to epoch ms, or null when it is not a real
 * `YYYY-MM-DD HH:mm:ss` date (e.g. `2024-02-30`). Empty text is the caller's
 * business (it means "never" for `expired_at`, §6.3).
 */
export function parseDsDateTime(text: string, offsetMinutes: number = DEFAULT_UTC_OFFSET_MINUTES): number | null {
  return parseWallClock(text, offsetMinutes);
}

/**
 * The Dingshang Open API endpoints as data (docs/vendors/dingshang.md §3), so a client and
 * a mock server can both be generated from one table. Paths are relative to
 * `{url}/api/openapi/v1` (§1). Several entries share method + path and differ
 * only by the payload `method` value (§3 rows 12/13, 15/16): dispatch on
 * `payloadMethod` as well.
 *
 * Not included: the replenishment calls (§4.8, removed from the docs in
 * 2025-05 and told to use the dashboard instead).
 */
/** Base path of every endpoint below (§1). */
export const OPEN_API_BASE_PATH = '/api/openapi/v1';

/**
 * - `none`: no body at all (§1: ping and the two machine calls).
 * - `signed-payload`: `{"payload": base64(JSON incl. sign)}` (§2.1).
 * - `plain-json`: the request object as JSON, not encoded (§5.1 only).
 */
export type BodyKind = 'none' | 'signed-payload' | 'plain-json';

export interface EndpointDef {
  /** The doc section this entry implements. */
  readonly spec: string;
  /** POST for almost everything, PUT for order update/cancel and code cancel (§1). */
  readonly httpMethod: 'POST' | 'PUT';
  /** Relative to OPEN_API_BASE_PATH; `{name}` marks a path parameter. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly body: BodyKind;
  /** The `method` value inside the payload (§3), or null when the call has none. */
  readonly payloadMethod: string | null;
  /** Schema of the request object before signing; null when there is no body. */
  readonly request: z.ZodType | null;
  /** Schema of `data` when the envelope is a success (§1). */
  readonly response: z.ZodType;
}

export const ENDPOINTS = {
  ping: { spec: '§4.1', httpMethod: 'POST', path: '/ping', pathParams: [], body: 'none', payloadMethod: null, request: null, response: pingDataSchema },
  machineList: { spec: '§4.2', httpMethod: 'POST', path: '/rent/machines', pathParams: [], body: 'none', payloadMethod: null, request: null, response: machineListDataSchema },
  machineDetail: {
    spec: '§4.3', httpMethod: 'POST', path: '/rent/machines/{machine_no}', pathParams: ['machine_no'], body: 'none', payloadMethod: null,
    request: null, response: machineDetailDataSchema,
  },
  productList: {
    spec: '§4.4', httpMethod: 'POST', path: '/products', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: productListRequestSchema, response: productListDataSchema,
  },
  categoryList: {
    spec: '§4.5', httpMethod: 'POST', path: '/categories', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: machineOnlyRequestSchema, response: categoryListDataSchema,
  },
  bannerList: {
    spec: '§4.6', httpMethod: 'POST', path: '/banners', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: machineOnlyRequestSchema, response: bannerListDataSchema,
  },
  floorList: {
    spec: '§4.7', httpMethod: 'POST', path: '/floors', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: machineOnlyRequestSchema, response: floorListDataSchema,
  },
  orderCreate: {
    spec: '§5.1', httpMethod: 'POST', path: '/orders', pathParams: [], body: 'plain-json', payloadMethod: null,
    request: orderCreateRequestSchema, response: orderCreateDataSchema,
  },
  orderQuery: {
    spec: '§5.2', httpMethod: 'POST', path: '/orders/{order_id}', pathParams: ['order_id'], body: 'signed-payload', payloadMethod: null,
    request: machineOnlyRequestSchema, response: orderSchema,
  },
  /** §5.3; cancel (§5.4) is this call with `status` ≠ "1". */
  orderUpdate: {
    spec: '§5.3', httpMethod: 'PUT', path: '/orders/{order_id}', pathParams: ['order_id'], body: 'signed-payload', payloadMethod: null,
    request: orderUpdateRequestSchema, response: emptyStringDataSchema,
  },
  pickupCodeCreateOne: {
    spec: '§6.1', httpMethod: 'POST', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.product.id',
    request: pickupCodeCreateOneRequestSchema, response: emptyObjectDataSchema,
  },
  pickupCodeCreateAll: {
    spec: '§6.2', httpMethod: 'POST', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.product.all',
    request: pickupCodeCreateAllRequestSchema, response: emptyObjectDataSchema,
  },
  pickupCodeQuery: {
    spec: '§6.3', httpMethod: 'POST', path: '/products/{product_id}/pickup_code', pathParams: ['product_id'], body: 'signed-payload', payloadMethod: null,
    request: machineOnlyRequestSchema, response: pickupCodeListDataSchema,
  },
  pickupCodeCancelOne: {
    spec: '§6.4', httpMethod: 'PUT', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.delete.id',
    request: pickupCodeCancelOneRequestSchema, response: emptyObjectDataSchema,
  },
  pickupCodeCancelAll: {
    spec: '§6.4', httpMethod: 'PUT', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.delete.all',
    request: pickupCodeCancelAllRequestSchema, response: emptyObjectDataSchema,
  },
  consume: {
    spec: '§6.5', httpMethod: 'POST', path: '/consumes', pathParams: [], body: 'signed-payload', payloadMethod: 'event.consume.pickup_code',
    request: consumeRequestSchema, response: consumeDataSchema,
  },
  deliveryPut: {
    spec: '§7.1', httpMethod: 'POST', path: '/deliveries', pathParams: [], body: 'signed-payload', payloadMethod: 'device.delivery.put',
    request: deliveryPutRequestSchema, response: deliveryDataSchema,
  },
  deliveryResult: {
    spec: '§7.2', httpMethod: 'POST', path: '/deliveries/{delivery_id}', pathParams: ['delivery_id'], body: 'signed-payload', payloadMethod: null,
    request: machineOnlyRequestSchema, response: deliveryResultDataSchema,
  },
  deliveryDebug: {
    spec: '§7.3', httpMethod: 'POST', path: '/deliveries/debug', pathParams: [], body: 'signed-payload', payloadMethod: 'device.delivery.put',
    request: deliveryDebugRequestSchema, response: deliveryDataSchema,
  },
} as const satisfies Record<string, EndpointDef>;

export type Endpoints = typeof ENDPOINTS;
export type EndpointName = keyof Endpoints;
export const ENDPOINT_NAMES = Object.keys(ENDPOINTS) as EndpointName[];

/** The path parameters of an endpoint, by name. */
export type PathParamsOf<N extends EndpointName> = Record<Endpoints[N]['pathParams'][number], string>;
/** What the caller passes for the body (before defaults and signing); `undefined` for no body. */
export type RequestOf<N extends EndpointName> = Endpoints[N]['request'] extends z.ZodType ? z.input<Endpoints[N]['request']> : undefined;
/** `data` of a successful response, after defaults. */
export type ResponseOf<N extends EndpointName> = z.output<Endpoints[N]['response']>;

/**
 * The concrete relative path (without OPEN_API_BASE_PATH). Each value is
 * percent-encoded as one path segment. Throws RangeError on a missing or
 * empty parameter: a path with `{order_id}` left in it must never be sent.
 */
export function endpointPath<N extends EndpointName>(name: N, params: PathParamsOf<N>): string {
  const def: EndpointDef = ENDPOINTS[name];
  const values: Readonly<Record<string, string | undefined>> = params;
  return def.path.replace(/\{([a-z_]+)\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined || v.length === 0) throw new RangeError(`${name}: path parameter ${key} is missing`);
    return encodeURIComponent(v);
  });
}

/**
 * The endpoint a mock server received: by HTTP method, relative path and the
 * payload's `method` value, which must equal the entry's `payloadMethod`
 * exactly (null = the payload has none). That keeps `POST /deliveries/debug`
 * (method `device.delivery.put`) apart from `POST /deliveries/{delivery_id}`
 * (no method). Returns the name and the path parameters, or null.
 */
export function matchEndpoint(
  httpMethod: string,
  path: string,
  payloadMethod: string | null,
): { name: EndpointName; pathParams: Record<string, string> } | null {
  for (const name of ENDPOINT_NAMES) {
    const def: EndpointDef = ENDPOINTS[name];
    if (def.httpMethod !== httpMethod || def.payloadMethod !== payloadMethod) continue;
    const keys: string[] = [];
    const pattern = new RegExp(`^${def.path.replace(/\{([a-z_]+)\}/g, (_m, k: string) => (keys.push(k), '([^/]+)'))}$`);
    const m = pattern.exec(path);
    if (m === null) continue;
    const pathParams: Record<string, string> = {};
    try {
      keys.forEach((k, i) => (pathParams[k] = decodeURIComponent(m[i + 1] ?? '')));
    } catch {
      return null; // malformed percent-encoding
    }
    return { name, pathParams };
  }
  return null;
}

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
import type { z } from 'zod';
import * as s from './schemas.js';

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
  ping: { spec: '§4.1', httpMethod: 'POST', path: '/ping', pathParams: [], body: 'none', payloadMethod: null, request: null, response: s.pingDataSchema },
  machineList: { spec: '§4.2', httpMethod: 'POST', path: '/rent/machines', pathParams: [], body: 'none', payloadMethod: null, request: null, response: s.machineListDataSchema },
  machineDetail: {
    spec: '§4.3', httpMethod: 'POST', path: '/rent/machines/{machine_no}', pathParams: ['machine_no'], body: 'none', payloadMethod: null,
    request: null, response: s.machineDetailDataSchema,
  },
  productList: {
    spec: '§4.4', httpMethod: 'POST', path: '/products', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: s.productListRequestSchema, response: s.productListDataSchema,
  },
  categoryList: {
    spec: '§4.5', httpMethod: 'POST', path: '/categories', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: s.machineOnlyRequestSchema, response: s.categoryListDataSchema,
  },
  bannerList: {
    spec: '§4.6', httpMethod: 'POST', path: '/banners', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: s.machineOnlyRequestSchema, response: s.bannerListDataSchema,
  },
  floorList: {
    spec: '§4.7', httpMethod: 'POST', path: '/floors', pathParams: [], body: 'signed-payload', payloadMethod: null,
    request: s.machineOnlyRequestSchema, response: s.floorListDataSchema,
  },
  orderCreate: {
    spec: '§5.1', httpMethod: 'POST', path: '/orders', pathParams: [], body: 'plain-json', payloadMethod: null,
    request: s.orderCreateRequestSchema, response: s.orderCreateDataSchema,
  },
  orderQuery: {
    spec: '§5.2', httpMethod: 'POST', path: '/orders/{order_id}', pathParams: ['order_id'], body: 'signed-payload', payloadMethod: null,
    request: s.machineOnlyRequestSchema, response: s.orderSchema,
  },
  /** §5.3; cancel (§5.4) is this call with `status` ≠ "1". */
  orderUpdate: {
    spec: '§5.3', httpMethod: 'PUT', path: '/orders/{order_id}', pathParams: ['order_id'], body: 'signed-payload', payloadMethod: null,
    request: s.orderUpdateRequestSchema, response: s.emptyStringDataSchema,
  },
  pickupCodeCreateOne: {
    spec: '§6.1', httpMethod: 'POST', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.product.id',
    request: s.pickupCodeCreateOneRequestSchema, response: s.emptyObjectDataSchema,
  },
  pickupCodeCreateAll: {
    spec: '§6.2', httpMethod: 'POST', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.product.all',
    request: s.pickupCodeCreateAllRequestSchema, response: s.emptyObjectDataSchema,
  },
  pickupCodeQuery: {
    spec: '§6.3', httpMethod: 'POST', path: '/products/{product_id}/pickup_code', pathParams: ['product_id'], body: 'signed-payload', payloadMethod: null,
    request: s.machineOnlyRequestSchema, response: s.pickupCodeListDataSchema,
  },
  pickupCodeCancelOne: {
    spec: '§6.4', httpMethod: 'PUT', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.delete.id',
    request: s.pickupCodeCancelOneRequestSchema, response: s.emptyObjectDataSchema,
  },
  pickupCodeCancelAll: {
    spec: '§6.4', httpMethod: 'PUT', path: '/pickup_codes', pathParams: [], body: 'signed-payload', payloadMethod: 'pickup_code.delete.all',
    request: s.pickupCodeCancelAllRequestSchema, response: s.emptyObjectDataSchema,
  },
  consume: {
    spec: '§6.5', httpMethod: 'POST', path: '/consumes', pathParams: [], body: 'signed-payload', payloadMethod: 'event.consume.pickup_code',
    request: s.consumeRequestSchema, response: s.consumeDataSchema,
  },
  deliveryPut: {
    spec: '§7.1', httpMethod: 'POST', path: '/deliveries', pathParams: [], body: 'signed-payload', payloadMethod: 'device.delivery.put',
    request: s.deliveryPutRequestSchema, response: s.deliveryDataSchema,
  },
  deliveryResult: {
    spec: '§7.2', httpMethod: 'POST', path: '/deliveries/{delivery_id}', pathParams: ['delivery_id'], body: 'signed-payload', payloadMethod: null,
    request: s.machineOnlyRequestSchema, response: s.deliveryResultDataSchema,
  },
  deliveryDebug: {
    spec: '§7.3', httpMethod: 'POST', path: '/deliveries/debug', pathParams: [], body: 'signed-payload', payloadMethod: 'device.delivery.put',
    request: s.deliveryDebugRequestSchema, response: s.deliveryDataSchema,
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

/**
 * Dingshang error codes as documented (docs/vendors/dingshang.md §9). Two families exist
 * and which one the live Open API returns is unknown (§9, §12 item 5): every
 * Open API example uses the 5-digit family, the current error page the
 * 4-digit one. Callers key on `code` *and* `message` and treat unknown codes
 * as generic failures (§9 notes).
 */

export const DS_ERROR = {
  /** Not an error: the success code. Success also needs `message === "ok"` (§1 caveat). */
  OK: 0,

  // 5-digit family: codes seen in the Open API page examples (§9, first table).
  /** "appid or appsecret is empty"; comes with HTTP 401 (§1, §4.1). */
  APPID_OR_SECRET_EMPTY: 10008,
  /** "appid is invalid" (§4.1). */
  APPID_INVALID: 10014,
  /** "取货码功能尚未开启": the machine's pickup-code switch is off; dashboard only (§3, §6). */
  PICKUP_CODE_DISABLED: 10023,
  /** "取货码已使用": code already consumed; `data.order_id` is returned (§6.5). Treated as delivered (docs/vendors/README.md §1). */
  PICKUP_CODE_USED: 10025,
  /** "没有关联的设备号": no machine linked (§4.2). */
  NO_LINKED_MACHINE: 30001,
  /** "设备已离线": machine offline (§4.3, §4.4). */
  MACHINE_OFFLINE: 30002,
  /** "设备不存在": machine not found (§6.3). */
  MACHINE_NOT_FOUND: 30003,
  /** "订单已过期": order expired (§5.2). */
  ORDER_EXPIRED: 40005,
  /** "订单状态无效": invalid order status (§5.3). */
  ORDER_STATUS_INVALID: 40006,
  /** "商品已下架": product off sale (§5.1). */
  PRODUCT_OFF_SALE: 60002,
  /** "商品库存不足": insufficient stock (§7.3). */
  INSUFFICIENT_STOCK: 60003,
  /** "查不到对应记录": no matching record (§6.4). */
  RECORD_NOT_FOUND: 80002,
  /** "Not Found": unknown delivery id (§7.2). */
  NOT_FOUND: 404,

  // Original error table (docs before 2024-06-12), codes not already above.
  /** "Bad Request". */
  BAD_REQUEST: 400,
  /** "表单校验失败": form validation failed. */
  FORM_VALIDATION_FAILED: 10001,
  /** "商户已过期": merchant expired. */
  MERCHANT_EXPIRED: 10009,
  /** "商户尚未验证": merchant not verified. */
  MERCHANT_NOT_VERIFIED: 10010,
  /** "app secret is invalid". */
  APP_SECRET_INVALID_V1: 10013,
  /** "设备不在运营中": machine not in operation. */
  MACHINE_NOT_OPERATING: 30004,

  // Replacement table (2024-06-12 onward, messages "sorry, …"). Only codes whose number the spec
  // states are listed; 4000–4002/4005/4007 and 5001–5003 have no per-number meaning in the spec.
  /** not authorized */
  NOT_AUTHORIZED: 1000,
  /** invalid params */
  INVALID_PARAMS: 4003,
  /** record not found */
  RECORD_NOT_FOUND_V2: 4004,
  /** "sorry, payload sign invalid": the sign check failed (§2.3 uses it to detect the raw/encoded mismatch). */
  PAYLOAD_SIGN_INVALID: 4006,
  /** machine offline */
  MACHINE_OFFLINE_V2: 4008,
  /** app secret invalid */
  APP_SECRET_INVALID: 4009,
  /** pickup code `expired_at` invalid */
  EXPIRED_AT_INVALID: 6029,
  /** pickup code exists */
  PICKUP_CODE_EXISTS: 6030,
  /** pickup-code function unable */
  PICKUP_CODE_FUNCTION_UNABLE: 6031,
  /** pickup code expired */
  PICKUP_CODE_EXPIRED: 6032,
  /** pickup code used (whether it carries `data.order_id` like 10025 is not documented) */
  PICKUP_CODE_USED_V2: 6033,
  /** order already delivered */
  ORDER_ALREADY_DELIVERED: 6034,
  /** pickup codes: not enough */
  PICKUP_CODE_NOT_ENOUGH: 6035,
  /** cabinet missing */
  CABINET_MISSING: 6038,
  /** trade id exists (a repeated `trade_id`) */
  TRADE_ID_EXISTS: 6040,
  /** trade id empty */
  TRADE_ID_EMPTY: 6041,
  /** order expired */
  ORDER_EXPIRED_V2: 6042,
  /** order status invalid */
  ORDER_STATUS_INVALID_V2: 6043,
  /** product not found */
  PRODUCT_NOT_FOUND: 6045,
  /** product off sale */
  PRODUCT_OFF_SALE_V2: 6046,
  /** inventory not enough */
  INVENTORY_NOT_ENOUGH: 6047,
  /** order create failed */
  ORDER_CREATE_FAILED: 6048,
  /** order paid */
  ORDER_PAID: 6049,
  /** order unpaid */
  ORDER_UNPAID: 6054,
} as const;

export type DsErrorName = keyof typeof DS_ERROR;
export type DsErrorCode = (typeof DS_ERROR)[DsErrorName];

/**
 * Failure messages documented with `code: 0` (§1 caveat, §4.8, §7.1): why
 * success needs `message === "ok"` as well as `code === 0`.
 */
export const CODE_ZERO_FAILURE_MESSAGES = ['订单未支付', '超出货道最大库存'] as const;

const NAME_BY_CODE: ReadonlyMap<number, DsErrorName> = new Map(
  (Object.entries(DS_ERROR) as Array<[DsErrorName, number]>).map(([name, code]) => [code, name]),
);

/** The documented name of a code, or undefined for a code the spec does not list (a generic failure, §9). */
export function dsErrorName(code: number): DsErrorName | undefined {
  return NAME_BY_CODE.get(code);
}

/**
 * Failures of a Dingshang Open API call, typed by what a person can do about
 * them (docs/vendors/dingshang.md §1, §9). Messages never carry the AppKey, the
 * AppSecret, a `sign` or a payload.
 */
export const DINGSHANG_ERROR_CODES = [
  /** A non-2xx HTTP status other than 401/403. */
  'http',
  /** No answer: connection refused or reset, DNS…, or the caller's signal stopped the call. */
  'network',
  /** No answer within `timeoutMs`. */
  'timeout',
  /** The envelope is not a success (`code` ≠ 0, or `code` 0 with a message other than "ok", §1): `vendorCode` / `vendorMessage` say why. */
  'refused',
  /** The answer is not JSON, not the §1 envelope, or its `data` does not fit the endpoint. */
  'unparsable',
  /** HTTP 401/403, or a refusal code about the credentials or the sign (`DS_AUTH_CODES`): check appId, appSecret, appKey, signValueMode. */
  'unauthorised',
  /** Our parameters break the documented request shape (a bug or bad config on our side). */
  'invalid-request',
] as const;
export type DingshangErrorCode = (typeof DINGSHANG_ERROR_CODES)[number];

export interface DingshangErrorMeta {
  /** The `ENDPOINTS` entry called. */
  endpoint: string;
  /** HTTP status, when an answer arrived. */
  status?: number;
  /** The envelope's `code` / `message`, when there was one. */
  vendorCode?: number;
  vendorMessage?: string;
  /** From a `Retry-After` header (for the drainer). */
  retryAfter?: string;
  /** A refusal's `data`, when it is an object of scalars (10025 carries `order_id`, §6.5). */
  vendorData?: Readonly<Record<string, string | number | boolean | null>>;
}

export class DingshangError extends Error {
  override readonly name = 'DingshangError';
  constructor(
    readonly code: DingshangErrorCode,
    message: string,
    readonly meta: DingshangErrorMeta,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Refusal codes about the credentials or the sign (§4.1, §9): nothing but a
 * configuration change helps, so they read as `unauthorised` (the drainer
 * pauses the destination). Merchant expired / not verified are account
 * states fixed with the vendor, not per event, so they pause too.
 */
// UNVERIFIED: docs/vendors/dingshang.md §9 (which family the live API returns: both are listed)
export const DS_AUTH_CODES: ReadonlySet<number> = new Set([
  DS_ERROR.APPID_OR_SECRET_EMPTY,
  DS_ERROR.APPID_INVALID,
  DS_ERROR.APP_SECRET_INVALID_V1,
  DS_ERROR.MERCHANT_EXPIRED,
  DS_ERROR.MERCHANT_NOT_VERIFIED,
  DS_ERROR.NOT_AUTHORIZED,
  DS_ERROR.PAYLOAD_SIGN_INVALID,
  DS_ERROR.APP_SECRET_INVALID,
]);

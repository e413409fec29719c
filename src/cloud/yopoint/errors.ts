/**
 * Failures of a Yopoint gateway call (docs/vendors/yopoint.md §1.2, §8), typed by what a
 * person can do about them. Messages never carry the appSecret or a sign.
 */

export const YOPOINT_ERROR_CODES = [
  /** The gateway answered with a non-2xx HTTP status (other than 401/403). */
  'http',
  /** No answer: connection refused, reset, DNS… */
  'network',
  /** No answer within `timeoutMs`. */
  'timeout',
  /** The caller's signal stopped the call. */
  'aborted',
  /** `error_code` ≠ 0: the gateway refused the call; `vendorCode` / `vendorMsg` say why. */
  'refused',
  /** The answer is not JSON, not the §1.2 envelope, or its `data` does not fit the method. */
  'unparsable',
  /** HTTP 401/403, or the signature / appid error code (`signErrorCode`): check appid and appSecret. */
  'unauthorised',
  /** The caller's parameters do not fit the documented biz_content (a bug on our side). */
  'invalid-request',
  /** A `cabinet.order.list` walk passed `orderListMaxPages`. */
  'too-many-pages',
] as const;
export type YopointErrorCode = (typeof YOPOINT_ERROR_CODES)[number];

export interface YopointErrorMeta {
  /** The gateway method called. */
  method: string;
  /** HTTP status, when an answer arrived. */
  status?: number;
  /** The envelope's `error_code` / `error_msg` (§1.2), for `refused` and `unauthorised`. */
  vendorCode?: number;
  vendorMsg?: string;
  /** From a `Retry-After` header on an `http` failure. */
  retryAfterMs?: number;
}

/** Codes worth trying again later as they are: nothing on our side has to change. */
const RETRYABLE: ReadonlySet<YopointErrorCode> = new Set(['network', 'timeout']);

export class YopointError extends Error {
  override readonly name = 'YopointError';
  /** True for network, timeout, and HTTP 408/425/429/5xx. */
  readonly retryable: boolean;

  constructor(
    readonly code: YopointErrorCode,
    message: string,
    readonly meta: YopointErrorMeta,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    const status = meta.status;
    this.retryable = RETRYABLE.has(code) || (code === 'http' && status !== undefined && (status >= 500 || status === 408 || status === 425 || status === 429));
  }
}

/**
 * `error_msg` values the docs show on business failures (§1.2 example, §8;
 * the last seven from the unofficial client's comments). §1.2 shows
 * ERR_BARCODE_OUTSTOCK with `error_code` -1, so these prove a -1 is not a
 * signature error.
 */
export const YOPOINT_BUSINESS_ERROR_MSGS: ReadonlySet<string> = new Set([
  'ERR_SYSTEM',
  'ERR_BARCODE_OUTSTOCK',
  'MISSING_PARAMS_TOKEN',
  'ERR_NONE_STOCK',
  'ERR_NONE_COSTPRICE',
  'ERR_USER_CREATE_FAIL',
  'ERR_ORDER_CREATE_FAIL',
  'MISSING_PARAMS_TID',
  'ERR_TERMINAL_NOT_EXIST',
]);

/**
 * Which code an envelope with `error_code` ≠ 0 gets. `signErrorCode` is the
 * configured "signature error" code (default -1, §4.2); null reads none as such.
 */
// UNVERIFIED: docs/vendors/yopoint.md §1.2 / §8 (no sign-error error_msg is documented; a full code table is UNKNOWN §10.5)
export function yopointRefusalCode(errorCode: number, errorMsg: string, signErrorCode: number | null): 'unauthorised' | 'refused' {
  return signErrorCode !== null && errorCode === signErrorCode && !YOPOINT_BUSINESS_ERROR_MSGS.has(errorMsg) ? 'unauthorised' : 'refused';
}

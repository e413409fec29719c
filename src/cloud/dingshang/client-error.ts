/**
 * Failures of a Dingshang Open API call, typed by what a person can do about
 * them (docs/vendors/dingshang.md §1, §9). Messages never carry the AppKey, the
 * AppSecret, a `sign` or a payload.
 */
import { DS_ERROR } from './errors.js';

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

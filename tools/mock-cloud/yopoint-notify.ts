/**
 * The sending side of a Yopoint webhook (docs/vendors/yopoint.md §5, §2.2): the signed
 * form-urlencoded body Yopoint posts to the developer's callback URL. The
 * agent never sends these; the mock cloud and the tests do, to produce
 * callbacks that `verifyYopointNotification` must accept. Pure: the caller
 * passes the instant.
 */
import type { z } from 'zod';
import { YOPOINT_CONTENT_TYPE, YOPOINT_NOTIFY_SIGNED_FIELDS, YOPOINT_SIGN_TYPE, yopointNotifications, type YopointNotifyMethod, type YopointOptions, yopointSign, yopointTimestamp } from '../../src/cloud/index.js';

export type YopointNotifySenderOptions = Pick<YopointOptions, 'appid' | 'appSecret' | 'timestampUnit' | 'emptyValues'>;

/** What a caller passes as the business params of a documented notification (§5.1, §5.3, §5.4). */
export type YopointNotifyBizInput<M extends YopointNotifyMethod> = z.input<(typeof yopointNotifications)[M]['biz']>;

export interface YopointOutgoingNotification {
  /** The §5 form fields: the five signed ones and `sign`. */
  params: Record<(typeof YOPOINT_NOTIFY_SIGNED_FIELDS)[number] | 'sign', string>;
  /** `params` as an x-www-form-urlencoded body. */
  body: string;
  contentType: string;
}

/**
 * Builds one notification as §5 describes it: `appid`, `method`,
 * `biz_content` (the JSON text of `biz`, as given), `timestamp` in the
 * configured unit, `sign_type` md5 and `sign` over those five (§2.2: no
 * `version`). Throws a ZodError when `biz` does not fit the method's §5
 * schema: a mock must send only what the docs describe.
 */
export function buildYopointNotification<M extends YopointNotifyMethod>(
  options: YopointNotifySenderOptions,
  method: M,
  biz: YopointNotifyBizInput<M>,
  nowMs: number,
): YopointOutgoingNotification {
  yopointNotifications[method].biz.parse(biz);
  const unsigned = {
    appid: options.appid,
    method,
    biz_content: JSON.stringify(biz),
    // §5 says Unix seconds; the unit switch applies as on requests (§2.4).
    timestamp: yopointTimestamp(nowMs, options.timestampUnit),
    sign_type: YOPOINT_SIGN_TYPE,
  };
  const params = { ...unsigned, sign: yopointSign(unsigned, options.appSecret, { emptyValues: options.emptyValues }) };
  return { params, body: new URLSearchParams(params).toString(), contentType: YOPOINT_CONTENT_TYPE };
}

/**
 * Receiving Yopoint webhooks ("业务异步通知", docs/vendors/yopoint.md §5): verify the
 * signature of §2.2, optionally check freshness, parse the documented
 * `biz_content`, and build the documented reply. Pure: the HTTP layer hands
 * in the decoded form and the current instant, and sends the answer as JSON.
 */
import { z } from 'zod';
import type { YopointOptions } from './config.js';
import { isYopointNotifyMethod, yopointNotifications, type YopointNotifyAnswer, type YopointNotifyBizFor, yopointNotifyFormSchema, type YopointNotifyMethod } from './schemas.js';
import { YOPOINT_SIGN_TYPE, yopointSign, yopointSignMatches, yopointTimestampToMs } from './signer.js';

export type YopointNotifyOptions = Pick<YopointOptions, 'appSecret' | 'timestampUnit' | 'emptyValues' | 'notifySignedFields' | 'notifyMaxSkewMs'>;

/** §2.2: the signed set of a notification; unlike a request, no `version`. */
export const YOPOINT_NOTIFY_SIGNED_FIELDS = ['appid', 'biz_content', 'method', 'sign_type', 'timestamp'] as const;

interface NotificationCommon {
  appid: string;
  /** The `timestamp` field as received. */
  timestamp: string;
  /** `timestamp` read in the configured unit, or null when it is not a decimal integer. */
  sentAtMs: number | null;
  /** Every form field as received, `sign` included: the raw payload to keep. */
  raw: Readonly<Record<string, string>>;
}

type KnownNotification = {
  [M in YopointNotifyMethod]: { known: true; method: M; biz: YopointNotifyBizFor<M> } & NotificationCommon;
}[YopointNotifyMethod];

/** Authentic, but a method we do not handle or a biz_content that does not fit its §5 schema. */
export type UnrecognisedNotification = { known: false; method: string; problem: string } & NotificationCommon;

export type YopointNotification = KnownNotification | UnrecognisedNotification;

export const YOPOINT_NOTIFY_REJECTIONS = ['malformed', 'unsupported-sign-type', 'bad-signature', 'stale'] as const;
export type YopointNotifyRejection = (typeof YOPOINT_NOTIFY_REJECTIONS)[number];

export type YopointNotifyVerdict =
  | { ok: true; notification: YopointNotification }
  | { ok: false; reason: YopointNotifyRejection; detail: string; raw: Readonly<Record<string, string>> };

/**
 * Decodes an `application/x-www-form-urlencoded` body (§5: the webhook's
 * content type). Null when a key repeats: which value was signed would be ambiguous.
 */
export function decodeYopointForm(body: string): Record<string, string> | null {
  const form: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (Object.hasOwn(form, k)) return null;
    form[k] = v;
  }
  return form;
}

/**
 * Verifies one notification. Order: form shape, `sign_type`, signature (§2.2),
 * freshness (only when `notifyMaxSkewMs` is set), then `biz_content`. A
 * genuine notification whose method or biz_content we do not know is still
 * `ok` (authentic) with `known: false`, so its raw payload can be kept.
 */
export function verifyYopointNotification(
  form: Readonly<Record<string, string>>,
  options: YopointNotifyOptions,
  nowMs: number,
): YopointNotifyVerdict {
  const raw = { ...form };
  const shape = yopointNotifyFormSchema.safeParse(raw);
  if (!shape.success) return { ok: false, reason: 'malformed', detail: z.prettifyError(shape.error), raw };
  const f = shape.data;
  if (f.sign_type.toLowerCase() !== YOPOINT_SIGN_TYPE) {
    return { ok: false, reason: 'unsupported-sign-type', detail: `sign_type ${JSON.stringify(f.sign_type)}`, raw };
  }

  // UNVERIFIED: docs/vendors/yopoint.md §2.2 (an extra field is signed only with notifySignedFields = all-received)
  const signed: Record<string, string> =
    options.notifySignedFields === 'documented' ? Object.fromEntries(YOPOINT_NOTIFY_SIGNED_FIELDS.map((k) => [k, f[k]])) : raw;
  const expected = yopointSign(signed, options.appSecret, { emptyValues: options.emptyValues });
  if (!yopointSignMatches(f.sign, expected)) return { ok: false, reason: 'bad-signature', detail: `method ${f.method}`, raw };

  const sentAtMs = yopointTimestampToMs(f.timestamp, options.timestampUnit);
  // UNVERIFIED: docs/vendors/yopoint.md §2.4 / §10.3 (no skew documented for webhooks; off by default)
  if (options.notifyMaxSkewMs !== null) {
    if (sentAtMs === null) return { ok: false, reason: 'malformed', detail: `timestamp ${JSON.stringify(f.timestamp)}`, raw };
    const skew = Math.abs(nowMs - sentAtMs);
    if (skew > options.notifyMaxSkewMs) return { ok: false, reason: 'stale', detail: `skew ${skew} ms > ${options.notifyMaxSkewMs} ms`, raw };
  }

  const common: NotificationCommon = { appid: f.appid, timestamp: f.timestamp, sentAtMs, raw };
  return { ok: true, notification: parseBiz(f.method, f.biz_content, common) };
}

function parseBiz(method: string, bizContent: string, common: NotificationCommon): YopointNotification {
  if (!isYopointNotifyMethod(method)) return { known: false, method, problem: 'method not handled', ...common };
  let json: unknown;
  try {
    json = JSON.parse(bizContent);
  } catch (err) {
    // §5.4: the vendor's own example is not valid JSON; we do not guess a lenient parse.
    return { known: false, method, problem: `biz_content is not JSON: ${(err as Error).message}`, ...common };
  }
  const schema: z.ZodType<YopointNotifyBizFor<typeof method>> = yopointNotifications[method].biz;
  const biz = schema.safeParse(json);
  if (!biz.success) return { known: false, method, problem: z.prettifyError(biz.error), ...common };
  // The cast pairs `method` with its own biz type, which TS cannot correlate through the table lookup.
  return { known: true, method, biz: biz.data, ...common } as KnownNotification;
}

/** §5 / §9: `error_code` 0 = handled. `error_msg` "SUCCESS" as on API responses (§1.2). */
export const YOPOINT_NOTIFY_OK: YopointNotifyAnswer = Object.freeze({ error_code: 0, error_msg: 'SUCCESS', data: Object.freeze({}) });

/**
 * `error_msg` of our non-zero replies. §5 defines only "non-zero = error";
 * these codes are ours, in the vendor's upper-snake style (§1.2).
 */
const FAILURE_MSG: Record<YopointNotifyRejection | 'unrecognised', string> = {
  malformed: 'ERR_PARAMS',
  'unsupported-sign-type': 'ERR_SIGN_TYPE',
  'bad-signature': 'ERR_SIGN',
  stale: 'ERR_TIMESTAMP',
  unrecognised: 'ERR_UNSUPPORTED',
};

/**
 * The reply body for a verdict (§5 "返回结果结构": `{error_code, error_msg, data}`).
 * 0 for a known, parsed notification; -1 (the gateway's signature-error code,
 * §1.2) otherwise, including an authentic but unrecognised one: we did not
 * handle it. Whether Yopoint retries after a non-zero reply is UNKNOWN (§10.7).
 */
// UNVERIFIED: docs/vendors/yopoint.md §5 / §10.7 (non-zero values and retry behaviour not documented)
export function yopointNotifyAnswer(verdict: YopointNotifyVerdict): YopointNotifyAnswer {
  if (verdict.ok && verdict.notification.known) return { error_code: 0, error_msg: YOPOINT_NOTIFY_OK.error_msg, data: {} };
  const key = verdict.ok ? 'unrecognised' : verdict.reason;
  return { error_code: -1, error_msg: FAILURE_MSG[key], data: {} };
}

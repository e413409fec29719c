/**
 * `POST /yopoint/notify`: Yopoint's "业务异步通知" webhooks (docs/vendors/yopoint.md §5),
 * verified per §2.2 and answered in the §5 reply envelope. Pure.
 *
 * Statuses: the §5 reply is a JSON body whose `error_code` carries the
 * verdict (0 = handled); §5 names no HTTP status. We add one a generic proxy
 * or log can read: 200 for an authentic notification, 401 for a signature
 * that does not verify (or an unsupported `sign_type`, or a stale
 * timestamp when a window is configured), 400 for a body that is not a
 * notification form. Every body is `yopointNotifyAnswer`'s.
 */
// UNVERIFIED: docs/vendors/yopoint.md §5 / §10.7 (HTTP status of a refusal, and whether Yopoint retries on non-zero or non-2xx)
import { mapYopointNotification, YOPOINT_SOURCE, type YopointInbound } from '../yopoint/mapper.js';
import {
  decodeYopointForm,
  verifyYopointNotification,
  YOPOINT_NOTIFY_SIGNED_FIELDS,
  yopointNotifyAnswer,
  type YopointNotifyOptions,
  type YopointNotifyRejection,
  type YopointNotifyVerdict,
} from '../yopoint/callback.js';
import type { YopointNotifyAnswer } from '../yopoint/schemas.js';
import { contentKey } from './content-key.js';
import { ReceiverError } from './errors.js';
import { JSON_UTF8, STATUS_FOR_REFUSAL, utf8Text, type CallbackRoute, type RouteAnswer, type RouteVerdict, type ServerRefusal } from './route.js';

export const YOPOINT_NOTIFY_PATH = '/yopoint/notify';

const REFUSAL_STATUS: Readonly<Record<YopointNotifyRejection, number>> = {
  malformed: 400,
  'unsupported-sign-type': 401,
  'bad-signature': 401,
  stale: 401,
};

/**
 * `error_msg` of the answers the server decides (§1.2 upper-snake style; §5
 * defines only "non-zero = error"). `ERR_SYSTEM` is a value §1.2 shows.
 */
const SERVER_REFUSAL_MSG: Readonly<Record<ServerRefusal, string>> = { 'too-large': 'ERR_PARAMS', 'inbox-unavailable': 'ERR_SYSTEM' };

/** Throws ReceiverError('unauthenticated-route') for an empty appSecret. */
export function yopointRoute(options: YopointNotifyOptions): CallbackRoute {
  if (options.appSecret.length === 0) throw new ReceiverError('unauthenticated-route', 'yopoint receiver: appSecret is empty');
  return {
    vendor: YOPOINT_SOURCE,
    path: YOPOINT_NOTIFY_PATH,
    handle: (request, nowMs) => handleYopoint(request.body, options, nowMs),
    refusal: (kind) => json(STATUS_FOR_REFUSAL[kind], { error_code: -1, error_msg: SERVER_REFUSAL_MSG[kind], data: {} }),
  };
}

function handleYopoint(body: Uint8Array, options: YopointNotifyOptions, nowMs: number): RouteVerdict {
  const text = utf8Text(body);
  // §5: application/x-www-form-urlencoded. A repeated key makes the signed value ambiguous (decodeYopointForm).
  const form = text === null ? null : decodeYopointForm(text);
  if (form === null) {
    return refuse({ ok: false, reason: 'malformed', detail: text === null ? 'body is not UTF-8' : 'a form key repeats', raw: {} });
  }
  const verdict = verifyYopointNotification(form, options, nowMs);
  if (!verdict.ok) return refuse(verdict);

  const inbound = withSafeKey(mapYopointNotification(verdict.notification));
  return {
    verdict: 'accept',
    command: { commandId: inbound.commandId, source: YOPOINT_SOURCE, type: inbound.event.type, receivedAt: nowMs },
    content: inbound,
    // 0 for a known notification; -1 ERR_UNSUPPORTED for an authentic one we do not handle (yopoint/callback.ts), recorded all the same.
    answer: json(200, yopointNotifyAnswer(verdict)),
  };
}

/**
 * §9: the dedupe key is method + ReceiptNo / RequestID (mapper.ts). For a
 * notification that has neither (a method we do not handle), mapper.ts falls
 * back to the `sign`; we replace that with the SHA-256 of the §2.2 signed
 * fields, which dedupes exactly the same redeliveries without putting a
 * signature into an id that gets logged.
 */
function withSafeKey(inbound: YopointInbound): YopointInbound {
  if (inbound.event.type !== 'unrecognised') return inbound;
  const signed = Object.fromEntries(YOPOINT_NOTIFY_SIGNED_FIELDS.filter((k) => Object.hasOwn(inbound.raw, k)).map((k) => [k, inbound.raw[k]]));
  return { ...inbound, commandId: `${YOPOINT_SOURCE}:${inbound.vendorMethod}:${contentKey(signed)}` };
}

function refuse(verdict: Extract<YopointNotifyVerdict, { ok: false }>): RouteVerdict {
  const status = REFUSAL_STATUS[verdict.reason];
  // `detail` names a field, a method or a skew, never a value of the secret or the sign (yopoint/callback.ts).
  return { verdict: 'refuse', status, reason: `${verdict.reason}: ${verdict.detail}`, answer: json(status, yopointNotifyAnswer(verdict)) };
}

function json(status: number, answer: YopointNotifyAnswer): RouteAnswer {
  return { status, contentType: JSON_UTF8, body: JSON.stringify(answer) };
}

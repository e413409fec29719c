/**
 * `POST /dingshang/delivery`: the `device.delivery.response` push to our
 * `notify_url` (docs/vendors/dingshang.md §10). Authentication and parsing are
 * dingshang/callback.ts `verifyDeliveryCallback` (URL token and/or the
 * UNVERIFIED §2 signature); this adds the inbox mapping. Pure.
 *
 * Answers are the verifier's: 200 with the configured `ackBody` (§10 asks
 * only for "status 200 or other", no body), 401 for a bad token or
 * signature, 400 for a body that is not a JSON object.
 */
import { verifyDeliveryCallback, type CallbackAuth, type CallbackReply } from '../dingshang/callback.js';
import { DINGSHANG_SOURCE, mapDingshangCallback } from './dingshang-inbound.js';
import { ReceiverError } from './errors.js';
import { STATUS_FOR_REFUSAL, TEXT_UTF8, utf8Text, type CallbackRoute, type RouteAnswer, type RouteVerdict } from './route.js';

export const DINGSHANG_DELIVERY_PATH = '/dingshang/delivery';

/** Shortest URL token accepted: it is the only proof of origin when the body is unsigned (§10). */
export const MIN_URL_TOKEN_LENGTH = 16;

/**
 * Throws ReceiverError('unauthenticated-route') when `auth` checks nothing
 * (no URL token and no signature: anyone could post results) or the token
 * is shorter than MIN_URL_TOKEN_LENGTH or its query parameter name is empty.
 */
export function dingshangRoute(auth: CallbackAuth): CallbackRoute {
  const signed = auth.signature !== undefined && auth.signature.kind !== 'none';
  if (auth.urlToken === null && !signed) {
    throw new ReceiverError('unauthenticated-route', 'dingshang receiver: configure a URL token or a signature; an unauthenticated callback route is refused');
  }
  if (auth.urlToken !== null && (auth.urlToken.param.length === 0 || auth.urlToken.value.length < MIN_URL_TOKEN_LENGTH)) {
    throw new ReceiverError('unauthenticated-route', `dingshang receiver: the URL token needs a parameter name and at least ${MIN_URL_TOKEN_LENGTH} characters`);
  }
  return {
    vendor: DINGSHANG_SOURCE,
    path: DINGSHANG_DELIVERY_PATH,
    handle: (request, nowMs) => handleDingshang(request.target, request.body, auth, nowMs),
    refusal: (kind) => ({ status: STATUS_FOR_REFUSAL[kind], contentType: TEXT_UTF8, body: '' }),
  };
}

function handleDingshang(target: string, body: Uint8Array, auth: CallbackAuth, nowMs: number): RouteVerdict {
  const text = utf8Text(body);
  if (text === null) return { verdict: 'refuse', status: 400, reason: 'body is not UTF-8', answer: plain({ status: 400, body: '' }) };
  const v = verifyDeliveryCallback({ url: target, body: text }, auth);
  if (v.kind === 'rejected') return { verdict: 'refuse', status: v.reply.status, reason: v.reason, answer: plain(v.reply) };

  // The verifier has established that the text is a JSON object; `raw` keeps it exactly as sent (the parsed callback is normalised).
  const raw = JSON.parse(text) as Record<string, unknown>;
  const inbound = mapDingshangCallback(raw, v.kind === 'delivery' ? v.result : null);
  return {
    verdict: 'accept',
    command: { commandId: inbound.commandId, source: DINGSHANG_SOURCE, type: inbound.event.type, receivedAt: nowMs },
    content: inbound,
    answer: plain(v.reply),
  };
}

function plain(reply: CallbackReply): RouteAnswer {
  return { status: reply.status, contentType: TEXT_UTF8, body: reply.body };
}

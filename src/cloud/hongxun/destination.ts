import type { DomainEventType } from '../../shared/events.js';
/**
 * 签收信息推送 sign-for push (docs/vendors/hongxun.md §7.8) after each `parcel.picked-up`:
 * the §2 envelope signed per Appendix 1 (§3), built afresh on every attempt
 * (the sign is valid 10 minutes) with its timestamp on Hongxun's clock as
 * measured by the injected ClockOffset, which every answer's `Date` header feeds.
 */
import type { ClockOffset } from '../common/clock-offset.js';
import { httpUrl, type HttpAnswer } from '../common/http.js';
import type { OutboundEventOf } from '../common/outbound-event.js';
import { PushDestination, type BuiltPush } from '../common/push-destination.js';
import { classifyHttp, httpReason } from '../sync/classify.js';
import type { DeliveryOutcome } from '../sync/ports.js';
import type { HongxunSignForConfig } from './config.js';
import { parseHongxunResponse } from './signer.js';
import { HONGXUN_CONTENT_TYPE, parseHongxunTime } from './schemas.js';
import { buildHongxunSignFor, type HongxunSignForFacts, type HongxunSignForResult } from './mapper.js';

/** The event types that become a push; any other type is skipped (nothing to send). */
export const HONGXUN_EVENT_TYPES: readonly DomainEventType[] = ['parcel.picked-up'];

export interface HongxunSignForDestinationDeps {
  /** Hongxun's clock minus ours; corrects `timestamp` and `signedTime`, and learns from every answer. */
  clock: ClockOffset;
  /**
   * The order facts our event lacks (§7.8 `customerNumber`, `actualQuantity`,
   * `productList`, `signer`, optional `mailno`…), looked up by src/main.
   * A fact given here wins over the event and the config defaults. Default none.
   */
  factsFor?: (event: OutboundEventOf<'parcel.picked-up'>) => Partial<HongxunSignForFacts> | undefined;
  /** Default Date.now. */
  now?: () => number;
}

interface HongxunPush extends BuiltPush {
  /** The `timestamp` this attempt signed: a refusal is judged against it (clock skew). */
  timestamp: string;
}

export class HongxunSignForDestination extends PushDestination<HongxunPush> {
  /** `config` is the output of `hongxunSignForConfigSchema`. Throws RangeError for a URL that is not http(s). */
  constructor(config: HongxunSignForConfig, deps: HongxunSignForDestinationDeps) {
    const url = httpUrl(config.url, `hongxun ${config.name}`);
    const now = deps.now ?? Date.now;
    const { clock } = deps;
    super(
      // A refusal may echo what we sent: keep the secret and each attempt's sign out of rows and logs.
      { name: config.name, url, timeoutMs: config.timeoutMs, now, secrets: [config.sk] },
      {
        build: (event) => {
          if (event.type !== 'parcel.picked-up') return { kind: 'skip', reason: `Hongxun takes a sign-for after a pickup only (§7.8), not ${event.type}` };
          // Built per attempt: a fresh timestamp, and the offset measured so far.
          const built = buildHongxunSignFor(event, factsOf(event, config, deps.factsFor), config, { nowMs: now(), clockOffsetMs: clock.offsetMs() });
          // No order number: this parcel is not a Hongxun order, so there is nothing to sign for. The other
          // required facts come from configuration (signForDefaults, signer): missing, every event would fail → dead.
          if (!built.ok && built.reason === 'missing-facts' && built.missing.includes('customerNumber')) return { kind: 'skip', reason: refusal(built) };
          if (!built.ok) return { kind: 'dead', reason: refusal(built) };
          const { sign, timestamp } = built.envelope;
          return { kind: 'send', push: { headers: { 'content-type': HONGXUN_CONTENT_TYPE }, body: built.body, secrets: [sign.toLowerCase(), sign.toUpperCase()], timestamp } };
        },
        // formatHongxunTime / hongxunJson: a time or number JSON cannot carry; the message holds no secret.
        buildFailure: (err) => `cannot build the sign-for: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}`,
        classify: (answer, push) => {
          clock.observeDateHeader(answer.headers.get('date'), answer.sentAt, answer.receivedAt);
          return classify(answer, push.timestamp, config, now);
        },
      },
    );
  }
}

/** Injected facts, else the event (per `customerNumberFrom`), else the config defaults. */
function factsOf(event: OutboundEventOf<'parcel.picked-up'>, config: HongxunSignForConfig, factsFor: HongxunSignForDestinationDeps['factsFor']): Partial<HongxunSignForFacts> {
  const fromEvent: Partial<HongxunSignForFacts> = {};
  const p = event.payload;
  if (config.customerNumberFrom === 'external-ref' && p.externalRef !== null) fromEvent.customerNumber = p.externalRef;
  if (config.customerNumberFrom === 'parcel-id' && p.parcelId !== null) fromEvent.customerNumber = p.parcelId;
  return { ...config.signForDefaults, ...fromEvent, ...definedOnly(factsFor?.(event) ?? {}) };
}

function classify(answer: HttpAnswer, sentTimestamp: string, config: HongxunSignForConfig, now: () => number): DeliveryOutcome {
  const byStatus = classifyHttp(answer.status, answer.headers, answer.text, now());
  if (byStatus.kind !== 'delivered') return byStatus;
  let body: unknown;
  try {
    body = JSON.parse(answer.text) as unknown;
  } catch {
    return { kind: 'dead', reason: `${httpReason(answer.status, answer.text)} (not JSON)` };
  }
  const result = parseHongxunResponse(body);
  if (result.ok) return { kind: 'delivered' };
  if (result.kind === 'malformed') return { kind: 'dead', reason: `not a Hongxun response (§4): ${result.problem.slice(0, 200)}` };
  const refused = `Hongxun refused: code ${result.code}: ${result.message.slice(0, 200)}`;
  // §2: the server tolerates 10 minutes of clock error. A refusal of a
  // timestamp that this very answer's Date shows was further off than that
  // is the clock's fault: the next attempt is signed with the new offset.
  const skewMs = skewOf(sentTimestamp, answer, config);
  if (skewMs !== null && skewMs > config.maxSkewMs) {
    return { kind: 'retry', reason: `${refused} (our timestamp was ${Math.round(skewMs / 1000)} s off Hongxun's clock; re-signed with the measured offset next time)` };
  }
  if (config.signErrorCodes.includes(result.code)) return { kind: 'unauthorised', reason: refused };
  return { kind: 'dead', reason: refused };
}

/** |the timestamp we signed − Hongxun's clock when we sent it|, from this answer's Date header; null without one. */
function skewOf(sentTimestamp: string, answer: HttpAnswer, config: HongxunSignForConfig): number | null {
  const date = answer.headers.get('date');
  const serverAtAnswer = date === null ? NaN : Date.parse(date);
  const signedAs = parseHongxunTime(sentTimestamp, config.timeZone);
  if (Number.isNaN(serverAtAnswer) || signedAs === null) return null;
  // The Date header has 1 s resolution (+500 ms, as ClockOffset reads it); half the round trip back to the send.
  const serverAtSend = serverAtAnswer + 500 - (answer.receivedAt - answer.sentAt) / 2;
  return Math.abs(signedAs - serverAtSend);
}

/** `{k: undefined}` must not hide a default in a spread. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function refusal(r: Exclude<HongxunSignForResult, { ok: true }>): string {
  switch (r.reason) {
    case 'missing-facts':
      return `sign-for needs ${r.missing.join(', ')} (§7.8 required; not in the event, the order facts or signForDefaults)`;
    case 'invalid-facts':
      return `sign-for facts do not fit §7.8: ${r.problem.slice(0, 200)}`;
  }
}

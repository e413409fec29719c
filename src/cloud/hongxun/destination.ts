import type { DomainEventType } from '../../shared/events.js';
/**
 * 签收信息推送 sign-for push (docs/vendors/hongxun.md §7.8) after each `parcel.picked-up`:
 * the §2 envelope signed per Appendix 1 (§3), built afresh on every attempt
 * (the sign is valid 10 minutes) with its timestamp on Hongxun's clock as
 * measured by the injected ClockOffset, which every answer's `Date` header feeds.
 */
import type { ClockOffset } from '../clock-offset.js';
import { httpSend, httpUrl, type HttpAnswer } from '../http/send.js';
import type { OutboundEvent, OutboundEventOf } from '../outbound-event.js';
import { classifyError, classifyHttp, httpReason } from '../sync/classify.js';
import type { DeliveryOutcome, Destination } from '../sync/ports.js';
import type { HongxunSignForConfig } from './config.js';
import { parseHongxunResponse } from './envelope.js';
import { HONGXUN_CONTENT_TYPE } from './schemas.js';
import { buildHongxunSignFor, type HongxunSignForFacts, type HongxunSignForResult } from './sign-for.js';
import { parseHongxunTime } from './time.js';
import { redactSecrets } from '../redact.js';

/** The event types that become a push; every other type is delivered without a request. */
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

/** Read at most this much of an answer: the §4 envelope is small. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export class HongxunSignForDestination implements Destination {
  readonly name: string;
  readonly #config: HongxunSignForConfig;
  readonly #url: URL;
  readonly #clock: ClockOffset;
  readonly #factsFor: HongxunSignForDestinationDeps['factsFor'];
  readonly #now: () => number;

  /** `config` is the output of `hongxunSignForConfigSchema`. Throws RangeError for a URL that is not http(s). */
  constructor(config: HongxunSignForConfig, deps: HongxunSignForDestinationDeps) {
    this.#url = httpUrl(config.url, `hongxun ${config.name}`);
    this.name = config.name;
    this.#config = config;
    this.#clock = deps.clock;
    this.#factsFor = deps.factsFor;
    this.#now = deps.now ?? Date.now;
  }

  async deliver(event: OutboundEvent, signal: AbortSignal): Promise<DeliveryOutcome> {
    if (event.type !== 'parcel.picked-up') return { kind: 'delivered' };
    const built = this.#build(event);
    if (!built.ok) return { kind: 'dead', reason: refusal(built) };

    let answer: HttpAnswer;
    try {
      answer = await httpSend(
        { url: this.#url, method: 'POST', headers: { 'content-type': HONGXUN_CONTENT_TYPE }, body: built.body, signal, timeoutMs: this.#config.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES },
        this.#now,
      );
    } catch (err) {
      return this.#redacted(classifyError(err), built.envelope.sign);
    }
    this.#clock.observeDateHeader(answer.headers.get('date'), answer.sentAt, answer.receivedAt);
    return this.#redacted(this.#classify(answer, built.envelope.timestamp), built.envelope.sign);
  }

  /** Built per attempt: a fresh timestamp, and the offset measured so far. */
  #build(event: OutboundEventOf<'parcel.picked-up'>): HongxunSignForResult | { ok: false; reason: 'unbuildable'; problem: string } {
    try {
      return buildHongxunSignFor(event, this.#facts(event), this.#config, { nowMs: this.#now(), clockOffsetMs: this.#clock.offsetMs() });
    } catch (err) {
      // formatHongxunTime / canonicalJson: a time or number JSON cannot carry; the message holds no secret.
      return { ok: false, reason: 'unbuildable', problem: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Injected facts, else the event (per `customerNumberFrom`), else the config defaults. */
  #facts(event: OutboundEventOf<'parcel.picked-up'>): Partial<HongxunSignForFacts> {
    const fromEvent: Partial<HongxunSignForFacts> = {};
    const p = event.payload;
    if (this.#config.customerNumberFrom === 'external-ref' && p.externalRef !== null) fromEvent.customerNumber = p.externalRef;
    if (this.#config.customerNumberFrom === 'parcel-id' && p.parcelId !== null) fromEvent.customerNumber = p.parcelId;
    return { ...this.#config.signForDefaults, ...fromEvent, ...definedOnly(this.#factsFor?.(event) ?? {}) };
  }

  #classify(answer: HttpAnswer, sentTimestamp: string): DeliveryOutcome {
    const byStatus = classifyHttp(answer.status, answer.headers, answer.text, this.#now());
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
    const skewMs = this.#skewOf(sentTimestamp, answer);
    if (skewMs !== null && skewMs > this.#config.maxSkewMs) {
      return { kind: 'retry', reason: `${refused} (our timestamp was ${Math.round(skewMs / 1000)} s off Hongxun's clock; re-signed with the measured offset next time)` };
    }
    if (this.#config.signErrorCodes.includes(result.code)) return { kind: 'unauthorised', reason: refused };
    return { kind: 'dead', reason: refused };
  }

  /** |the timestamp we signed − Hongxun's clock when we sent it|, from this answer's Date header; null without one. */
  #skewOf(sentTimestamp: string, answer: HttpAnswer): number | null {
    const date = answer.headers.get('date');
    const serverAtAnswer = date === null ? NaN : Date.parse(date);
    const signedAs = parseHongxunTime(sentTimestamp, this.#config.timeZone);
    if (Number.isNaN(serverAtAnswer) || signedAs === null) return null;
    // The Date header has 1 s resolution (+500 ms, as ClockOffset reads it); half the round trip back to the send.
    const serverAtSend = serverAtAnswer + 500 - (answer.receivedAt - answer.sentAt) / 2;
    return Math.abs(signedAs - serverAtSend);
  }

  /** A refusal may echo what we sent: keep the secret and the sign out of rows and logs. */
  #redacted(outcome: DeliveryOutcome, sign: string): DeliveryOutcome {
    if (outcome.kind === 'delivered') return outcome;
    return { ...outcome, reason: redactSecrets(outcome.reason, [this.#config.sk, sign.toLowerCase(), sign.toUpperCase()]) };
  }
}

/** `{k: undefined}` must not hide a default in a spread. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function refusal(r: Exclude<HongxunSignForResult, { ok: true }> | { ok: false; reason: 'unbuildable'; problem: string }): string {
  switch (r.reason) {
    case 'missing-facts':
      return `sign-for needs ${r.missing.join(', ')} (§7.8 required; not in the event, the order facts or signForDefaults)`;
    case 'invalid-facts':
      return `sign-for facts do not fit §7.8: ${r.problem.slice(0, 200)}`;
    case 'unbuildable':
      return `cannot build the sign-for: ${r.problem.slice(0, 200)}`;
  }
}

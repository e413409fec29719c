/**
 * Reports a used Dingshang code with `POST /consumes` (docs/vendors/dingshang.md §6.5;
 * docs/vendors/README.md §1): one call per `parcel.picked-up` event
 * whose code came from the Dingshang code source, `trade_id` = our event id.
 * Every other event (another type, another source's code) is skipped:
 * nothing to send, no request, the reason on the row.
 *
 * The code text: §6.5 requires `code`, and `parcel.picked-up` does not carry
 * it (the store keeps codes as keyed hashes; README "What our domain events
 * lack"). It comes from, in order:
 *   1. `deps.codeFor(event)`, when src/main can supply it;
 *   2. the text found for this event on an earlier attempt (memory only);
 *   3. §6.3 for the product, matched on the record id of `codeExternalId`
 *      (`{product_id}:{id}`): the code is still listed while Dingshang has
 *      not seen it used.
 * A code that is found nowhere (used, cancelled or expired upstream, and not
 * remembered) cannot be reported: the row goes dead with that reason.
 */
import { assertNever } from '../../shared/domain.js';
import type { DomainEventType } from '../../shared/events.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { OutboundEvent, OutboundEventOf } from '../common/outbound-event.js';
import { classifyError, classifyHttp } from '../sync/classify.js';
import type { DeliveryOutcome, Destination } from '../sync/ports.js';
import type { DingshangClient } from './client.js';
import { DingshangError, DS_ERROR } from './errors.js';
import type { DingshangConfig } from './config.js';
import { DINGSHANG_CODE_SOURCE, parseCodeExternalId, tradeIdForEvent, tradeIdMatchesEvent } from './mapper.js';

/** The event types this destination sends a request for; src/main queues only these for it. */
export const DINGSHANG_EVENT_TYPES: readonly DomainEventType[] = ['parcel.picked-up'];

/**
 * Refusal codes that say "not now" rather than "never" (§8.4, §9): the
 * machine is offline, not in operation or being transferred, or the pickup
 * code switch is off in the dashboard (§6, fixed there, not per event).
 */
// UNVERIFIED: docs/vendors/dingshang.md §9 (the spec marks no code as transient; these name temporary machine or dashboard states)
export const DS_TRANSIENT_CODES: ReadonlySet<number> = new Set([
  DS_ERROR.MACHINE_OFFLINE,
  DS_ERROR.MACHINE_OFFLINE_V2,
  DS_ERROR.MACHINE_NOT_OPERATING,
  DS_ERROR.PICKUP_CODE_DISABLED,
  DS_ERROR.PICKUP_CODE_FUNCTION_UNABLE,
  // §9 "5001–5003 machine transfer states" (§8.4 TRANSFER: no service until the receiver accepts).
  5001,
  5002,
  5003,
]);

/** What the destination calls; a `DingshangClient` in the agent. */
export type DingshangConsumeClient = Pick<DingshangClient, 'consume' | 'order' | 'codes'>;

export interface DingshangDestinationDeps {
  client: DingshangConsumeClient;
  /**
   * The plain code of a picked-up Dingshang code, when src/main has it (e.g.
   * sealed in the event). null/undefined: look it up (see above). Its errors
   * are never quoted (they could hold the code).
   */
  codeFor?: (event: OutboundEventOf<'parcel.picked-up'>) => string | null | undefined;
  /** Default Date.now: the base of a Retry-After date. */
  now?: () => number;
  /** Default silent. Never given a code. */
  logger?: Logger;
}

/** Codes remembered between attempts of one event (a lost answer to a consume that went through). */
const MAX_REMEMBERED_CODES = 1000;

export class DingshangDestination implements Destination {
  readonly name: string;
  readonly #tradeIdFormat: DingshangConfig['tradeIdFormat'];
  readonly #deps: DingshangDestinationDeps;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #remembered = new Map<string, string>();

  constructor(config: Pick<DingshangConfig, 'name' | 'tradeIdFormat'>, deps: DingshangDestinationDeps) {
    this.name = config.name;
    this.#tradeIdFormat = config.tradeIdFormat;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#log = (deps.logger ?? silentLogger).child({ module: 'cloud/dingshang', destination: config.name });
  }

  async deliver(event: OutboundEvent, signal: AbortSignal): Promise<DeliveryOutcome> {
    if (event.type !== 'parcel.picked-up') return { kind: 'skipped', reason: `Dingshang is told of used codes only (§6.5), not ${event.type}` };
    if (event.payload.codeSource !== DINGSHANG_CODE_SOURCE) return { kind: 'skipped', reason: `the code used came from ${event.payload.codeSource}, not Dingshang: no /consumes to send (§6.5)` };
    const ref = event.payload.codeExternalId === null ? null : parseCodeExternalId(event.payload.codeExternalId);
    if (ref === null) return { kind: 'dead', reason: 'the event has no Dingshang code id ({product_id}:{id}), so /consumes cannot name the product (§6.5)' };

    const found = await this.#codeOf(event, ref, signal);
    if (found.kind !== 'code') return found.outcome;
    const code = found.code;
    const hide = (reason: string): string => (code.length >= 4 ? reason.split(code).join('[code]') : reason);

    try {
      const result = await this.#deps.client.consume({ code, productId: ref.productId, tradeId: tradeIdForEvent(event.id, this.#tradeIdFormat) }, signal);
      if (result.kind === 'consumed') {
        this.#remembered.delete(event.id);
        // §6.5 answers with the order; its order_id is what the §10 delivery callback names.
        return { kind: 'delivered', vendorRef: String(result.order.order_id) };
      }
      const outcome = await this.#reconcile(event, result.orderId, signal);
      if (outcome.kind === 'delivered') this.#remembered.delete(event.id);
      return outcome.kind === 'delivered' ? outcome : { ...outcome, reason: hide(outcome.reason) };
    } catch (err) {
      const outcome = outcomeOf(err, this.#now());
      return outcome.kind === 'delivered' ? outcome : { ...outcome, reason: hide(outcome.reason) };
    }
  }

  async #codeOf(
    event: OutboundEventOf<'parcel.picked-up'>,
    ref: { productId: number; recordId: number },
    signal: AbortSignal,
  ): Promise<{ kind: 'code'; code: string } | { kind: 'none'; outcome: DeliveryOutcome }> {
    let given: string | null | undefined;
    try {
      given = this.#deps.codeFor?.(event);
    } catch (err) {
      return { kind: 'none', outcome: { kind: 'dead', reason: `cannot recover the code text: ${err instanceof Error ? err.name : typeof err}` } };
    }
    const known = given ?? this.#remembered.get(event.id);
    if (known !== undefined && known !== null && known.length > 0) return { kind: 'code', code: this.#remember(event.id, known) };
    let listed;
    try {
      listed = await this.#deps.client.codes(ref.productId, signal);
    } catch (err) {
      return { kind: 'none', outcome: outcomeOf(err, this.#now()) };
    }
    const match = listed.find((c) => c.id === ref.recordId && c.code.length > 0);
    if (match === undefined) {
      return {
        kind: 'none',
        outcome: {
          kind: 'dead',
          reason:
            `code ${ref.productId}:${ref.recordId} is no longer listed upstream (used, cancelled or expired, §6.3) and its text is not kept here, ` +
            'so /consumes cannot be sent',
        },
      };
    }
    return { kind: 'code', code: this.#remember(event.id, match.code) };
  }

  #remember(eventId: string, code: string): string {
    this.#remembered.delete(eventId);
    this.#remembered.set(eventId, code);
    if (this.#remembered.size > MAX_REMEMBERED_CODES) {
      const oldest = this.#remembered.keys().next().value;
      if (oldest !== undefined) this.#remembered.delete(oldest);
    }
    return code;
  }

  /**
   * §6.5: "already used" is delivered (docs/vendors/README.md §1). Where the answer names
   * the order, §5.2 tells whether it is ours (our `trade_id`, an earlier
   * attempt whose answer was lost) or someone else's (the code was also used
   * upstream): logged, and delivered either way, since the vendor already
   * holds the code as used. Only a transient failure of that query retries.
   */
  async #reconcile(event: OutboundEvent, orderId: number | null, signal: AbortSignal): Promise<DeliveryOutcome> {
    if (orderId === null) {
      this.#log.warn({ eventId: event.id }, 'dingshang: code already used, no order_id to reconcile with (§6.5); delivered');
      return { kind: 'delivered' };
    }
    try {
      const order = await this.#deps.client.order(orderId, signal);
      if (tradeIdMatchesEvent(order.trade_id, event.id)) {
        this.#log.info({ eventId: event.id, orderId }, 'dingshang: code already used by this event (an earlier attempt went through)');
        return { kind: 'delivered', vendorRef: String(orderId) };
      }
      this.#log.warn({ eventId: event.id, orderId, tradeId: order.trade_id }, 'dingshang: code was already used by another order; delivered, check the order');
      return { kind: 'delivered' };
    } catch (err) {
      const outcome = outcomeOf(err, this.#now());
      if (outcome.kind === 'retry') return { ...outcome, reason: `code already used; reconciling order ${orderId}: ${outcome.reason}` };
      this.#log.warn({ eventId: event.id, orderId, error: err instanceof Error ? err.message : String(err) }, 'dingshang: code already used; the order could not be read; delivered');
      return { kind: 'delivered' };
    }
  }
}

/**
 * The outbox outcome of a failed call: network/timeout and HTTP via the
 * shared classifiers; a credentials or sign refusal → unauthorised; a
 * transient refusal code → retry; any other refusal, an unparsable answer
 * or a request we cannot build → dead with the vendor code and message.
 */
export function outcomeOf(err: unknown, now: number): DeliveryOutcome {
  if (!(err instanceof DingshangError)) return classifyError(err);
  switch (err.code) {
    case 'network':
    case 'timeout':
      return { kind: 'retry', reason: err.message };
    case 'http': {
      const retryAfter = err.meta.retryAfter ?? null;
      const outcome = classifyHttp(err.meta.status ?? 0, { get: (name) => (name.toLowerCase() === 'retry-after' ? retryAfter : null) }, '', now);
      return outcome.kind === 'delivered' ? { kind: 'dead', reason: err.message } : { ...outcome, reason: err.message };
    }
    case 'unauthorised':
      return { kind: 'unauthorised', reason: err.message };
    case 'refused':
      return err.meta.vendorCode !== undefined && DS_TRANSIENT_CODES.has(err.meta.vendorCode) ? { kind: 'retry', reason: err.message } : { kind: 'dead', reason: err.message };
    case 'unparsable':
    case 'invalid-request':
      return { kind: 'dead', reason: err.message };
    default:
      return assertNever(err.code, 'DingshangError code');
  }
}

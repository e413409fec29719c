/**
 * The skeleton every push destination shares (aituo, hongxun, webhooks):
 * build the request for one event → send it → classify the answer → redact
 * the failure reason. A vendor supplies only its parts (`PushVendor`): how an
 * event becomes a request, how a failed build is described, and, when a 2xx
 * is not enough, how its answer is read. The drainer (sync/drainer.ts) decides
 * what happens next from the outcome.
 */
import type { Agent } from 'node:http';
import { classifyError, classifyHttp } from '../sync/classify.js';
import type { DeliveryOutcome, Destination } from '../sync/ports.js';
import { httpSend, type HttpAnswer } from './http.js';
import type { OutboundEvent } from './outbound-event.js';
import { redactSecrets } from './redact.js';

/** Read at most this much of an answer: enough for any error text and for the small acknowledgements we parse. */
export const PUSH_MAX_RESPONSE_BYTES = 64 * 1024;

/** One request, built afresh for each attempt. */
export interface BuiltPush {
  headers: Record<string, string>;
  body: string;
  /** What this request carries that must never reach an outbox row or a log (a signature, a plain pickup code). */
  secrets: readonly string[];
}

/**
 * What to do with one event: `send` it, `skip` it (nothing to send: a type
 * this vendor is not sent, a fact only the order owner has; settled without
 * a request, with `reason`), or declare it `dead` (the same event and
 * configuration would fail the same way on every attempt).
 */
export type PushPlan<P extends BuiltPush> = { kind: 'send'; push: P } | { kind: 'skip'; reason: string } | { kind: 'dead'; reason: string };

export interface PushVendor<P extends BuiltPush> {
  /** Called per attempt (a fresh timestamp and signature each time). A throw is permanent: the event goes dead with `buildFailure(err)`. */
  build(event: OutboundEvent): PushPlan<P>;
  /** Describes a failed build without quoting a value (an unsealer's error could quote the code). */
  buildFailure(err: unknown): string;
  /** The answer → the outcome. Default: `classifyHttp` (2xx delivered, 429/5xx retry, 401/403 unauthorised, other 4xx dead). */
  classify?(answer: HttpAnswer, push: P): DeliveryOutcome;
}

export interface PushDestinationOptions {
  /** The outbox destination name. */
  name: string;
  /** Validated by the vendor (http(s), https where a secret rides along). Never logged: it may carry a token. */
  url: URL;
  /** One attempt's limit, body included. */
  timeoutMs: number;
  /** The destination's credentials, redacted from every failure reason with each request's own `secrets`. */
  secrets: readonly string[];
  /** Redacted values shorter than this are left alone (redact.ts). Default 4. */
  redactMinChars?: number;
  /** A keep-alive agent of the destination's own, so a backlog goes over one socket. Default: http.ts's shared pool. */
  agent?: Agent;
  /** Default Date.now: the base of a Retry-After date. */
  now?: () => number;
}

export class PushDestination<P extends BuiltPush> implements Destination {
  readonly name: string;
  readonly #options: PushDestinationOptions;
  readonly #vendor: PushVendor<P>;
  readonly #now: () => number;

  constructor(options: PushDestinationOptions, vendor: PushVendor<P>) {
    this.name = options.name;
    this.#options = options;
    this.#vendor = vendor;
    this.#now = options.now ?? Date.now;
  }

  async deliver(event: OutboundEvent, signal: AbortSignal): Promise<DeliveryOutcome> {
    let plan: PushPlan<P>;
    try {
      plan = this.#vendor.build(event);
    } catch (err) {
      plan = { kind: 'dead', reason: this.#vendor.buildFailure(err) };
    }
    if (plan.kind === 'skip') return { kind: 'skipped', reason: plan.reason };
    if (plan.kind === 'dead') return { kind: 'dead', reason: this.#redact(plan.reason, []) };

    const { push } = plan;
    let outcome: DeliveryOutcome;
    try {
      const { url, timeoutMs, agent } = this.#options;
      const answer = await httpSend(
        { url, method: 'POST', headers: push.headers, body: push.body, signal, timeoutMs, maxResponseBytes: PUSH_MAX_RESPONSE_BYTES, ...(agent === undefined ? {} : { agent }) },
        this.#now,
      );
      outcome = this.#vendor.classify?.(answer, push) ?? classifyHttp(answer.status, answer.headers, answer.text, this.#now());
    } catch (err) {
      outcome = classifyError(err);
    }
    // An answer can echo what we sent (a framework printing the request on a 400): keep secrets out of rows and logs.
    return outcome.kind === 'delivered' ? outcome : { ...outcome, reason: this.#redact(outcome.reason, push.secrets) };
  }

  #redact(reason: string, secrets: readonly string[]): string {
    return redactSecrets(reason, [...this.#options.secrets, ...secrets], this.#options.redactMinChars);
  }
}

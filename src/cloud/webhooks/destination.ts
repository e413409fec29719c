import type { Agent } from 'node:http';
import { httpSend, httpUrl, isLoopback, keepAliveAgent } from '../http/send.js';
import type { OutboundEvent } from '../outbound-event.js';
import { classifyError, classifyHttp } from '../sync/classify.js';
import type { DeliveryOutcome, Destination } from '../sync/ports.js';
import { webhookRequestFor, type PickupCodeOption, type WebhookRequest } from './payload.js';
import { StandardWebhookError, WEBHOOK_SECRET_PREFIX, WEBHOOK_SIGNATURE_HEADER, webhookSecretKey } from './standard-webhooks.js';
import { redactSecrets } from '../redact.js';

export type StandardWebhookConfig = PickupCodeOption & {
  /** The outbox destination name, e.g. `webhook-acme`. */
  name: string;
  /** http(s) endpoint. Never logged or put in an error (it may carry a token). */
  url: string;
  /** `whsec_<base64>`. Never logged or put in an error. */
  secret: string;
  /** One attempt's limit, body included. Default 10 000 ms. */
  timeoutMs?: number;
};

export interface StandardWebhookDeps {
  /** Default Date.now: the `webhook-timestamp` of each attempt and the base of a Retry-After date. */
  now?: () => number;
}

/** Read at most this much of an answer: enough for any error text. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A merchant backend that takes our events as Standard Webhooks
 * (README.md here): one signed POST per event, `webhook-id` = event id on
 * every retry, a fresh timestamp and signature on each attempt. The answer is
 * classified by sync/classify.ts; the drainer decides what happens next.
 *
 * fetch is Node's global (undici): keep-alive is its default, so a backlog
 * goes over one reused connection. We read (a bounded part of) every answer
 * so the connection can be reused.
 */
export class StandardWebhookDestination implements Destination {
  readonly name: string;
  readonly #url: URL;
  /** One keep-alive socket for this destination: a backlog goes over one connection. */
  readonly #agent: Agent;
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #pickup: PickupCodeOption;
  readonly #now: () => number;

  /** Throws RangeError for an empty name, a URL that is not http(s), a plain pickup code over http to another host; StandardWebhookError('bad-secret'). */
  constructor(config: StandardWebhookConfig, deps: StandardWebhookDeps = {}) {
    if (config.name.length === 0) throw new RangeError('webhook destination name is empty');
    const url = httpUrl(config.url, `webhook ${config.name}`);
    // payload.ts: the plain code goes to HTTPS endpoints only (loopback is a local relay, not the network).
    if (config.includePickupCode === true && url.protocol !== 'https:' && !isLoopback(url.hostname)) {
      throw new RangeError(`webhook ${config.name}: includePickupCode needs an https url`);
    }
    webhookSecretKey(config.secret); // throws bad-secret now rather than dead-lettering every event later
    const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`webhook ${config.name}: timeoutMs must be a positive integer`);

    this.name = config.name;
    this.#url = url;
    this.#agent = keepAliveAgent(url);
    this.#secret = config.secret;
    this.#timeoutMs = timeoutMs;
    this.#pickup = config.includePickupCode === true ? { includePickupCode: true, unsealCode: config.unsealCode } : {};
    this.#now = deps.now ?? Date.now;
  }

  async deliver(event: OutboundEvent, signal: AbortSignal): Promise<DeliveryOutcome> {
    let request: WebhookRequest;
    try {
      request = webhookRequestFor(event, { ...this.#pickup, secrets: [this.#secret], nowSeconds: this.#now() / 1000 });
    } catch (err) {
      // The event itself cannot be sent (an id with a dot, a code that will not unseal): retrying will not help.
      return { kind: 'dead', reason: this.#redact(buildFailure(err)) };
    }
    let outcome: DeliveryOutcome;
    try {
      const answer = await httpSend(
        { url: this.#url, method: 'POST', headers: request.headers, body: request.body, signal, timeoutMs: this.#timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES, agent: this.#agent },
        this.#now,
      );
      outcome = classifyHttp(answer.status, answer.headers, answer.text, this.#now());
    } catch (err) {
      outcome = classifyError(err);
    }
    return outcome.kind === 'delivered' ? outcome : { ...outcome, reason: this.#redact(outcome.reason, request.headers[WEBHOOK_SIGNATURE_HEADER]) };
  }

  /** An answer can echo what we sent (some frameworks print the request on a 400): keep the secret and signature out of rows and logs. */
  #redact(reason: string, signature?: string): string {
    const secrets = [this.#secret, this.#secret.slice(WEBHOOK_SECRET_PREFIX.length)];
    const signatures = signature === undefined ? [] : [signature, ...signature.split(' ').map((s) => s.slice(s.indexOf(',') + 1))];
    return redactSecrets(reason, [...secrets, ...signatures], 8);
  }
}

function buildFailure(err: unknown): string {
  if (err instanceof StandardWebhookError) return `cannot sign the event: ${err.code}`;
  // Not the message: the unsealer is main's, and its error could quote the code.
  return `cannot build the payload: ${err instanceof Error ? err.name : typeof err}`;
}

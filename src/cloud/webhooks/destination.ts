import { httpUrl, isHttpsUnlessLoopback, keepAliveAgent } from '../common/http.js';
import { PushDestination, type BuiltPush } from '../common/push-destination.js';
import { webhookRequestFor, type PickupCodeOption } from './mapper.js';
import { StandardWebhookError, WEBHOOK_SECRET_PREFIX, WEBHOOK_SIGNATURE_HEADER, webhookSecretKey } from './signer.js';

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

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A merchant backend that takes our events as Standard Webhooks
 * (README.md here): one signed POST per event, `webhook-id` = event id on
 * every retry, a fresh timestamp and signature on each attempt. The answer is
 * classified by sync/classify.ts; the drainer decides what happens next.
 *
 * One keep-alive socket of its own (common/http.ts): a backlog goes over one
 * reused connection. We read (a bounded part of) every answer so the
 * connection can be reused.
 */
export class StandardWebhookDestination extends PushDestination<BuiltPush> {
  /** Throws RangeError for an empty name, a URL that is not http(s), a plain pickup code over http to another host; StandardWebhookError('bad-secret'). */
  constructor(config: StandardWebhookConfig, deps: StandardWebhookDeps = {}) {
    if (config.name.length === 0) throw new RangeError('webhook destination name is empty');
    const url = httpUrl(config.url, `webhook ${config.name}`);
    // mapper.ts: the plain code goes to HTTPS endpoints only (loopback is a local relay, not the network).
    if (config.includePickupCode === true && !isHttpsUnlessLoopback(url)) {
      throw new RangeError(`webhook ${config.name}: includePickupCode needs an https url`);
    }
    webhookSecretKey(config.secret); // throws bad-secret now rather than dead-lettering every event later
    const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`webhook ${config.name}: timeoutMs must be a positive integer`);
    const now = deps.now ?? Date.now;
    const pickup: PickupCodeOption = config.includePickupCode === true ? { includePickupCode: true, unsealCode: config.unsealCode } : {};
    const secret = config.secret;
    super(
      // An answer can echo what we sent (some frameworks print the request on a 400): the secret, with and without its prefix.
      { name: config.name, url, timeoutMs, agent: keepAliveAgent(url), now, secrets: [secret, secret.slice(WEBHOOK_SECRET_PREFIX.length)], redactMinChars: 8 },
      {
        build: (event) => {
          const request = webhookRequestFor(event, { ...pickup, secrets: [secret], nowSeconds: now() / 1000 });
          return { kind: 'send', push: { headers: { ...request.headers }, body: request.body, secrets: signatureParts(request.headers[WEBHOOK_SIGNATURE_HEADER]) } };
        },
        // The event itself cannot be sent (an id with a dot, a code that will not unseal): retrying will not help.
        buildFailure,
      },
    );
  }
}

/** The signature header and each bare signature in it (`v1,<base64> v1,<base64>`). */
function signatureParts(signature: string | undefined): string[] {
  return signature === undefined ? [] : [signature, ...signature.split(' ').map((s) => s.slice(s.indexOf(',') + 1))];
}

function buildFailure(err: unknown): string {
  if (err instanceof StandardWebhookError) return `cannot sign the event: ${err.code}`;
  // Not the message: the unsealer is main's, and its error could quote the code.
  return `cannot build the payload: ${err instanceof Error ? err.name : typeof err}`;
}

import { z } from 'zod';
import { DEFAULT_TOLERANCE_SECONDS, StandardWebhookError, verifyWebhook, type WebhookSecret, webhookSecretKey } from '../../src/cloud/index.js';
import type { VendorFactory } from './server.js';
import type { MockRequest, MockResponse, MockVendor, MockVendorContext } from './types.js';

/**
 * The receiving side of a merchant backend that takes our events as Standard
 * Webhooks (src/cloud/webhooks/README.md): the signature is verified on the
 * raw body with the same code the agent signs with, replays outside the
 * tolerance are refused, and each `webhook-id` is applied once. Any POST path
 * under `/webhooks/` is the endpoint, so the agent's configured URL can be
 * `<mock>/webhooks/hooks` or anything else there.
 *
 * Control: `POST /_mock/webhooks/set-secret {"secret":"whsec_…"}` swaps the
 * secret (a test of the agent's 401 pause).
 */

export interface WebhooksMockOptions {
  /** `whsec_<base64>`, the one the agent's destination is configured with. Never echoed. */
  secret: WebhookSecret;
  /** Replay window either way, seconds. Default DEFAULT_TOLERANCE_SECONDS (5 min), as the official libraries. */
  toleranceSeconds?: number;
}

export const WEBHOOKS_MOCK_NAME = 'webhooks';

// src/cloud/webhooks/mapper.ts: `{ type, timestamp, data }`; only what the ledger needs is required, the rest is kept as received.
const payloadSchema = z.looseObject({
  type: z.string().min(1),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.looseObject({ parcelId: z.string().nullable().optional() }),
});

const setSecretSchema = z.strictObject({ secret: z.string().min(1) });

/** Throws StandardWebhookError('bad-secret') for a secret that is not `whsec_<base64>`. */
export function webhooksMock(options: WebhooksMockOptions): VendorFactory {
  webhookSecretKey(options.secret);
  return (ctx) => new WebhooksMock(options, ctx);
}

class WebhooksMock implements MockVendor {
  readonly name = WEBHOOKS_MOCK_NAME;
  #secret: WebhookSecret;
  readonly #tolerance: number;
  readonly #ctx: MockVendorContext;
  readonly #counts = { received: 0, fresh: 0, duplicate: 0, refused: 0, badBody: 0 };
  readonly #refusals: Record<string, number> = {};

  constructor(options: WebhooksMockOptions, ctx: MockVendorContext) {
    this.#secret = options.secret;
    this.#tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    this.#ctx = ctx;
  }

  handle(request: MockRequest): MockResponse {
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' }, body: 'POST only' };
    this.#counts.received += 1;
    let id: string;
    try {
      ({ id } = verifyWebhook({ headers: request.headers, body: request.rawBody, secrets: [this.#secret], nowSeconds: request.receivedAt / 1000, toleranceSeconds: this.#tolerance }));
    } catch (err) {
      if (!(err instanceof StandardWebhookError)) throw err;
      this.#counts.refused += 1;
      this.#refusals[err.code] = (this.#refusals[err.code] ?? 0) + 1;
      // The code only: it says what to fix, and echoes nothing that was signed.
      return jsonAnswer(401, { error: err.code });
    }
    const payload = parsePayload(request.rawBody);
    if (payload === undefined) {
      this.#counts.badBody += 1;
      return jsonAnswer(400, { error: 'body is not a Standard Webhooks payload { type, timestamp, data }' });
    }
    const outcome = this.#ctx.ledger.apply({
      vendor: this.name,
      key: id,
      stream: payload.data.parcelId ?? null,
      kind: payload.type,
      body: payload,
      at: request.receivedAt,
      order: Date.parse(payload.timestamp),
    });
    this.#counts[outcome] += 1;
    // Standard Webhooks: any 2xx is success; a duplicate is acknowledged so the sender stops.
    return { status: 204, body: '' };
  }

  control(action: string, body: unknown): unknown {
    if (action !== 'set-secret') throw new RangeError(`webhooks mock has no action ${action}; try set-secret`);
    const parsed = setSecretSchema.safeParse(body);
    if (!parsed.success) throw new RangeError('set-secret wants {"secret":"whsec_…"}');
    try {
      webhookSecretKey(parsed.data.secret); // refused here, not on every later request
    } catch {
      throw new RangeError('set-secret: the secret is not whsec_<base64>');
    }
    this.#secret = parsed.data.secret;
    return { ok: true };
  }

  snapshot(): unknown {
    return { ...this.#counts, refusals: { ...this.#refusals } };
  }
}

function parsePayload(raw: Buffer): z.infer<typeof payloadSchema> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const result = payloadSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

function jsonAnswer(status: number, value: unknown): MockResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

import { z } from 'zod';
import { durationMs } from '../../shared/duration.js';

/** `cloud.webhooks[]` in the configuration: one Standard Webhooks backend each (README.md here). */
export const webhookConfigSchema = z
  .object({
    /** The outbox destination name, e.g. `webhook-acme`; unique across `cloud`. */
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and hyphens, starting with a letter'),
    url: z.string().url(),
    /** Standard Webhooks secret, `whsec_<base64>`. */
    secret: z.string().startsWith('whsec_'),
    /** Send the plain pickup code of a stored parcel (for a backend that texts it); https only. */
    includePickupCode: z.boolean().default(false),
    /** One delivery attempt; a backend slower than 5 minutes is down. */
    timeoutMs: durationMs({ min: 1, max: 5 * 60_000, default: 10_000 }),
  })
  .strict();

export type WebhookSettings = z.output<typeof webhookConfigSchema>;

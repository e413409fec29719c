import type { DomainEventType, EventPayload } from '../../shared/events.js';
import type { OutboundEvent } from '../common/outbound-event.js';
import { signWebhook, type WebhookHeaders, type WebhookSecret } from './signer.js';

/**
 * The JSON body we POST for each domain event, in the shape Standard Webhooks
 * recommends (docs/vendors/webhooks.md §5, "Payload structure"): `type`,
 * `timestamp` (when the event happened, ISO 8601) and `data`.
 *
 * `data` is the event payload plus the ids a receiver needs to correlate and
 * dedupe, minus `sealedCode`. That field is the pickup code sealed with the
 * cabinet secret: useless to anyone else, and a code that must not travel to a
 * backend that has no need for it. A merchant backend that texts the code to
 * the recipient does need it, in plain; for that one case the sender opts in
 * with `includePickupCode: true` and hands us the unsealer (src/main owns the
 * secret), and the plain code goes out as `data.pickupCode`.
 */

/** What every event's `data` carries besides its payload. */
export type WebhookEventIds = {
  /** Our event id: also the `webhook-id` header, stable across retries. */
  eventId: string;
  cabinetId: string;
  parcelId: string | null;
  compartmentId: string | null;
};

type DataOf<T extends DomainEventType> = WebhookEventIds & Omit<EventPayload<T>, 'sealedCode'> & { pickupCode?: string };

export type WebhookPayload = {
  [T in DomainEventType]: { type: T; timestamp: string; data: DataOf<T> };
}[DomainEventType];

export type PickupCodeOption =
  | {
      /** Default false: the pickup code never leaves the cabinet. */
      includePickupCode?: false;
    }
  | {
      /** Send the plain pickup code of `parcel.stored` as `data.pickupCode` (HTTPS endpoints only). */
      includePickupCode: true;
      /** Opens `sealedCode`; throws if the secret does not match (a permanent failure for the row). */
      unsealCode: (sealed: string) => string;
    };

export function webhookPayloadFor(event: OutboundEvent, options: PickupCodeOption = {}): WebhookPayload {
  // One copy with every key of the payload but the sealed code. Stripped by
  // name on every type, so a later event that carries a code is safe too.
  const { sealedCode, ...rest } = event.payload as Readonly<Record<string, unknown>>;
  const data: WebhookEventIds & Record<string, unknown> = {
    eventId: event.id,
    cabinetId: event.cabinetId,
    parcelId: event.parcelId,
    compartmentId: event.compartmentId,
    ...rest,
  };
  if (options.includePickupCode === true && typeof sealedCode === 'string') data.pickupCode = options.unsealCode(sealedCode);
  // The cast restores the per-type union the spread erased; the keys are exactly those of DataOf<type>.
  return { type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data } as WebhookPayload;
}

/** Minified JSON: the bytes that are signed must be the bytes sent (docs/vendors/webhooks.md §3, "Signature scheme"). */
export function serializeWebhookPayload(payload: WebhookPayload): string {
  return JSON.stringify(payload);
}

export type WebhookRequestOptions = PickupCodeOption & {
  /** Current secret first, then any being rotated out. */
  secrets: readonly [WebhookSecret, ...WebhookSecret[]];
  /** Time of this delivery attempt, whole seconds (read by the caller). */
  nowSeconds: number;
};

export interface WebhookRequest {
  headers: WebhookHeaders & { 'content-type': 'application/json' };
  body: string;
}

/** Headers and body of one delivery attempt of one event. `webhook-id` is the event id, so every retry dedupes. */
export function webhookRequestFor(event: OutboundEvent, options: WebhookRequestOptions): WebhookRequest {
  const body = serializeWebhookPayload(webhookPayloadFor(event, options));
  const signed = signWebhook({ id: event.id, timestampSeconds: Math.floor(options.nowSeconds), body, secrets: options.secrets });
  return { headers: { ...signed, 'content-type': 'application/json' }, body };
}

import type { OutboundEvent } from '../outbound-event.js';

/**
 * What the sync engine needs from the outbox. src/main implements it over the
 * store (src/cloud never imports src/store); tests can implement it over a
 * real SQLite file through the same store functions.
 */
export interface OutboxPort {
  /** Up to `limit` due rows of `destination`, oldest first, at most one stuck row per parcel (store.nextDeliverable). */
  nextDeliverable(destination: string, now: number, limit: number): DeliverableRow[];
  markDelivered(eventId: string, destination: string, now: number): void;
  markFailed(eventId: string, destination: string, failure: { error: string; retryAt: number }): void;
  markDead(eventId: string, destination: string, error: string, now: number): void;
}

export interface DeliverableRow {
  /** Failed attempts so far. */
  attempts: number;
  event: OutboundEvent;
}

/** The answer of one delivery attempt, as the destination classified it. */
export type DeliveryOutcome =
  | { kind: 'delivered' }
  /** Network, timeout, 5xx, 429: try again later; `retryAfterMs` from a Retry-After header. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number | undefined }
  /** 401/403: the credentials are wrong; the destination pauses until its configuration changes. */
  | { kind: 'unauthorised'; reason: string }
  /** Other 4xx, an unparsable answer, or an event this destination can never take: dead-letter with the reason. */
  | { kind: 'dead'; reason: string };

/** One place events go: a vendor cloud or a merchant webhook. */
export interface Destination {
  /** The outbox destination name (config key), e.g. `webhook-acme`. */
  readonly name: string;
  deliver(event: OutboundEvent, signal: AbortSignal): Promise<DeliveryOutcome>;
}

/** Per-destination state for the screen and `status`. */
export interface DestinationHealth {
  name: string;
  state: 'online' | 'offline' | 'paused' | 'idle';
  lastDeliveredAt: number | null;
  lastError: string | null;
  /** When the next attempt is due after a failure; null when none waits. */
  nextAttemptAt: number | null;
}

import type { OutboundEvent } from '../common/outbound-event.js';

/**
 * What the sync engine needs from the outbox. src/main implements it over the
 * store (src/cloud never imports src/store); tests can implement it over a
 * real SQLite file through the same store functions.
 */
export interface OutboxPort {
  /** Up to `limit` due rows of `destination`, oldest first, at most one stuck row per parcel (store.nextDeliverable). */
  nextDeliverable(destination: string, now: number, limit: number): DeliverableRow[];
  /** `vendorRef`: the vendor's id for what the event became there, kept for its later callbacks. */
  markDelivered(eventId: string, destination: string, now: number, vendorRef?: string): void;
  markFailed(eventId: string, destination: string, failure: { error: string; retryAt: number }): void;
  markDead(eventId: string, destination: string, error: string, now: number): void;
  /** Nothing to send for this event: settled with the reason, never retried. */
  markSkipped(eventId: string, destination: string, reason: string, now: number): void;
}

export interface DeliverableRow {
  /** Failed attempts so far. */
  attempts: number;
  event: OutboundEvent;
}

/** The answer of one delivery attempt, as the destination classified it. */
export type DeliveryOutcome =
  /** Acknowledged; `vendorRef` is the vendor's id for it when the answer named one (Dingshang's order_id). */
  | { kind: 'delivered'; vendorRef?: string | undefined }
  /**
   * Nothing to send: the destination has no request for this event (a type
   * it does not take, a fact only the order owner has). No request went out;
   * the row is settled with `reason`, visible, and never retried.
   */
  | { kind: 'skipped'; reason: string }
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
  /**
   * Attempts this destination takes at once, each for a row of another parcel
   * (a page never holds two rows of one parcel). Default 1: a vendor API, one
   * request at a time. A broker link that acknowledges publishes on one
   * connection in order takes a window of them.
   */
  readonly concurrency?: number;
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

/** The code-source port the flows consume (src/core) and the vendors implement: one definition, in src/shared. */
export type { CodeSource, PulledCode } from '../../shared/code-source.js';

/**
 * Where verified inbound commands (vendor callbacks, channel commands) are
 * recorded, so a redelivery is recognised and never applied twice. A command
 * is recorded before it is acted on: a crash in between leaves it recorded
 * and not applied (a door is never opened twice), and the result says so.
 * src/main implements it over the store's inbox; the key is (source, commandId).
 */
export interface InboxPort {
  /** Records the command with `result` (default none). A known command is a duplicate: its stored result comes back. */
  record(command: InboundCommand, result?: unknown): { fresh: true } | { fresh: false; result: unknown };
  /** Stores the outcome of a recorded command. */
  setResult(command: Pick<InboundCommand, 'source' | 'commandId'>, result: unknown): void;
}

export interface InboundCommand {
  /** The sender's id; with `source` the dedupe key. */
  commandId: string;
  /** `yopoint`, `dingshang`, `channel` … */
  source: string;
  type: string;
  receivedAt: number;
}

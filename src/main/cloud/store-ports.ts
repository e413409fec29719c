import type { DeliverableRow, InboxPort, OutboundEvent, OutboxPort } from '../../cloud/index.js';
import { eventPayloadSchemas, type DomainEventType } from '../../shared/events.js';
import type { Logger } from '../../shared/logger.js';
import * as store from '../../store/index.js';

export interface StoreOutboxOptions {
  /** Every this many acknowledgements in a row, one waits for the disk. Default 100. 1 = every one (as any other commit). */
  ackFsyncEveryRows?: number;
  /** An acknowledgement this long after the last one that waited for the disk waits too. Default 100 ms. */
  ackFsyncEveryMs?: number;
}

const DEFAULT_ACK_FSYNC_EVERY_ROWS = 100;
const DEFAULT_ACK_FSYNC_EVERY_MS = 100;

/**
 * The sync engine's outbox over the store. A row whose payload no longer
 * parses (written by a version with another event shape, or damaged) cannot
 * be sent by any destination: it is dead-lettered here with the reason, so
 * it is visible and retryable, and never silently skipped.
 *
 * Acknowledgements (markDelivered) are committed at once, but not each with
 * its own fsync: a commit at synchronous=FULL took 0.3–0.7 ms on the bench
 * box, a quarter to a third of what a backlog drain spent per event
 * (bench/cloud-drain.ts; ~60 µs without the fsync). One acknowledgement in
 * `ackFsyncEveryRows`, and any that comes `ackFsyncEveryMs` after the last
 * synced one, is committed at FULL; its fsync makes every earlier one durable
 * too (store/outbox.ts MarkDeliveredOptions). So a trickle of live events is
 * acknowledged durably one by one as before, and a power cut during a backlog
 * can undo at most `ackFsyncEveryRows − 1` acknowledgements: those events go
 * again, as at-least-once delivery allows (receivers dedupe on the event id).
 * Nothing else changes: the row is delivered for every reader when
 * markDelivered returns, and failures and dead letters are always synced.
 */
export class StoreOutbox implements OutboxPort {
  readonly #db: store.Db;
  readonly #cabinetId: string;
  readonly #log: Logger;
  readonly #fsyncEveryRows: number;
  readonly #fsyncEveryMs: number;
  /** Acknowledgements committed without fsync since the last one with. */
  #unsyncedAcks = 0;
  #lastSyncedAckAt = Number.NEGATIVE_INFINITY;

  /** Throws RangeError for an option that is not a positive integer. */
  constructor(db: store.Db, cabinetId: string, log: Logger, options: StoreOutboxOptions = {}) {
    this.#db = db;
    this.#cabinetId = cabinetId;
    this.#log = log;
    this.#fsyncEveryRows = positiveInt(options.ackFsyncEveryRows ?? DEFAULT_ACK_FSYNC_EVERY_ROWS, 'ackFsyncEveryRows');
    this.#fsyncEveryMs = positiveInt(options.ackFsyncEveryMs ?? DEFAULT_ACK_FSYNC_EVERY_MS, 'ackFsyncEveryMs');
  }

  nextDeliverable(destination: string, now: number, limit: number): DeliverableRow[] {
    const rows: DeliverableRow[] = [];
    for (const row of store.nextDeliverable(this.#db, destination, now, limit)) {
      const event = this.#outbound(row.event);
      if (typeof event === 'string') {
        this.#log.error({ eventId: row.eventId, destination, reason: event }, 'outbox row cannot be sent: dead-lettered');
        store.markDead(this.#db, row.eventId, destination, event, now);
        continue;
      }
      rows.push({ attempts: row.attempts, event });
    }
    return rows;
  }

  markDelivered(eventId: string, destination: string, now: number, vendorRef?: string): void {
    // `now` can jump back (no RTC battery, NTP): then the row count still bounds the unsynced ones.
    const fsync = this.#unsyncedAcks + 1 >= this.#fsyncEveryRows || Math.abs(now - this.#lastSyncedAckAt) >= this.#fsyncEveryMs;
    store.markDelivered(this.#db, eventId, destination, now, { fsync, vendorRef });
    if (fsync) {
      this.#unsyncedAcks = 0;
      this.#lastSyncedAckAt = now;
    } else {
      this.#unsyncedAcks += 1;
    }
  }

  markFailed(eventId: string, destination: string, failure: { error: string; retryAt: number }): void {
    store.markFailed(this.#db, eventId, destination, failure);
  }

  markDead(eventId: string, destination: string, error: string, now: number): void {
    store.markDead(this.#db, eventId, destination, error, now);
  }

  markSkipped(eventId: string, destination: string, reason: string, now: number): void {
    store.markSkipped(this.#db, eventId, destination, reason, now);
  }

  /** The event with its payload parsed, or why it cannot be. */
  #outbound(e: store.DomainEvent): OutboundEvent | string {
    if (!(e.type in eventPayloadSchemas)) return `unknown event type ${e.type}`;
    const type = e.type as DomainEventType;
    const parsed = eventPayloadSchemas[type].safeParse(e.payload);
    if (!parsed.success) return `payload of ${type} does not match its schema: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`;
    return {
      id: e.id,
      type,
      payload: parsed.data,
      parcelId: e.parcelId,
      compartmentId: e.compartmentId,
      occurredAt: e.occurredAt,
      cabinetId: this.#cabinetId,
    } as OutboundEvent;
  }
}

/** The inbox keyed by (source, command id): two vendors may use the same ids. */
export class StoreInbox implements InboxPort {
  readonly #db: store.Db;

  constructor(db: store.Db) {
    this.#db = db;
  }

  record(command: { commandId: string; source: string; type: string; receivedAt: number }, result?: unknown): { fresh: true } | { fresh: false; result: unknown } {
    const commandId = inboxKey(command);
    const fresh = store.recordInbox(this.#db, { commandId, source: command.source, type: command.type, receivedAt: command.receivedAt, ...(result === undefined ? {} : { result }) });
    if (fresh) return { fresh: true };
    return { fresh: false, result: store.getInbox(this.#db, commandId)?.result };
  }

  setResult(command: { source: string; commandId: string }, result: unknown): void {
    store.setInboxResult(this.#db, inboxKey(command), result);
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`StoreOutbox: ${name} must be a positive integer, got ${value}`);
  return value;
}

function inboxKey(command: { source: string; commandId: string }): string {
  return `${command.source}:${command.commandId}`;
}

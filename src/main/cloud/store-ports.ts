import type { OutboundEvent } from '../../cloud/outbound-event.js';
import type { DeliverableRow, InboxPort, OutboxPort } from '../../cloud/sync/ports.js';
import { eventPayloadSchemas, type DomainEventType } from '../../shared/events.js';
import type { Logger } from '../../shared/logger.js';
import * as store from '../../store/index.js';

/**
 * The sync engine's outbox over the store. A row whose payload no longer
 * parses (written by a version with another event shape, or damaged) cannot
 * be sent by any destination: it is dead-lettered here with the reason, so
 * it is visible and retryable, and never silently skipped.
 */
export class StoreOutbox implements OutboxPort {
  readonly #db: store.Db;
  readonly #cabinetId: string;
  readonly #log: Logger;

  constructor(db: store.Db, cabinetId: string, log: Logger) {
    this.#db = db;
    this.#cabinetId = cabinetId;
    this.#log = log;
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

  markDelivered(eventId: string, destination: string, now: number): void {
    store.markDelivered(this.#db, eventId, destination, now);
  }

  markFailed(eventId: string, destination: string, failure: { error: string; retryAt: number }): void {
    store.markFailed(this.#db, eventId, destination, failure);
  }

  markDead(eventId: string, destination: string, error: string, now: number): void {
    store.markDead(this.#db, eventId, destination, error, now);
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

function inboxKey(command: { source: string; commandId: string }): string {
  return `${command.source}:${command.commandId}`;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboundEvent } from '../../../../src/cloud/common/outbound-event.js';
import type { DeliverableRow, OutboxPort } from '../../../../src/cloud/sync/ports.js';
import { eventPayloadSchemas, type DomainEventType } from '../../../../src/shared/events.js';
import type { Logger } from '../../../../src/shared/logger.js';
import { seededRandom } from '../../../../src/shared/seeded-random.js';
import {
  closeDatabase,
  markDead,
  markDelivered,
  markSkipped,
  markFailed,
  nextDeliverable,
  openDatabase,
  recordEvent,
  type Db,
  type OutboxRow,
} from '../../../../src/store/index.js';

export const CABINET_ID = 'cab-test';

/** A real SQLite outbox in a temp file, and its cleanup. */
export function openTempOutbox(): { db: Db; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-sync-'));
  const db = openDatabase(join(dir, 'kiosk.db'));
  return {
    db,
    cleanup: () => {
      closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What src/main will do: the stored payload parsed by its event type's schema. */
export function toOutboundEvent(row: OutboxRow): OutboundEvent {
  const schema = eventPayloadSchemas[row.event.type as DomainEventType] as (typeof eventPayloadSchemas)[DomainEventType] | undefined;
  if (schema === undefined) throw new Error(`unknown event type ${row.event.type}`);
  const { id, type, parcelId, compartmentId, occurredAt } = row.event;
  // The cast pairs type and payload, which TS cannot correlate through the lookup.
  return { id, type, payload: schema.parse(row.event.payload), parcelId, compartmentId, occurredAt, cabinetId: CABINET_ID } as OutboundEvent;
}

export interface PortStats {
  reads: number;
  limits: Set<number>;
  maxReturned: number;
}

/**
 * OutboxPort over the store's functions, with a check on every page: at most
 * one row per parcel (the store's rule the drainer relies on).
 */
export function sqlitePort(db: Db): OutboxPort & { stats: PortStats } {
  const stats: PortStats = { reads: 0, limits: new Set(), maxReturned: 0 };
  return {
    stats,
    nextDeliverable(destination: string, now: number, limit: number): DeliverableRow[] {
      const rows = nextDeliverable(db, destination, now, limit);
      stats.reads += 1;
      stats.limits.add(limit);
      stats.maxReturned = Math.max(stats.maxReturned, rows.length);
      const parcels = rows.flatMap((r) => (r.event.parcelId === null ? [] : [r.event.parcelId]));
      if (new Set(parcels).size !== parcels.length) throw new Error(`page holds two rows of one parcel: ${parcels.join(',')}`);
      return rows.map((r) => ({ attempts: r.attempts, event: toOutboundEvent(r) }));
    },
    markDelivered: (eventId, destination, now, vendorRef) => markDelivered(db, eventId, destination, now, { vendorRef }),
    markFailed: (eventId, destination, failure) => markFailed(db, eventId, destination, failure),
    markDead: (eventId, destination, error, now) => markDead(db, eventId, destination, error, now),
    markSkipped: (eventId, destination, reason, now) => markSkipped(db, eventId, destination, reason, now),
  };
}

let clock = 1_700_000_000_000;

/** A parcel event (`parcel.dropoff-interrupted`), or a door event without a parcel when `parcelId` is null. */
export function recordTestEvent(db: Db, parcelId: string | null, destinations: readonly string[], id?: string): string {
  const at = ++clock;
  const ids = { compartmentId: 'C1', board: 1, lock: 1 };
  const event =
    parcelId === null
      ? { type: 'door.forced', payload: { ...ids, at } }
      : { type: 'parcel.dropoff-interrupted', payload: { parcelId, ...ids, at } };
  return recordEvent(db, { ...(id === undefined ? {} : { id }), ...event, parcelId, compartmentId: 'C1', occurredAt: at }, destinations).id;
}

/** Polls `check` every 5 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Polls until `done` holds; throws with `what` only when `progress` has not
 * moved for `stallMs`. The budget follows the work, not the machine's speed:
 * a slow machine still advances, a stuck drainer does not.
 */
export async function waitWhileProgressing(what: string, progress: () => number, done: () => boolean, stallMs = 10_000): Promise<void> {
  let last = progress();
  let movedAt = Date.now();
  while (!done()) {
    const now = progress();
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: no progress for ${stallMs} ms (stuck at ${now})`);
    }
    await sleep(5);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

/** A Logger that keeps what it was given. */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (objOrMsg: object | string, msg?: string): void => {
      lines.push(typeof objOrMsg === 'string' ? { level, obj: {}, msg: objOrMsg } : { level, obj: objOrMsg, msg });
    };
  const logger: Logger & { lines: LogLine[] } = {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

export { seededRandom };

/**
 * Domain events and their outbox. An event is recorded once, with one outbox
 * row per destination, in the caller's transaction (docs/architecture.md, style rule 7); a row
 * leaves 'pending' only when the destination acknowledged it (at least once;
 * the event id is the idempotency key that makes it once in effect).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { inTransaction, type Db, type ReadDb } from './db.js';
import { sqliteCode, StoreError } from './errors.js';
import { epochMs, fromJson, parseRow, parseRows, toJson } from './rows.js';

export interface DomainEvent {
  /** UUIDv7; doubles as the idempotency key sent to every destination. */
  id: string;
  type: string;
  parcelId: string | null;
  compartmentId: string | null;
  /** JSON, frozen at enqueue: later changes to the caller's object do not reach it. */
  payload: unknown;
  occurredAt: number;
}

/**
 * `skipped`: the destination had nothing to send for this event (a type it
 * does not take, a fact only the order owner has); settled without a
 * request, the reason in `lastError`. Never retried, never holds its parcel.
 */
export const OUTBOX_STATES = ['pending', 'delivered', 'dead', 'skipped'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxRow {
  eventId: string;
  destination: string;
  state: OutboxState;
  /** Failed deliveries so far (markFailed, markDead); reset by retryDead. */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
  deadAt: number | null;
  skippedAt: number | null;
  /** The vendor's id for what the event became there (Dingshang's order_id), from its acknowledgement. */
  vendorRef: string | null;
  /** What the vendor later reported about it (a callback), as it was recorded; null until then. */
  vendorResult: unknown;
  vendorResultAt: number | null;
  event: DomainEvent;
}

const EventColumns = {
  id: z.string(),
  type: z.string(),
  parcel_id: z.string().nullable(),
  compartment_id: z.string().nullable(),
  payload: z.string(),
  occurred_at: epochMs,
};
type EventCols = { id: string; type: string; parcel_id: string | null; compartment_id: string | null; payload: string; occurred_at: number };

function toEvent(r: EventCols): DomainEvent {
  return {
    id: r.id,
    type: r.type,
    parcelId: r.parcel_id,
    compartmentId: r.compartment_id,
    payload: fromJson(r.payload, 'events', r.id),
    occurredAt: r.occurred_at,
  };
}

const EventRow = z.object(EventColumns).transform(toEvent);

const OutboxJoinRow = z
  .object({
    ...EventColumns,
    event_id: z.string(),
    destination: z.string(),
    state: z.enum(OUTBOX_STATES),
    attempts: z.number().int(),
    next_attempt_at: epochMs,
    last_error: z.string().nullable(),
    created_at: epochMs,
    delivered_at: epochMs.nullable(),
    dead_at: epochMs.nullable(),
    skipped_at: epochMs.nullable(),
    vendor_ref: z.string().nullable(),
    vendor_result: z.string().nullable(),
    vendor_result_at: epochMs.nullable(),
  })
  .transform(
    (r): OutboxRow => ({
      eventId: r.event_id,
      destination: r.destination,
      state: r.state,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      deadAt: r.dead_at,
      skippedAt: r.skipped_at,
      vendorRef: r.vendor_ref,
      vendorResult: r.vendor_result === null ? null : fromJson(r.vendor_result, 'outbox', r.event_id),
      vendorResultAt: r.vendor_result_at,
      event: toEvent(r),
    }),
  );

const EVENT_COLUMNS = 'e.id, e.type, e.parcel_id, e.compartment_id, e.payload, e.occurred_at';
const OUTBOX_COLUMNS =
  'o.event_id, o.destination, o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.delivered_at, o.dead_at, ' +
  'o.skipped_at, o.vendor_ref, o.vendor_result, o.vendor_result_at';

export interface NewEvent {
  /** Default: a fresh UUIDv7. */
  id?: string;
  type: string;
  parcelId?: string | null;
  compartmentId?: string | null;
  payload: unknown;
  occurredAt: number;
}

/**
 * Records an event and one 'pending' outbox row per distinct destination
 * (attempts 0, due at occurredAt); no destinations = history only.
 * Throws StoreError('duplicate') for an existing event id, TypeError for a
 * payload JSON cannot represent, RangeError for an empty type/destination;
 * nothing is written then.
 */
export function recordEvent(db: Db, e: NewEvent, destinations: readonly string[]): DomainEvent {
  if (e.type.length === 0) throw new RangeError('event type is empty');
  if (destinations.some((d) => d.length === 0)) throw new RangeError('empty outbox destination');
  const id = e.id ?? uuidv7();
  const payload = toJson(e.payload);
  return inTransaction(db, () => {
    let seq: number;
    try {
      seq = Number(
        db
          .stmt(`INSERT INTO events (id, type, parcel_id, compartment_id, payload, occurred_at)
                 VALUES (@id, @type, @parcelId, @compartmentId, @payload, @occurredAt)`)
          .run({ id, type: e.type, parcelId: e.parcelId ?? null, compartmentId: e.compartmentId ?? null, payload, occurredAt: e.occurredAt })
          .lastInsertRowid,
      );
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') throw new StoreError('duplicate', `event ${id} exists`, { eventId: id }, { cause: err });
      throw err;
    }
    const insertRow = db.stmt(`INSERT INTO outbox (event_id, destination, event_seq, parcel_id, state, next_attempt_at, created_at)
                               VALUES (@id, @destination, @seq, @parcelId, 'pending', @occurredAt, @occurredAt)`);
    for (const destination of new Set(destinations)) {
      insertRow.run({ id, destination, seq, parcelId: e.parcelId ?? null, occurredAt: e.occurredAt });
    }
    return { id, type: e.type, parcelId: e.parcelId ?? null, compartmentId: e.compartmentId ?? null, payload: JSON.parse(payload) as unknown, occurredAt: e.occurredAt };
  });
}

/**
 * Up to `limit` pending rows for `destination` due at `now`, oldest first.
 * A row waits while an older pending or dead row of the same parcel exists for
 * this destination, so one stuck parcel stalls only itself. Throws
 * StoreError('corrupt-row') on a damaged row.
 */
export function nextDeliverable(db: ReadDb, destination: string, now: number, limit: number): OutboxRow[] {
  const raws = db.stmt(NEXT_DELIVERABLE_SQL).all({ destination, now, limit });
  return parseRows(OutboxJoinRow, raws, 'outbox');
}

/**
 * Exported for the EXPLAIN QUERY PLAN test. INDEXED BY, because the planner
 * guesses wrong without statistics (a new cabinet has none until `optimize`
 * runs at close): it took outbox_due (two equalities and a range look
 * cheaper; dropped since, migrations/0040) and then sorted every due row for each page, ~38 ms a page at
 * 50,000 pending against ~1 ms along outbox_pending_order, which stops after
 * `limit` rows (migrations/0020). SQLite's documented use of INDEXED BY: a
 * time-sensitive query fails loudly instead of slowing down if the index goes.
 */
export const NEXT_DELIVERABLE_SQL = `
SELECT ${OUTBOX_COLUMNS}, ${EVENT_COLUMNS}
FROM outbox o INDEXED BY outbox_pending_order JOIN events e ON e.seq = o.event_seq
WHERE o.destination = @destination AND o.state = 'pending' AND o.next_attempt_at <= @now
  AND NOT EXISTS (
    SELECT 1 FROM outbox b
    WHERE b.destination = o.destination AND b.parcel_id = o.parcel_id
      AND b.state IN ('pending', 'dead') AND b.event_seq < o.event_seq)
ORDER BY o.event_seq
LIMIT @limit`;

/** One outbox row with its event. Throws StoreError('corrupt-row') on a damaged row. */
export function getOutboxRow(db: ReadDb, eventId: string, destination: string): OutboxRow | undefined {
  const raw = db
    .stmt(`SELECT ${OUTBOX_COLUMNS}, ${EVENT_COLUMNS} FROM outbox o JOIN events e ON e.seq = o.event_seq
           WHERE o.event_id = ? AND o.destination = ?`)
    .get(eventId, destination);
  return raw === undefined ? undefined : parseRow(OutboxJoinRow, raw, 'outbox');
}

export interface MarkDeliveredOptions {
  /**
   * false: commit without waiting for the disk (synchronous=NORMAL for this
   * one statement). Every reader sees the row delivered at once, so
   * nextDeliverable never offers it again; only a power cut can undo the
   * mark, and only until this connection's next fsynced commit (any commit
   * at FULL, or a checkpoint), because that fsync covers the whole WAL before
   * it. An undone mark means the event goes again, which at-least-once
   * delivery allows (the receiver dedupes on the event id). Ignored inside a
   * transaction: its commit decides. Default true.
   */
  fsync?: boolean;
  /** The vendor's id for what the event became there (its acknowledgement named it), kept for its later callbacks. */
  vendorRef?: string | undefined;
}

/**
 * The destination acknowledged the event. Idempotent for a delivered row;
 * also accepted for a dead row (the ack is the truth). Throws
 * StoreError('not-found') for an unknown row.
 */
export function markDelivered(db: Db, eventId: string, destination: string, now: number, options: MarkDeliveredOptions = {}): void {
  const update = () =>
    db
      .stmt(`UPDATE outbox SET state = 'delivered', delivered_at = @now, dead_at = NULL, vendor_ref = coalesce(@vendorRef, vendor_ref)
             WHERE event_id = @eventId AND destination = @destination AND state IN ('pending', 'dead')`)
      .run({ eventId, destination, now, vendorRef: options.vendorRef === undefined || options.vendorRef === '' ? null : options.vendorRef });
  const info = options.fsync === false && !db.sqlite.inTransaction ? withoutFsync(db, update) : update();
  if (info.changes === 0) assertRowState(db, eventId, destination, 'delivered', ['delivered']);
}

/**
 * Runs one autocommit statement at synchronous=NORMAL, then puts the
 * connection's level back (also when it throws). Through cached statements:
 * db.sqlite.pragma() prepares a new one on every call, three per acknowledgement.
 */
function withoutFsync<T>(db: Db, fn: () => T): T {
  const level = (db.stmt('PRAGMA synchronous').get() as { synchronous?: unknown } | undefined)?.synchronous;
  // Already NORMAL or OFF (or an answer SQLite never gives): nothing to switch.
  if (typeof level !== 'number' || !Number.isInteger(level) || level <= 1) return fn();
  db.stmt('PRAGMA synchronous = NORMAL').run();
  try {
    return fn();
  } finally {
    // An integer read back from SQLite just above: not input.
    db.stmt(`PRAGMA synchronous = ${level}`).run();
  }
}

/**
 * A delivery attempt failed: attempts+1, lastError, due again at retryAt.
 * Throws StoreError('not-found'), or StoreError('invalid-transition') unless pending.
 */
export function markFailed(db: Db, eventId: string, destination: string, failure: { error: string; retryAt: number }): void {
  const info = db
    .stmt(`UPDATE outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @retryAt
           WHERE event_id = @eventId AND destination = @destination AND state = 'pending'`)
    .run({ eventId, destination, error: failure.error, retryAt: failure.retryAt });
  if (info.changes === 0) assertRowState(db, eventId, destination, 'pending', []);
}

/**
 * Dead-letters a pending row (permanent failure, unparsable, or budget spent):
 * attempts+1 for the attempt that decided it. Visible in outboxStats until
 * retryDead. Throws StoreError('not-found'), or StoreError('invalid-transition')
 * unless pending (already dead: no-op).
 */
export function markDead(db: Db, eventId: string, destination: string, error: string, now: number): void {
  const info = db
    .stmt(`UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = @error, dead_at = @now
           WHERE event_id = @eventId AND destination = @destination AND state = 'pending'`)
    .run({ eventId, destination, error, now });
  if (info.changes === 0) assertRowState(db, eventId, destination, 'dead', ['dead']);
}

/**
 * The destination has nothing to send for this event: settled without a
 * request, `reason` kept in lastError. Throws StoreError('not-found'), or
 * StoreError('invalid-transition') unless pending (already skipped: no-op).
 */
export function markSkipped(db: Db, eventId: string, destination: string, reason: string, now: number): void {
  if (reason.length === 0) throw new RangeError('a skip needs its reason');
  const info = db
    .stmt(`UPDATE outbox SET state = 'skipped', last_error = @reason, skipped_at = @now
           WHERE event_id = @eventId AND destination = @destination AND state = 'pending'`)
    .run({ eventId, destination, reason, now });
  if (info.changes === 0) assertRowState(db, eventId, destination, 'skipped', ['skipped']);
}

/**
 * A vendor's later word about an event it acknowledged (a callback naming
 * the id its acknowledgement gave, `vendorRef`): kept on that row, the
 * latest word winning. Returns the row's event id, or null when no row of
 * `destination` carries that reference (the callback is about something
 * else, or its row was pruned). Throws TypeError for a result JSON cannot hold.
 */
export function recordVendorResult(db: Db, destination: string, vendorRef: string, result: unknown, now: number): string | null {
  const row = db
    .stmt(`UPDATE outbox SET vendor_result = @result, vendor_result_at = @now
           WHERE destination = @destination AND vendor_ref = @vendorRef
           RETURNING event_id`)
    .get({ destination, vendorRef, result: toJson(result), now }) as { event_id?: unknown } | undefined;
  return typeof row?.event_id === 'string' ? row.event_id : null;
}

export interface UnsentRow {
  eventId: string;
  eventType: string;
  parcelId: string | null;
  destination: string;
  state: 'dead' | 'skipped';
  /** Why it was not sent: the dead-letter reason or the skip's. */
  reason: string | null;
  attempts: number;
  /** now − when the event was queued (≥ 0). */
  ageMs: number;
  /** When it went dead or was skipped. */
  settledAt: number;
}

const UnsentDbRow = z.object({
  event_id: z.string(),
  type: z.string(),
  parcel_id: z.string().nullable(),
  destination: z.string(),
  state: z.enum(['dead', 'skipped']),
  last_error: z.string().nullable(),
  attempts: z.number().int(),
  created_at: epochMs,
  settled_at: epochMs,
});

// One statement per state, so each is bounded alone. The IN term repeats the partial index's WHERE word for word: SQLite uses a partial index only for a query whose terms imply it that way.
const UNSENT_SQL = (['dead', 'skipped'] as const).map(
  (state) => `SELECT o.event_id, e.type, o.parcel_id, o.destination, o.state, o.last_error, o.attempts, o.created_at,
                     coalesce(o.dead_at, o.skipped_at) AS settled_at
              FROM outbox o INDEXED BY outbox_unsent JOIN events e ON e.seq = o.event_seq
              WHERE o.state IN ('dead', 'skipped') AND o.state = '${state}' ORDER BY o.created_at DESC LIMIT @limit`,
);

/**
 * Dead and skipped rows, newest first, at most `limit` (of each state, so a
 * pile of skips never hides a dead row), for `outbox --json` and service
 * mode: what a technician has to judge. Throws StoreError('corrupt-row').
 */
export function listUnsent(db: ReadDb, now: number, limit: number): UnsentRow[] {
  const rows = UNSENT_SQL.flatMap((sql) => parseRows(UnsentDbRow, db.stmt(sql).all({ limit }), 'outbox'));
  return rows.map((r) => ({
    eventId: r.event_id,
    eventType: r.type,
    parcelId: r.parcel_id,
    destination: r.destination,
    state: r.state,
    reason: r.last_error,
    attempts: r.attempts,
    ageMs: Math.max(0, now - r.created_at),
    settledAt: r.settled_at,
  }));
}

export interface VendorResultRow {
  eventId: string;
  eventType: string;
  destination: string;
  vendorRef: string;
  result: unknown;
  /** When the vendor's word was recorded. */
  at: number;
}

const VendorResultDbRow = z.object({
  event_id: z.string(),
  type: z.string(),
  destination: z.string(),
  vendor_ref: z.string(),
  vendor_result: z.string(),
  vendor_result_at: epochMs,
});

/** The newest vendor results kept on outbox rows (a Dingshang delivery result), at most `limit`. Throws StoreError('corrupt-row'). */
export function listVendorResults(db: ReadDb, limit: number): VendorResultRow[] {
  const raws = db
    .stmt(`SELECT o.event_id, e.type, o.destination, o.vendor_ref, o.vendor_result, o.vendor_result_at
           FROM outbox o INDEXED BY outbox_vendor_ref JOIN events e ON e.seq = o.event_seq
           WHERE o.vendor_ref IS NOT NULL AND o.vendor_result IS NOT NULL ORDER BY o.vendor_result_at DESC LIMIT @limit`)
    .all({ limit });
  return parseRows(VendorResultDbRow, raws, 'outbox').map((r) => ({
    eventId: r.event_id,
    eventType: r.type,
    destination: r.destination,
    vendorRef: r.vendor_ref,
    result: fromJson(r.vendor_result, 'outbox', r.event_id),
    at: r.vendor_result_at,
  }));
}

const StateRow = z.object({ state: z.enum(OUTBOX_STATES) });

/** Throws unless the row exists and is in one of `okStates` (then the no-op was right). */
function assertRowState(db: ReadDb, eventId: string, destination: string, to: OutboxState, okStates: readonly OutboxState[]): void {
  const raw = db.stmt('SELECT state FROM outbox WHERE event_id = ? AND destination = ?').get(eventId, destination);
  const state = raw === undefined ? undefined : parseRow(StateRow, raw, 'outbox');
  if (state === undefined) throw new StoreError('not-found', `outbox row ${eventId}/${destination} not found`, { eventId, destination });
  if (!okStates.includes(state.state)) {
    throw new StoreError('invalid-transition', `outbox row ${eventId}/${destination}: ${state.state} → ${to}`, {
      eventId,
      destination,
      from: state.state,
      to,
    });
  }
}

/**
 * Dead rows (of one destination, or all) back to pending, due at `now`, with
 * attempts reset so the retry budget starts over. Returns how many.
 */
export function retryDead(db: Db, destination?: string, now: number = Date.now()): number {
  return db
    .stmt(`UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = @now, dead_at = NULL
           WHERE state = 'dead' AND (@destination IS NULL OR destination = @destination)`)
    .run({ destination: destination ?? null, now }).changes;
}

export interface OutboxStats {
  pending: number;
  dead: number;
  delivered: number;
  skipped: number;
  /** now − createdAt of the oldest pending row (≥ 0); null when nothing is pending. */
  oldestPendingAgeMs: number | null;
  byDestination: Record<string, { pending: number; dead: number; skipped: number }>;
}

const StatRow = z.object({ destination: z.string(), state: z.enum(OUTBOX_STATES), n: z.number().int(), oldest: epochMs });

/** Counts for the status screen. Scans the outbox: prune delivered rows with pruneDeliveredOutbox. */
export function outboxStats(db: ReadDb, now: number): OutboxStats {
  const rows = parseRows(
    StatRow,
    db.stmt('SELECT destination, state, count(*) AS n, min(created_at) AS oldest FROM outbox GROUP BY destination, state').all(),
    'outbox',
  );
  const stats: OutboxStats = { pending: 0, dead: 0, delivered: 0, skipped: 0, oldestPendingAgeMs: null, byDestination: {} };
  let oldest: number | null = null;
  for (const r of rows) {
    stats[r.state] += r.n;
    const dest = (stats.byDestination[r.destination] ??= { pending: 0, dead: 0, skipped: 0 });
    if (r.state === 'delivered') continue;
    dest[r.state] += r.n;
    if (r.state === 'pending') oldest = oldest === null ? r.oldest : Math.min(oldest, r.oldest);
  }
  stats.oldestPendingAgeMs = oldest === null ? null : Math.max(0, now - oldest);
  return stats;
}

/** Deletes delivered outbox rows delivered before `before` (events stay as history). Returns how many. */
export function pruneDeliveredOutbox(db: Db, before: number): number {
  return db.stmt(`DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?`).run(before).changes;
}

/** Events of a parcel in the order they were recorded. Throws StoreError('corrupt-row') on a damaged row. */
export function eventsForParcel(db: ReadDb, parcelId: string): DomainEvent[] {
  const raws = db.stmt(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.parcel_id = ? ORDER BY e.seq`).all(parcelId);
  return parseRows(EventRow, raws, 'events');
}

/** One event by id. Throws StoreError('corrupt-row') on a damaged row. */
export function getEvent(db: ReadDb, id: string): DomainEvent | undefined {
  const raw = db.stmt(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.id = ?`).get(id);
  return raw === undefined ? undefined : parseRow(EventRow, raw, 'events');
}

/**
 * Domain events and their outbox. An event is recorded once, with one outbox
 * row per destination, in the caller's transaction (docs/architecture.md, style rule 7); a row
 * leaves 'pending' only when the destination acknowledged it (at least once;
 * the event id is the idempotency key that makes it once in effect).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { inTransaction, type Db, type ReadDb } from './db.js';
import { StoreError } from './errors.js';
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
/**
 * One outbox row as read from either table: `outbox` holds what is owed
 * (pending, dead), `outbox_settled` what is done (delivered, skipped)
 * (docs/architecture.md §4). Both share the key, so a row is in exactly one.
 */
const ROW_SQL = `
SELECT e.id AS event_id, o.destination, o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at,
       NULL AS delivered_at, o.dead_at, NULL AS skipped_at, NULL AS vendor_ref, NULL AS vendor_result, NULL AS vendor_result_at,
       ${EVENT_COLUMNS}
FROM outbox o JOIN events e ON e.seq = o.event_seq WHERE o.id = @key
UNION ALL
SELECT e.id, s.destination, s.state, s.attempts, s.settled_at, s.last_error, s.created_at,
       iif(s.state = 'delivered', s.settled_at, NULL), NULL, iif(s.state = 'skipped', s.settled_at, NULL), s.vendor_ref, s.vendor_result, s.vendor_result_at,
       ${EVENT_COLUMNS}
FROM outbox_settled s JOIN events e ON e.seq = s.event_seq WHERE s.id = @key`;

export interface NewEvent {
  /** Default: a fresh UUIDv7. */
  id?: string;
  type: string;
  parcelId?: string | null;
  compartmentId?: string | null;
  payload: unknown;
  occurredAt: number;
}

/** Keys are slot × 2^40 + event seq (migrations/0055): below 2^53 for 4,095 destinations, so exact as numbers. */
const SEQ_SPAN = 2 ** 40;
const MAX_SLOT = 4095;

/** The destination's slot, numbered on first use (in the caller's transaction). Throws RangeError past MAX_SLOT. */
function slotFor(db: Db, destination: string): number {
  const known = knownSlot(db, destination);
  if (known !== undefined) return known;
  const slot = Number(db.stmt('INSERT INTO outbox_destinations (name) VALUES (?)').run(destination).lastInsertRowid);
  if (slot > MAX_SLOT) throw new RangeError(`more than ${MAX_SLOT} outbox destinations`);
  return slot;
}

/**
 * Slots once committed never change (a destination is never renumbered), so
 * a slot read outside a transaction is kept; one read inside may still roll
 * back with the transaction that numbered it, so it is not.
 */
const slotCache = new WeakMap<ReadDb, Map<string, number>>();

function knownSlot(db: ReadDb, destination: string): number | undefined {
  const cached = slotCache.get(db)?.get(destination);
  if (cached !== undefined) return cached;
  const row = db.stmt('SELECT slot FROM outbox_destinations WHERE name = ?').get(destination) as { slot?: unknown } | undefined;
  if (typeof row?.slot !== 'number') return undefined;
  if (!db.sqlite.inTransaction) {
    let slots = slotCache.get(db);
    if (!slots) slotCache.set(db, (slots = new Map()));
    slots.set(destination, row.slot);
  }
  return row.slot;
}

/**
 * The seq of events whose ids this handle read lately, per destination: a
 * drainer acknowledges rows it has just read for its own destination, and no
 * on-disk index maps an event id to its seq any more (it cost a page a pickup,
 * migrations/0055). A committed event's seq never changes and is never reused
 * (events are never deleted), so an entry read outside a transaction is never
 * stale; one read inside may roll back and its seq go to another event, so it
 * is not kept. Per destination, so a fast drain's pages never push out the rows
 * a slow vendor attempt is still waiting on; each bucket keeps the last
 * SEQ_CACHE_SIZE ids (pages of 100 in flight need far fewer), so memory stays
 * flat however many events pass (the soak measured 50,000 shared entries as
 * ~1 MB of heap per 10,000 operations before the cap). A miss reads the events
 * table (a scan: tests and tools, not the drain).
 */
const seqCache = new WeakMap<ReadDb, Map<string, Map<string, number>>>();
const SEQ_CACHE_SIZE = 2_048;

function rememberSeq(db: ReadDb, bucket: string, eventId: string, seq: number): void {
  if (db.sqlite.inTransaction) return;
  let buckets = seqCache.get(db);
  if (!buckets) seqCache.set(db, (buckets = new Map()));
  let cache = buckets.get(bucket);
  if (!cache) buckets.set(bucket, (cache = new Map()));
  cache.delete(eventId);
  cache.set(eventId, seq);
  if (cache.size > SEQ_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}

/** `bucket`: the destination whose rows the caller reads ('' for none). */
function seqOf(db: ReadDb, bucket: string, eventId: string): number | undefined {
  const cached = seqCache.get(db)?.get(bucket)?.get(eventId);
  if (cached !== undefined) return cached;
  const row = db.stmt('SELECT seq FROM events WHERE id = ?').get(eventId) as { seq?: unknown } | undefined;
  if (typeof row?.seq !== 'number') return undefined;
  rememberSeq(db, bucket, eventId, row.seq);
  return row.seq;
}

/** The row key of (event, destination), or undefined when either is unknown. */
function keyOf(db: ReadDb, eventId: string, destination: string): number | undefined {
  const slot = knownSlot(db, destination);
  const seq = slot === undefined ? undefined : seqOf(db, destination, eventId);
  return slot === undefined || seq === undefined ? undefined : slot * SEQ_SPAN + seq;
}

/**
 * Records an event and one 'pending' outbox row per distinct destination
 * (attempts 0, due at occurredAt); no destinations = history only.
 * Throws StoreError('duplicate') for an id given that exists already,
 * TypeError for a payload JSON cannot represent, RangeError for an empty
 * type/destination; nothing is written then.
 */
export function recordEvent(db: Db, e: NewEvent, destinations: readonly string[]): DomainEvent {
  if (e.type.length === 0) throw new RangeError('event type is empty');
  if (destinations.some((d) => d.length === 0)) throw new RangeError('empty outbox destination');
  const id = e.id ?? uuidv7();
  const payload = toJson(e.payload);
  return inTransaction(db, () => {
    // Only a caller's own id can repeat (a UUIDv7 does not); no index backs this look-up, so only that case pays for it.
    if (e.id !== undefined && seqOf(db, '', e.id) !== undefined) throw new StoreError('duplicate', `event ${id} exists`, { eventId: id });
    const seq = Number(
      db
        .stmt(`INSERT INTO events (id, type, parcel_id, compartment_id, payload, occurred_at)
               VALUES (@id, @type, @parcelId, @compartmentId, @payload, @occurredAt)`)
        .run({ id, type: e.type, parcelId: e.parcelId ?? null, compartmentId: e.compartmentId ?? null, payload, occurredAt: e.occurredAt })
        .lastInsertRowid,
    );
    if (seq >= SEQ_SPAN) throw new RangeError(`event seq ${seq} is past the outbox key space`);
    const insertRow = db.stmt(`INSERT INTO outbox (id, event_seq, destination, parcel_id, state, next_attempt_at, created_at)
                               VALUES (@key, @seq, @destination, @parcelId, 'pending', @occurredAt, @occurredAt)`);
    for (const destination of new Set(destinations)) {
      insertRow.run({ key: slotFor(db, destination) * SEQ_SPAN + seq, seq, destination, parcelId: e.parcelId ?? null, occurredAt: e.occurredAt });
    }
    return { id, type: e.type, parcelId: e.parcelId ?? null, compartmentId: e.compartmentId ?? null, payload: JSON.parse(payload) as unknown, occurredAt: e.occurredAt };
  });
}

const QueueRow = z.object({
  owed_key: z.number().int(),
  parcel_id: z.string().nullable(),
  state: z.enum(['pending', 'dead']),
  next_attempt_at: epochMs,
});

/**
 * Up to `limit` pending rows for `destination` due at `now`, oldest first.
 * A row waits while an older pending or dead row of the same parcel exists for
 * this destination, so one stuck parcel stalls only itself. Throws
 * StoreError('corrupt-row') on a damaged row.
 *
 * The walk is the destination's key range of the owed table, in event order:
 * every older row of a parcel comes before its younger ones, so the parcels
 * seen so far are the ones that hold a later row. It reads the rows ahead of
 * the page (waiting, dead) and stops at `limit`; only the rows taken are
 * parsed whole.
 */
export function nextDeliverable(db: ReadDb, destination: string, now: number, limit: number): OutboxRow[] {
  const slot = knownSlot(db, destination);
  if (slot === undefined || limit <= 0) return [];
  const held = new Set<string>();
  const page: OutboxRow[] = [];
  for (const raw of db.stmt(NEXT_DELIVERABLE_SQL).iterate({ from: slot * SEQ_SPAN, to: (slot + 1) * SEQ_SPAN - 1 })) {
    const row = parseRow(QueueRow, raw, 'outbox');
    const free = row.parcel_id === null || !held.has(row.parcel_id);
    if (row.parcel_id !== null) held.add(row.parcel_id);
    if (!free || row.state !== 'pending' || row.next_attempt_at > now) continue;
    const taken = parseRow(OutboxJoinRow, raw, 'outbox');
    rememberSeq(db, destination, taken.event.id, row.owed_key % SEQ_SPAN);
    page.push(taken);
    if (page.length >= limit) break;
  }
  return page;
}

/** Exported for the EXPLAIN QUERY PLAN test: a range of the table's own key, no index, no sort (the row's parcel is its event's). */
export const NEXT_DELIVERABLE_SQL = `
SELECT o.id AS owed_key, e.id AS event_id, o.destination, o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at,
       NULL AS delivered_at, o.dead_at, NULL AS skipped_at, NULL AS vendor_ref, NULL AS vendor_result, NULL AS vendor_result_at,
       ${EVENT_COLUMNS}
FROM outbox o JOIN events e ON e.seq = o.event_seq
WHERE o.id BETWEEN @from AND @to
ORDER BY o.id`;

function readRow(db: ReadDb, key: number): OutboxRow | undefined {
  const raw = db.stmt(ROW_SQL).get({ key });
  if (raw === undefined) return undefined;
  const row = parseRow(OutboxJoinRow, raw, 'outbox');
  rememberSeq(db, row.destination, row.event.id, key % SEQ_SPAN);
  return row;
}

/** One outbox row with its event. Throws StoreError('corrupt-row') on a damaged row. */
export function getOutboxRow(db: ReadDb, eventId: string, destination: string): OutboxRow | undefined {
  const key = keyOf(db, eventId, destination);
  return key === undefined ? undefined : readRow(db, key);
}

export interface MarkDeliveredOptions {
  /**
   * false: commit without waiting for the disk (synchronous=NORMAL for this
   * one transaction). Every reader sees the row delivered at once, so
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

/** Moves an owed row to outbox_settled as `state`; false when no owed row has that key. */
function settle(db: Db, key: number, state: 'delivered' | 'skipped', at: number, fields: { lastError?: string; vendorRef?: string | null }): boolean {
  return inTransaction(db, () => {
    const moved = db
      .stmt(`INSERT INTO outbox_settled (id, event_seq, destination, parcel_id, state, attempts, last_error, created_at, settled_at, vendor_ref)
             SELECT id, event_seq, destination, parcel_id, @state, attempts, coalesce(@lastError, last_error), created_at, @at, @vendorRef
             FROM outbox WHERE id = @key`)
      .run({ key, state, at, lastError: fields.lastError ?? null, vendorRef: fields.vendorRef ?? null }).changes;
    if (moved === 0) return false;
    db.stmt('DELETE FROM outbox WHERE id = ?').run(key);
    return true;
  });
}

/**
 * The destination acknowledged the event. Idempotent for a delivered row;
 * also accepted for a dead row (the ack is the truth). Throws
 * StoreError('not-found') for an unknown row.
 */
export function markDelivered(db: Db, eventId: string, destination: string, now: number, options: MarkDeliveredOptions = {}): void {
  const key = keyOf(db, eventId, destination);
  const vendorRef = options.vendorRef === undefined || options.vendorRef === '' ? null : options.vendorRef;
  const move = () => key !== undefined && settle(db, key, 'delivered', now, { vendorRef });
  const moved = options.fsync === false && !db.sqlite.inTransaction ? withoutFsync(db, move) : move();
  if (!moved) assertRowState(db, eventId, destination, 'delivered', ['delivered']);
}

/**
 * Runs one transaction at synchronous=NORMAL, then puts the
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
  const key = keyOf(db, eventId, destination);
  const changes = key === undefined ? 0 : db
    .stmt(`UPDATE outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @retryAt WHERE id = @key AND state = 'pending'`)
    .run({ key, error: failure.error, retryAt: failure.retryAt }).changes;
  if (changes === 0) assertRowState(db, eventId, destination, 'pending', []);
}

/**
 * Dead-letters a pending row (permanent failure, unparsable, or budget spent):
 * attempts+1 for the attempt that decided it. Visible in outboxStats until
 * retryDead. Throws StoreError('not-found'), or StoreError('invalid-transition')
 * unless pending (already dead: no-op).
 */
export function markDead(db: Db, eventId: string, destination: string, error: string, now: number): void {
  const key = keyOf(db, eventId, destination);
  const changes = key === undefined ? 0 : db
    .stmt(`UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = @error, dead_at = @now WHERE id = @key AND state = 'pending'`)
    .run({ key, error, now }).changes;
  if (changes === 0) assertRowState(db, eventId, destination, 'dead', ['dead']);
}

/**
 * The destination has nothing to send for this event: settled without a
 * request, `reason` kept in lastError. Throws StoreError('not-found'), or
 * StoreError('invalid-transition') unless pending (already skipped: no-op).
 */
export function markSkipped(db: Db, eventId: string, destination: string, reason: string, now: number): void {
  if (reason.length === 0) throw new RangeError('a skip needs its reason');
  const key = keyOf(db, eventId, destination);
  const pending = key !== undefined && (db.stmt(`SELECT 1 FROM outbox WHERE id = ? AND state = 'pending'`).get(key) !== undefined);
  if (!pending || !settle(db, key, 'skipped', now, { lastError: reason })) assertRowState(db, eventId, destination, 'skipped', ['skipped']);
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
    .stmt(`UPDATE outbox_settled SET vendor_result = @result, vendor_result_at = @now
           WHERE destination = @destination AND vendor_ref = @vendorRef
           RETURNING (SELECT id FROM events WHERE seq = outbox_settled.event_seq) AS event_id`)
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

// One statement per state, so each is bounded alone; each walks its partial index newest first (the WHERE repeats the index's, as SQLite needs to use it).
const UNSENT_SQL = [
  `SELECT e.id AS event_id, e.type, o.parcel_id, o.destination, o.state, o.last_error, o.attempts, o.created_at, o.dead_at AS settled_at
   FROM outbox o INDEXED BY outbox_dead JOIN events e ON e.seq = o.event_seq
   WHERE o.state = 'dead' ORDER BY o.created_at DESC LIMIT @limit`,
  `SELECT e.id AS event_id, e.type, s.parcel_id, s.destination, s.state, s.last_error, s.attempts, s.created_at, s.settled_at
   FROM outbox_settled s INDEXED BY outbox_settled_skipped JOIN events e ON e.seq = s.event_seq
   WHERE s.state = 'skipped' ORDER BY s.created_at DESC LIMIT @limit`,
];

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
    .stmt(`SELECT e.id AS event_id, e.type, s.destination, s.vendor_ref, s.vendor_result, s.vendor_result_at
           FROM outbox_settled s INDEXED BY outbox_settled_vendor_ref JOIN events e ON e.seq = s.event_seq
           WHERE s.vendor_ref IS NOT NULL AND s.vendor_result IS NOT NULL ORDER BY s.vendor_result_at DESC LIMIT @limit`)
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

/** Throws unless the row exists and is in one of `okStates` (then the no-op was right). */
function assertRowState(db: ReadDb, eventId: string, destination: string, to: OutboxState, okStates: readonly OutboxState[]): void {
  const state = getOutboxRow(db, eventId, destination)?.state;
  if (state === undefined) throw new StoreError('not-found', `outbox row ${eventId}/${destination} not found`, { eventId, destination });
  if (!okStates.includes(state)) {
    throw new StoreError('invalid-transition', `outbox row ${eventId}/${destination}: ${state} → ${to}`, {
      eventId,
      destination,
      from: state,
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

/** Counts for the status screen. Scans both tables: prune delivered rows with pruneDeliveredOutbox. */
export function outboxStats(db: ReadDb, now: number): OutboxStats {
  const rows = parseRows(
    StatRow,
    db.stmt(`SELECT destination, state, count(*) AS n, min(created_at) AS oldest FROM outbox GROUP BY destination, state
             UNION ALL
             SELECT destination, state, count(*), min(created_at) FROM outbox_settled GROUP BY destination, state`).all(),
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
  return db.stmt(`DELETE FROM outbox_settled WHERE state = 'delivered' AND settled_at < ?`).run(before).changes;
}

/** Events of a parcel in the order they were recorded. Throws StoreError('corrupt-row') on a damaged row. */
export function eventsForParcel(db: ReadDb, parcelId: string): DomainEvent[] {
  const raws = db.stmt(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.parcel_id = ? ORDER BY e.seq`).all(parcelId);
  return parseRows(EventRow, raws, 'events');
}

/** The door events (opened, forced, closed, left open) recorded for a compartment from `since` on: whether its door was seen open then. */
export function doorActivitySince(db: ReadDb, compartmentId: string, since: number): number {
  const row = db
    .stmt(`SELECT count(*) AS n FROM events WHERE compartment_id = ? AND occurred_at >= ?
           AND type IN ('door.opened', 'door.forced', 'door.closed', 'door.left-open')`)
    .get(compartmentId, since) as { n?: unknown } | undefined;
  return typeof row?.n === 'number' ? row.n : 0;
}

/** One event by id: a scan (no index on the id since migrations/0055), for tests and tools. Throws StoreError('corrupt-row') on a damaged row. */
export function getEvent(db: ReadDb, id: string): DomainEvent | undefined {
  const raw = db.stmt(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.id = ?`).get(id);
  return raw === undefined ? undefined : parseRow(EventRow, raw, 'events');
}

/**
 * Parcels and their state machine. The caller composes a transition with its
 * event, audit row and code change inside one inTransaction (docs/architecture.md, style rule 7).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { PARCEL_STATES, type ParcelState } from '../shared/domain.js';
import { inTransaction, type Db, type ReadDb } from './db.js';
import { isForeignKeyViolation, isUniqueViolation, sqliteCode, StoreError } from './errors.js';
import { epochMs, parseRow, parseRows } from './rows.js';

export interface Parcel {
  id: string;
  compartmentId: string;
  state: ParcelState;
  trackingNo: string | null;
  courier: string | null;
  externalRef: string | null;
  createdAt: number;
  /** When it went into 'stored'. */
  storedAt: number | null;
  /** When it last left 'awaiting-dropoff'/'stored' (picked up, returned, expired, cancelled). */
  closedAt: number | null;
  expiresAt: number | null;
  updatedAt: number;
}

/**
 * Allowed moves. Beyond the happy path: an expired parcel, or one cancelled
 * after drop-off, is still behind the door, so it can (and must) be returned;
 * until then it keeps its compartment occupied.
 */
const TRANSITIONS: Readonly<Record<ParcelState, readonly ParcelState[]>> = {
  'awaiting-dropoff': ['stored', 'cancelled'],
  stored: ['picked-up', 'returned', 'expired', 'cancelled'],
  expired: ['returned'],
  cancelled: ['returned'],
  'picked-up': [],
  returned: [],
};

/** Whether `from → to` is allowed; `wasStored` guards cancelled → returned. */
export function canTransition(from: ParcelState, to: ParcelState, wasStored: boolean): boolean {
  if (!TRANSITIONS[from].includes(to)) return false;
  return from !== 'cancelled' || wasStored;
}

const ParcelRow = z
  .object({
    id: z.string(),
    compartment_id: z.string(),
    state: z.enum(PARCEL_STATES),
    tracking_no: z.string().nullable(),
    courier: z.string().nullable(),
    external_ref: z.string().nullable(),
    created_at: epochMs,
    stored_at: epochMs.nullable(),
    closed_at: epochMs.nullable(),
    expires_at: epochMs.nullable(),
    updated_at: epochMs,
  })
  .transform(
    (r): Parcel => ({
      id: r.id,
      compartmentId: r.compartment_id,
      state: r.state,
      trackingNo: r.tracking_no,
      courier: r.courier,
      externalRef: r.external_ref,
      createdAt: r.created_at,
      storedAt: r.stored_at,
      closedAt: r.closed_at,
      expiresAt: r.expires_at,
      updatedAt: r.updated_at,
    }),
  );

const IdRow = z.object({ id: z.string() });

const COLUMNS =
  'id, compartment_id, state, tracking_no, courier, external_ref, created_at, stored_at, closed_at, expires_at, updated_at';

export interface NewParcel {
  /** Default: a fresh UUIDv7. */
  id?: string;
  compartmentId: string;
  state: 'awaiting-dropoff' | 'stored';
  trackingNo?: string | null;
  courier?: string | null;
  externalRef?: string | null;
  expiresAt?: number | null;
  now: number;
}

/**
 * Inserts a parcel in 'awaiting-dropoff' or 'stored' (storedAt = now).
 * Throws StoreError('duplicate') if the id exists or the compartment is
 * already occupied (meta.reason 'compartment-occupied'), StoreError('not-found')
 * for an unknown compartment, RangeError for another initial state.
 */
export function createParcel(db: Db, p: NewParcel): Parcel {
  if (p.state !== 'awaiting-dropoff' && p.state !== 'stored') {
    throw new RangeError(`a parcel starts in awaiting-dropoff or stored, not ${String(p.state)}`);
  }
  const id = p.id ?? uuidv7();
  try {
    db.stmt(
      `INSERT INTO parcels (id, compartment_id, state, tracking_no, courier, external_ref, created_at, stored_at, expires_at, updated_at)
       VALUES (@id, @compartmentId, @state, @trackingNo, @courier, @externalRef, @now, @storedAt, @expiresAt, @now)`,
    ).run({
      id,
      compartmentId: p.compartmentId,
      state: p.state,
      trackingNo: p.trackingNo ?? null,
      courier: p.courier ?? null,
      externalRef: p.externalRef ?? null,
      now: p.now,
      storedAt: p.state === 'stored' ? p.now : null,
      expiresAt: p.expiresAt ?? null,
    });
  } catch (err) {
    throw createError(err, id, p.compartmentId);
  }
  return mustGet(db, id);
}

function createError(err: unknown, id: string, compartmentId: string): unknown {
  if (sqliteCode(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StoreError('duplicate', `parcel ${id} exists`, { parcelId: id }, { cause: err });
  }
  if (isUniqueViolation(err)) {
    return new StoreError('duplicate', `compartment ${compartmentId} is occupied`, {
      compartmentId,
      reason: 'compartment-occupied',
    }, { cause: err });
  }
  if (isForeignKeyViolation(err)) {
    return new StoreError('not-found', `compartment ${compartmentId} not found`, { compartmentId }, { cause: err });
  }
  return err;
}

export interface TransitionOptions {
  /** Replaces expiresAt (typically set on → 'stored'); null clears it, undefined leaves it. */
  expiresAt?: number | null;
}

/**
 * Moves a parcel to `to`, stamping storedAt (→ stored) or closedAt (→ any
 * other state) with `now`. Throws StoreError('not-found') for an unknown id,
 * StoreError('invalid-transition', {from, to}) for a move the machine forbids;
 * nothing is written in either case.
 */
export function transitionParcel(db: Db, id: string, to: ParcelState, now: number, opts: TransitionOptions = {}): Parcel {
  return inTransaction(db, () => {
    const current = getParcel(db, id);
    if (current === undefined) throw new StoreError('not-found', `parcel ${id} not found`, { parcelId: id });
    if (!canTransition(current.state, to, current.storedAt !== null)) {
      throw new StoreError('invalid-transition', `parcel ${id}: ${current.state} → ${to} not allowed`, {
        parcelId: id,
        from: current.state,
        to,
      });
    }
    db.stmt(
      `UPDATE parcels SET state = @to,
         stored_at = CASE WHEN @to = 'stored' THEN @now ELSE stored_at END,
         closed_at = CASE WHEN @to = 'stored' THEN NULL ELSE @now END,
         expires_at = CASE WHEN @setExpiry = 1 THEN @expiresAt ELSE expires_at END,
         updated_at = @now
       WHERE id = @id`,
    ).run({ id, to, now, setExpiry: opts.expiresAt === undefined ? 0 : 1, expiresAt: opts.expiresAt ?? null });
    return mustGet(db, id);
  });
}

/** A parcel by id. Throws StoreError('corrupt-row') on a damaged row. */
export function getParcel(db: ReadDb, id: string): Parcel | undefined {
  const raw = db.stmt(`SELECT ${COLUMNS} FROM parcels WHERE id = ?`).get(id);
  return raw === undefined ? undefined : parseRow(ParcelRow, raw, 'parcels');
}

function mustGet(db: ReadDb, id: string): Parcel {
  const parcel = getParcel(db, id);
  if (parcel === undefined) throw new StoreError('not-found', `parcel ${id} vanished`, { parcelId: id });
  return parcel;
}

/** The parcel in 'awaiting-dropoff' or 'stored' in this compartment, if any. */
export function activeParcelIn(db: ReadDb, compartmentId: string): Parcel | undefined {
  const occupant = occupantOf(db, compartmentId);
  return occupant?.state === 'awaiting-dropoff' || occupant?.state === 'stored' ? occupant : undefined;
}

/**
 * The parcel physically occupying (or reserved in) the compartment: active,
 * expired, or cancelled after drop-off and not yet returned. This is what
 * keeps a compartment from being offered for drop-off.
 */
export function occupantOf(db: ReadDb, compartmentId: string): Parcel | undefined {
  const raw = db.stmt(`SELECT ${COLUMNS} FROM parcels WHERE compartment_id = ? AND occupies = 1`).get(compartmentId);
  return raw === undefined ? undefined : parseRow(ParcelRow, raw, 'parcels');
}

export interface ParcelFilter {
  states?: readonly ParcelState[];
  compartmentId?: string;
  /**
   * Only parcels that occupy a compartment (awaiting drop-off, stored,
   * expired, or cancelled once inside): answered from the occupant index, so
   * the agent's own lists never scan the parcel history.
   */
  occupying?: boolean;
  /** Default 1000. */
  limit?: number;
}

/** Parcels, newest first, optionally filtered. Throws StoreError('corrupt-row') on a damaged row. */
export function listParcels(db: ReadDb, filter: ParcelFilter = {}): Parcel[] {
  const params = {
    states: filter.states === undefined ? null : JSON.stringify(filter.states),
    compartmentId: filter.compartmentId ?? null,
    limit: filter.limit ?? 1000,
  };
  // Two statements, not one with `(@occupying IS NULL OR occupies = 1)`: SQLite uses a
  // partial index only when the WHERE clause states its condition literally.
  const raws = db.stmt(filter.occupying === true ? LIST_OCCUPANTS_SQL : LIST_PARCELS_SQL).all(params);
  return parseRows(ParcelRow, raws, 'parcels');
}

const PARCEL_FILTER = `(@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
  AND (@compartmentId IS NULL OR compartment_id = @compartmentId)`;
const LIST_PARCELS_SQL = `SELECT ${COLUMNS} FROM parcels WHERE ${PARCEL_FILTER} ORDER BY created_at DESC, id DESC LIMIT @limit`;
const LIST_OCCUPANTS_SQL = `SELECT ${COLUMNS} FROM parcels WHERE occupies = 1 AND ${PARCEL_FILTER} ORDER BY created_at DESC, id DESC LIMIT @limit`;

/**
 * Moves every stored parcel whose expiresAt ≤ now to 'expired' and returns
 * them (the caller records their events in the same transaction). Atomic:
 * throws (and expires nothing) on a corrupt row.
 */
export function expireDueParcels(db: Db, now: number): Parcel[] {
  return inTransaction(db, () => {
    const due = db
      .stmt(`SELECT id FROM parcels WHERE occupies = 1 AND state = 'stored' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id`)
      .all(now);
    return parseRows(IdRow, due, 'parcels').map((r) => transitionParcel(db, r.id, 'expired', now));
  });
}

/**
 * Pickup codes, stored only as HMAC-SHA256(cabinet secret, code): a copied
 * database reveals no code, and a lookup stays one index probe
 * (docs/architecture.md §5, crash and power-loss rules).
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { assertNever } from '../shared/domain.js';
import type { Db, ReadDb } from './db.js';
import { isForeignKeyViolation, isUniqueViolation, StoreError } from './errors.js';
import { epochMs, parseRow, parseRows } from './rows.js';

export const CODE_STATES = ['active', 'used', 'cancelled', 'expired'] as const;
export type CodeState = (typeof CODE_STATES)[number];
export type CodeVerdict = 'valid' | 'expired' | 'used' | 'not-yet-valid' | 'in-grace' | 'cancelled';
export const HASH_BYTES = 32;

export interface PickupCode {
  id: number;
  parcelId: string | null;
  compartmentId: string | null;
  /** 'local' or a vendor name. */
  source: string;
  externalId: string | null;
  state: CodeState;
  validFrom: number;
  /** Exclusive: the code is expired from this instant on. */
  validUntil: number | null;
  usedAt: number | null;
  /** A used code may re-open its door once before this instant ("forgot an item"). */
  graceUntil: number | null;
  /** Pulses this code caused (or may have caused): at most MAX_OPENS_PER_CODE. */
  opens: number;
}

const CodeRow = z
  .object({
    id: z.number().int(),
    parcel_id: z.string().nullable(),
    compartment_id: z.string().nullable(),
    source: z.string(),
    external_id: z.string().nullable(),
    state: z.enum(CODE_STATES),
    valid_from: epochMs,
    valid_until: epochMs.nullable(),
    used_at: epochMs.nullable(),
    grace_until: epochMs.nullable(),
    opens: z.number().int().nonnegative(),
  })
  .transform(
    (r): PickupCode => ({
      id: r.id,
      parcelId: r.parcel_id,
      compartmentId: r.compartment_id,
      source: r.source,
      externalId: r.external_id,
      state: r.state,
      validFrom: r.valid_from,
      validUntil: r.valid_until,
      usedAt: r.used_at,
      graceUntil: r.grace_until,
      opens: r.opens,
    }),
  );

const COLUMNS = 'id, parcel_id, compartment_id, source, external_id, state, valid_from, valid_until, used_at, grace_until, opens';

/**
 * The keypad lookup, two index probes at most (exported for the EXPLAIN QUERY
 * PLAN test): the active code of this hash (pickup_codes_one_active_hash),
 * else its newest row (pickup_codes_by_hash), for the "used" or "expired"
 * answer. Neither index is keyed on state beyond the active partial, so using
 * a code rewrites as few index pages as possible (migrations/0040).
 */
export const FIND_ACTIVE_CODE_SQL = `SELECT ${COLUMNS} FROM pickup_codes WHERE hash = ? AND state = 'active'`;
export const FIND_NEWEST_CODE_SQL = `SELECT ${COLUMNS} FROM pickup_codes WHERE hash = ? ORDER BY id DESC LIMIT 1`;

/**
 * HMAC-SHA256(secret, code.trim()). Pure. Throws RangeError for an empty
 * secret (a keyless hash would make stored codes guessable offline).
 */
export function hashPickupCode(secret: Buffer, code: string): Buffer {
  if (secret.length === 0) throw new RangeError('pickup-code secret is empty');
  return createHmac('sha256', secret).update(code.trim(), 'utf8').digest();
}

/** The verdict for a code at `now`; pure. */
export function codeVerdict(code: PickupCode, now: number): CodeVerdict {
  switch (code.state) {
    case 'cancelled':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'used':
      return code.graceUntil !== null && now < code.graceUntil ? 'in-grace' : 'used';
    case 'active':
      if (now < code.validFrom) return 'not-yet-valid';
      return code.validUntil !== null && now >= code.validUntil ? 'expired' : 'valid';
    default:
      return assertNever(code.state, 'code state');
  }
}

export interface NewPickupCode {
  hash: Buffer;
  parcelId?: string | null;
  compartmentId?: string | null;
  source: string;
  externalId?: string | null;
  validFrom: number;
  validUntil?: number | null;
  /** Stamped as created/updated time. Default Date.now(). */
  now?: number;
}

/**
 * Inserts an active code. Throws StoreError('duplicate') when an active code
 * has the same hash, StoreError('not-found') for an unknown parcel or
 * compartment, RangeError for a hash that is not 32 bytes or an empty source.
 */
export function insertPickupCode(db: Db, c: NewPickupCode): PickupCode {
  assertHash(c.hash);
  if (c.source.length === 0) throw new RangeError('pickup-code source is empty');
  const now = c.now ?? Date.now();
  let id: number;
  try {
    id = Number(db.stmt(INSERT_CODE_SQL).run({
      hash: c.hash,
      parcelId: c.parcelId ?? null,
      compartmentId: c.compartmentId ?? null,
      source: c.source,
      externalId: c.externalId ?? null,
      validFrom: c.validFrom,
      validUntil: c.validUntil ?? null,
      now,
    }).lastInsertRowid);
  } catch (err) {
    if (isUniqueViolation(err)) throw new StoreError('duplicate', 'an active code has this hash', { source: c.source, externalId: c.externalId ?? null }, { cause: err });
    if (isForeignKeyViolation(err)) throw new StoreError('not-found', 'code refers to an unknown parcel or compartment', { parcelId: c.parcelId ?? null, compartmentId: c.compartmentId ?? null }, { cause: err });
    throw err;
  }
  return mustGetCode(db, id);
}

const INSERT_CODE_SQL = `INSERT INTO pickup_codes
  (hash, parcel_id, compartment_id, source, external_id, state, valid_from, valid_until, created_at, updated_at)
  VALUES (@hash, @parcelId, @compartmentId, @source, @externalId, 'active', @validFrom, @validUntil, @now, @now)`;

/** Throws RangeError unless `hash` is a 32-byte Buffer. */
export function assertHash(hash: Buffer): void {
  if (!Buffer.isBuffer(hash) || hash.length !== HASH_BYTES) throw new RangeError(`a code hash is ${HASH_BYTES} bytes`);
}

/**
 * The row for this hash (the active one when several rows share it, else the
 * newest) and its verdict at `now`; undefined when unknown. One index probe.
 * Throws StoreError('corrupt-row') on a damaged row.
 */
export function findCodeByHash(db: ReadDb, hash: Buffer, now: number): { code: PickupCode; verdict: CodeVerdict } | undefined {
  const raw = db.stmt(FIND_ACTIVE_CODE_SQL).get(hash) ?? db.stmt(FIND_NEWEST_CODE_SQL).get(hash);
  if (raw === undefined) return undefined;
  const code = parseRow(CodeRow, raw, 'pickup_codes');
  return { code, verdict: codeVerdict(code, now) };
}

/** A code by id. Throws StoreError('corrupt-row') on a damaged row. */
export function getPickupCode(db: ReadDb, id: number): PickupCode | undefined {
  const raw = db.stmt(`SELECT ${COLUMNS} FROM pickup_codes WHERE id = ?`).get(id);
  return raw === undefined ? undefined : parseRow(CodeRow, raw, 'pickup_codes');
}

function mustGetCode(db: ReadDb, id: number): PickupCode {
  const code = getPickupCode(db, id);
  if (code === undefined) throw new StoreError('not-found', `pickup code ${id} not found`, { codeId: id });
  return code;
}

/** Codes of a parcel, oldest first. */
export function codesForParcel(db: ReadDb, parcelId: string): PickupCode[] {
  return parseRows(CodeRow, db.stmt(`SELECT ${COLUMNS} FROM pickup_codes WHERE parcel_id = ? ORDER BY id`).all(parcelId), 'pickup_codes');
}

/** Active codes of `source` that open `compartmentId`, oldest first (service mode cancels them upstream and here). */
export function activeSourceCodesIn(db: ReadDb, compartmentId: string, source: string): PickupCode[] {
  return parseRows(
    CodeRow,
    db.stmt(`SELECT ${COLUMNS} FROM pickup_codes WHERE compartment_id = ? AND source = ? AND state = 'active' ORDER BY id`).all(compartmentId, source),
    'pickup_codes',
  );
}

/**
 * Marks an active code used at `now` and opens its grace window
 * (graceUntil = now + graceMs; graceMs 0 → no grace). Throws
 * StoreError('not-found') or StoreError('invalid-transition') if not active.
 */
export function markCodeUsed(db: Db, id: number, now: number, graceMs: number): void {
  const info = db
    .stmt(`UPDATE pickup_codes SET state = 'used', used_at = @now, grace_until = @grace, updated_at = @now
           WHERE id = @id AND state = 'active'`)
    .run({ id, now, grace: graceMs > 0 ? now + graceMs : null });
  if (info.changes === 0) throw codeStateError(db, id, 'used');
}

/**
 * Counts one pulse against the code (`delta` 1, in the intent's transaction)
 * or gives one back (`delta` -1, only when the frame provably never left).
 * Throws StoreError('not-found') for an unknown code.
 */
export function countCodeOpen(db: Db, id: number, delta: 1 | -1): void {
  const info = db.stmt('UPDATE pickup_codes SET opens = max(0, opens + ?) WHERE id = ?').run(delta, id);
  if (info.changes === 0) throw new StoreError('not-found', `pickup code ${id} not found`, { codeId: id });
}

/**
 * Spends the one grace re-open: graceUntil = null. Throws
 * StoreError('not-found') or StoreError('invalid-transition') unless the code
 * is used with grace left.
 */
export function consumeGrace(db: Db, id: number): void {
  const info = db
    .stmt(`UPDATE pickup_codes SET grace_until = NULL WHERE id = ? AND state = 'used' AND grace_until IS NOT NULL`)
    .run(id);
  if (info.changes === 0) throw codeStateError(db, id, 'grace-consumed');
}

/**
 * Cancels an active code; a no-op if already cancelled. Throws
 * StoreError('not-found'), or StoreError('invalid-transition') for a used or
 * expired code.
 */
export function cancelCode(db: Db, id: number, now: number): void {
  const info = db
    .stmt(`UPDATE pickup_codes SET state = 'cancelled', updated_at = ? WHERE id = ? AND state = 'active'`)
    .run(now, id);
  if (info.changes === 0 && getPickupCode(db, id)?.state !== 'cancelled') throw codeStateError(db, id, 'cancelled');
}

/** Cancels every active code of a parcel (it was picked up or returned); returns how many. */
export function cancelCodesForParcel(db: Db, parcelId: string, now: number): number {
  return db
    .stmt(`UPDATE pickup_codes SET state = 'cancelled', updated_at = ? WHERE parcel_id = ? AND state = 'active'`)
    .run(now, parcelId).changes;
}

/** Active codes with validUntil ≤ now become 'expired'; returns how many. Frees their hashes for reuse. */
export function expireDueCodes(db: Db, now: number): number {
  return db
    .stmt(`UPDATE pickup_codes SET state = 'expired', updated_at = @now
           WHERE state = 'active' AND valid_until IS NOT NULL AND valid_until <= @now`)
    .run({ now }).changes;
}

/** Whether an active code has this hash (to draw a locally unique new code). */
export function isActiveHash(db: ReadDb, hash: Buffer): boolean {
  return db.stmt(`SELECT 1 AS hit FROM pickup_codes WHERE hash = ? AND state = 'active'`).get(hash) !== undefined;
}

function codeStateError(db: ReadDb, id: number, to: string): StoreError {
  const code = getPickupCode(db, id);
  if (code === undefined) return new StoreError('not-found', `pickup code ${id} not found`, { codeId: id });
  return new StoreError('invalid-transition', `pickup code ${id}: ${code.state} → ${to} not allowed`, {
    codeId: id,
    from: code.state,
    to,
  });
}

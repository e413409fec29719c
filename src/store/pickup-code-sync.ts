/**
 * Set-replace of the codes one source (a vendor cloud) knows about, for the
 * code puller. One transaction, one pass over prepared statements: 100k codes
 * take well under a second (see the test's timing log).
 */
import { z } from 'zod';
import { inTransaction, type Db, type ReadDb } from './db.js';
import { isForeignKeyViolation, isUniqueViolation, StoreError } from './errors.js';
import { assertHash } from './pickup-codes.js';
import { epochMs, parseRow } from './rows.js';

export interface SourceCode {
  hash: Buffer;
  /** The vendor's id for the code: the key of the set. */
  externalId: string;
  compartmentId?: string | null;
  parcelId?: string | null;
  validFrom: number;
  validUntil?: number | null;
  /** The user and the order the source named with the code (Aituo 1018), kept for the report of its pickup. */
  userRef?: string | null;
  orderRef?: string | null;
}

export interface ReplaceCodesResult {
  added: number;
  /** Active locally, gone upstream: cancelled. */
  removed: number;
  /** Active locally and unchanged upstream. */
  kept: number;
  /** Active locally, changed upstream (hash, validity, parcel or compartment): updated in place. */
  updated: number;
  /** Already used here: never re-activated, whatever upstream still says (its report may be in our outbox). */
  skippedUsed: number;
  /** Codes that could not be applied; the rest of the batch still is. */
  rejected: Array<{ externalId: string; reason: 'hash-in-use' | 'unknown-reference' }>;
}

const ActiveRow = z.object({
  id: z.number().int(),
  external_id: z.string().nullable(),
  hash: z.instanceof(Buffer),
  parcel_id: z.string().nullable(),
  compartment_id: z.string().nullable(),
  valid_from: epochMs,
  valid_until: epochMs.nullable(),
  user_ref: z.string().nullable(),
  order_ref: z.string().nullable(),
});
type ActiveRow = z.output<typeof ActiveRow>;

/**
 * Makes the active codes of `source` equal to `codes` (keyed by externalId):
 * new ones inserted, changed ones updated, missing ones cancelled. A code
 * already used here stays used. All in one transaction (a savepoint when
 * nested). Throws StoreError('duplicate') when `codes` repeats an externalId,
 * RangeError for a malformed entry (nothing written in either case), and
 * StoreError('corrupt-row') on a damaged row (rolled back).
 */
export function replaceCodesFromSource(db: Db, source: string, codes: readonly SourceCode[], now: number): ReplaceCodesResult {
  if (source.length === 0) throw new RangeError('pickup-code source is empty');
  const incomingIds = validateBatch(codes);
  return inTransaction(db, () => {
    const result: ReplaceCodesResult = { added: 0, removed: 0, kept: 0, updated: 0, skippedUsed: 0, rejected: [] };
    const active = new Map<string, ActiveRow>();
    // .all(), not .iterate(): better-sqlite3 refuses writes while an iterator is open.
    for (const raw of db.stmt(SELECT_ACTIVE).all(source)) {
      const row = parseRow(ActiveRow, raw, 'pickup_codes');
      // Cancel first what upstream dropped (or a stray duplicate), so a re-issued hash is free again.
      if (row.external_id === null || !incomingIds.has(row.external_id) || active.has(row.external_id)) {
        cancel(db, row.id, now);
        result.removed += 1;
      } else {
        active.set(row.external_id, row);
      }
    }
    for (const c of codes) {
      const current = active.get(c.externalId);
      if (current === undefined) insertNew(db, source, c, now, result);
      else if (sameCode(current, c)) result.kept += 1;
      else updateExisting(db, current, c, now, result);
    }
    db.logger.info({ source, ...result, rejected: result.rejected.length }, 'pickup codes replaced from source');
    return result;
  });
}

const SELECT_ACTIVE = `SELECT id, external_id, hash, parcel_id, compartment_id, valid_from, valid_until, user_ref, order_ref
  FROM pickup_codes WHERE source = ? AND state = 'active'`;

function validateBatch(codes: readonly SourceCode[]): Set<string> {
  const ids = new Set<string>();
  for (const c of codes) {
    assertHash(c.hash);
    if (typeof c.externalId !== 'string' || c.externalId.length === 0) throw new RangeError('a source code needs an externalId');
    if (ids.has(c.externalId)) throw new StoreError('duplicate', `externalId ${c.externalId} listed twice`, { externalId: c.externalId });
    ids.add(c.externalId);
  }
  return ids;
}

function sameCode(row: ActiveRow, c: SourceCode): boolean {
  return (
    row.hash.equals(c.hash) &&
    row.parcel_id === (c.parcelId ?? null) &&
    row.compartment_id === (c.compartmentId ?? null) &&
    row.valid_from === c.validFrom &&
    row.valid_until === (c.validUntil ?? null) &&
    row.user_ref === ref(c.userRef) &&
    row.order_ref === ref(c.orderRef)
  );
}

function params(c: SourceCode): Record<string, unknown> {
  return {
    hash: c.hash,
    parcelId: c.parcelId ?? null,
    compartmentId: c.compartmentId ?? null,
    validFrom: c.validFrom,
    validUntil: c.validUntil ?? null,
    userRef: ref(c.userRef),
    orderRef: ref(c.orderRef),
  };
}

/** An empty reference is no reference (the column refuses ''). */
function ref(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

function insertNew(db: Db, source: string, c: SourceCode, now: number, result: ReplaceCodesResult): void {
  if (db.stmt(USED_EXISTS).get(source, c.externalId) !== undefined) {
    result.skippedUsed += 1;
    return;
  }
  try {
    // ON CONFLICT DO NOTHING: a hash active under another row is reported, not fatal.
    const info = db.stmt(INSERT_OR_SKIP).run({ ...params(c), source, externalId: c.externalId, now });
    if (info.changes === 1) result.added += 1;
    else result.rejected.push({ externalId: c.externalId, reason: 'hash-in-use' });
  } catch (err) {
    // A constraint error aborts only this statement; the transaction goes on.
    if (!isForeignKeyViolation(err)) throw err;
    result.rejected.push({ externalId: c.externalId, reason: 'unknown-reference' });
  }
}

const USED_EXISTS = `SELECT 1 AS hit FROM pickup_codes WHERE source = ? AND external_id = ? AND state = 'used' LIMIT 1`;
const INSERT_OR_SKIP = `INSERT INTO pickup_codes
  (hash, parcel_id, compartment_id, source, external_id, state, valid_from, valid_until, user_ref, order_ref, created_at, updated_at)
  VALUES (@hash, @parcelId, @compartmentId, @source, @externalId, 'active', @validFrom, @validUntil, @userRef, @orderRef, @now, @now)
  ON CONFLICT DO NOTHING`;

function updateExisting(db: Db, row: ActiveRow, c: SourceCode, now: number, result: ReplaceCodesResult): void {
  try {
    db.stmt(
      `UPDATE pickup_codes SET hash = @hash, parcel_id = @parcelId, compartment_id = @compartmentId,
         valid_from = @validFrom, valid_until = @validUntil, user_ref = @userRef, order_ref = @orderRef, updated_at = @now
       WHERE id = @id`,
    ).run({ ...params(c), id: row.id, now });
    result.updated += 1;
  } catch (err) {
    const reason = isUniqueViolation(err) ? 'hash-in-use' : isForeignKeyViolation(err) ? 'unknown-reference' : undefined;
    if (reason === undefined) throw err;
    // Upstream no longer has the old version; keeping it active would let a stale code open a door.
    cancel(db, row.id, now);
    result.removed += 1;
    result.rejected.push({ externalId: c.externalId, reason });
  }
}

function cancel(db: Db, id: number, now: number): void {
  db.stmt(`UPDATE pickup_codes SET state = 'cancelled', updated_at = ? WHERE id = ?`).run(now, id);
}

const RefsRow = z.object({ user_ref: z.string().nullable(), order_ref: z.string().nullable() });

/**
 * The user and order references `source` gave with its code `externalId`
 * (the newest row of that id, whatever its state: a used code is what a
 * pickup report asks about). Undefined when no such code is kept.
 */
export function sourceCodeRefs(db: ReadDb, source: string, externalId: string): { userRef: string | null; orderRef: string | null } | undefined {
  const raw = db.stmt(`SELECT user_ref, order_ref FROM pickup_codes WHERE source = ? AND external_id = ? ORDER BY id DESC LIMIT 1`).get(source, externalId);
  if (raw === undefined) return undefined;
  const row = parseRow(RefsRow, raw, 'pickup_codes');
  return { userRef: row.user_ref, orderRef: row.order_ref };
}

/**
 * Compartments: the doors of the cabinet, mirrored from the config. Rows are
 * never deleted while history (parcels, codes, intents) points at them.
 */
import { z } from 'zod';
import { COMPARTMENT_SIZES, type CompartmentSize } from '../shared/domain.js';
import { inTransaction, type Db, type ReadDb } from './db.js';
import { isForeignKeyViolation, StoreError } from './errors.js';
import { bool01, parseRow, parseRows } from './rows.js';

export interface Compartment {
  id: string;
  board: number;
  lock: number;
  size: CompartmentSize;
  /** True when a technician took it out of service, or when it is `removed`. */
  outOfService: boolean;
  outOfServiceReason: string | null;
  /** Gone from the config but kept for its history; never offered for drop-off. */
  removed: boolean;
  /** The vendor code source this compartment is kept for; never offered to a courier. */
  reservedFor: string | null;
}

export interface CompartmentInput {
  id: string;
  board: number;
  lock: number;
  size: CompartmentSize;
}

export interface SyncCompartmentsResult {
  added: number;
  updated: number;
  /** Missing from the config but referenced by history: marked removed. */
  removed: number;
  /** Missing from the config and never used: deleted. */
  deleted: number;
}

export const REMOVED_REASON = 'removed-from-config';

const CompartmentRow = z
  .object({
    id: z.string(),
    board: z.number().int(),
    lock: z.number().int(),
    size: z.enum(COMPARTMENT_SIZES),
    out_of_service: bool01,
    out_of_service_reason: z.string().nullable(),
    removed: bool01,
    reserved_for: z.string().nullable(),
  })
  .transform(
    (r): Compartment => ({
      id: r.id,
      board: r.board,
      lock: r.lock,
      size: r.size,
      outOfService: r.out_of_service || r.removed,
      outOfServiceReason: r.out_of_service_reason ?? (r.removed ? REMOVED_REASON : null),
      removed: r.removed,
      reservedFor: r.reserved_for,
    }),
  );

const COLUMNS = 'id, board, lock, size, out_of_service, out_of_service_reason, removed, reserved_for';
// "Free": in service, present in the config, kept for no vendor, waiting for no check,
// and no parcel occupies it (see parcels.occupies).
const FREE = `c.out_of_service = 0 AND c.removed = 0 AND c.reserved_for IS NULL
  AND NOT EXISTS (SELECT 1 FROM compartment_checks k WHERE k.compartment_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.compartment_id = c.id AND p.occupies = 1)`;

/**
 * 'A2' < 'A10': every digit run gets a two-digit length prefix (leading zeros
 * dropped), so plain byte order of the key is natural order of the id.
 */
export function naturalSortKey(id: string): string {
  return id.replace(/\d+/g, (run) => {
    const digits = run.replace(/^0+(?=\d)/, '');
    return String(digits.length).padStart(2, '0') + digits;
  });
}

/**
 * Mirrors the configured compartments: inserts new ones, updates board, lock
 * and size of existing ones (and brings back a removed one), deletes those
 * missing from the list that nothing references, and marks the others
 * `removed`. One transaction. Throws StoreError('duplicate') when the list
 * repeats an id or a board/lock pair, RangeError on a malformed entry; the
 * database is unchanged in both cases.
 */
export function syncCompartments(db: Db, list: readonly CompartmentInput[], now: number = Date.now()): SyncCompartmentsResult {
  const wanted = validateCompartmentList(list);
  return inTransaction(db, () => {
    const before = new Map(readAllRows(db).map((c) => [c.id, c]));
    const result: SyncCompartmentsResult = { added: 0, updated: 0, removed: 0, deleted: 0 };
    for (const c of wanted) {
      const old = before.get(c.id);
      db.stmt(UPSERT).run({ ...c, sortKey: naturalSortKey(c.id), now });
      if (old === undefined) result.added += 1;
      else if (old.board !== c.board || old.lock !== c.lock || old.size !== c.size || old.removed) result.updated += 1;
    }
    const wantedIds = new Set(wanted.map((c) => c.id));
    for (const old of before.values()) {
      if (wantedIds.has(old.id) || old.removed) continue;
      if (tryDelete(db, old.id)) result.deleted += 1;
      else {
        db.stmt('UPDATE compartments SET removed = 1, updated_at = ? WHERE id = ?').run(now, old.id);
        result.removed += 1;
      }
    }
    if (result.added + result.updated + result.removed + result.deleted > 0) {
      db.logger.info({ ...result }, 'compartments synced from config');
    }
    return result;
  });
}

const UPSERT = `
INSERT INTO compartments (id, board, lock, size, sort_key, updated_at)
VALUES (@id, @board, @lock, @size, @sortKey, @now)
ON CONFLICT (id) DO UPDATE SET
  board = excluded.board, lock = excluded.lock, size = excluded.size,
  sort_key = excluded.sort_key, removed = 0, updated_at = excluded.updated_at`;

const InputSchema = z.object({
  id: z.string().min(1),
  board: z.number().int().min(0),
  lock: z.number().int().min(0),
  size: z.enum(COMPARTMENT_SIZES),
});

function validateCompartmentList(list: readonly CompartmentInput[]): CompartmentInput[] {
  const ids = new Set<string>();
  const slots = new Map<string, string>();
  return list.map((raw) => {
    const parsed = InputSchema.safeParse(raw);
    if (!parsed.success) throw new RangeError(`bad compartment ${JSON.stringify(raw)}: ${parsed.error.message}`);
    const c = parsed.data;
    if (ids.has(c.id)) throw new StoreError('duplicate', `compartment ${c.id} listed twice`, { compartmentId: c.id });
    const slot = `${c.board}/${c.lock}`;
    const other = slots.get(slot);
    if (other !== undefined) {
      throw new StoreError('duplicate', `board/lock ${slot} used by ${other} and ${c.id}`, { board: c.board, lock: c.lock, ids: [other, c.id] });
    }
    ids.add(c.id);
    slots.set(slot, c.id);
    return c;
  });
}

/** Deletes a compartment unless a foreign key (parcel, code, intent) refers to it. */
function tryDelete(db: Db, id: string): boolean {
  try {
    // One statement: SQLite undoes a statement that fails an immediate foreign
    // key by itself, so the caller's transaction stays usable without a savepoint.
    db.stmt('DELETE FROM compartments WHERE id = ?').run(id);
    return true;
  } catch (err) {
    if (isForeignKeyViolation(err)) return false;
    throw err;
  }
}

function readAllRows(db: ReadDb): Compartment[] {
  return parseRows(CompartmentRow, db.stmt(`SELECT ${COLUMNS} FROM compartments`).all(), 'compartments');
}

/**
 * Compartments in natural id order; removed ones only with `includeRemoved`.
 * Throws StoreError('corrupt-row') on a damaged row.
 */
export function listCompartments(db: ReadDb, opts: { includeRemoved?: boolean } = {}): Compartment[] {
  const raws = db
    .stmt(`SELECT ${COLUMNS} FROM compartments WHERE (@all = 1 OR removed = 0) ORDER BY sort_key, id`)
    .all({ all: opts.includeRemoved === true ? 1 : 0 });
  return parseRows(CompartmentRow, raws, 'compartments');
}

/** A compartment by id (removed ones included). Throws StoreError('corrupt-row') on a damaged row. */
export function getCompartment(db: ReadDb, id: string): Compartment | undefined {
  const raw = db.stmt(`SELECT ${COLUMNS} FROM compartments WHERE id = ?`).get(id);
  return raw === undefined ? undefined : parseRow(CompartmentRow, raw, 'compartments');
}

/**
 * Takes a compartment out of service (`flag` true, with a reason) or puts it
 * back (reason cleared). Throws StoreError('not-found') for an unknown id.
 */
export function setOutOfService(db: Db, id: string, flag: boolean, reason: string | null, now: number = Date.now()): void {
  const info = db
    .stmt('UPDATE compartments SET out_of_service = ?, out_of_service_reason = ?, updated_at = ? WHERE id = ?')
    .run(flag ? 1 : 0, flag ? reason : null, now, id);
  if (info.changes === 0) throw new StoreError('not-found', `compartment ${id} not found`, { compartmentId: id });
}

/**
 * Marks the compartments a vendor code source binds its codes to (`source`
 * per compartment id) and clears every other mark, in one transaction.
 * Unknown ids throw StoreError('not-found') and change nothing.
 */
export function setReservedCompartments(db: Db, reserved: ReadonlyMap<string, string>, now: number = Date.now()): void {
  inTransaction(db, () => {
    db.stmt('UPDATE compartments SET reserved_for = NULL, updated_at = ? WHERE reserved_for IS NOT NULL').run(now);
    for (const [id, source] of reserved) {
      const info = db.stmt('UPDATE compartments SET reserved_for = ?, updated_at = ? WHERE id = ?').run(source, now, id);
      if (info.changes === 0) throw new StoreError('not-found', `compartment ${id} (reserved for ${source}) not found`, { compartmentId: id });
    }
  });
}

/**
 * A free compartment (in service, not removed, not occupied) of exactly
 * `size`, first in natural id order; with `orLarger: true`, the smallest size
 * ≥ `size` that has one; none of `avoid`. Deterministic. Throws
 * StoreError('corrupt-row') on a damaged row.
 */
export function findFreeCompartment(db: ReadDb, size: CompartmentSize, opts: { orLarger?: boolean; avoid?: readonly string[] } = {}): Compartment | undefined {
  const rank = sizeRank(size);
  const raw = db
    .stmt(
      `SELECT ${COLUMNS} FROM compartments c
       WHERE c.size_rank BETWEEN @min AND @max AND ${FREE}
         AND c.id NOT IN (SELECT value FROM json_each(@avoid))
       ORDER BY c.size_rank, c.sort_key, c.id LIMIT 1`,
    )
    .get({ min: rank, max: opts.orLarger === true ? COMPARTMENT_SIZES.length : rank, avoid: JSON.stringify(opts.avoid ?? []) });
  return raw === undefined ? undefined : parseRow(CompartmentRow, raw, 'compartments');
}

/** Free compartments per exact size; every size present, zero when none. */
export function freeCountsBySize(db: ReadDb): Record<CompartmentSize, number> {
  const counts = Object.fromEntries(COMPARTMENT_SIZES.map((s) => [s, 0])) as Record<CompartmentSize, number>;
  const rows = db.stmt(`SELECT c.size AS size, count(*) AS n FROM compartments c WHERE ${FREE} GROUP BY c.size`).all();
  for (const row of parseRows(CountRow, rows, 'compartments')) counts[row.size] = row.n;
  return counts;
}

const CountRow = z.object({ size: z.enum(COMPARTMENT_SIZES), n: z.number().int() });

/** 1-based rank matching the size_rank generated column of the schema. */
function sizeRank(size: CompartmentSize): number {
  const index = COMPARTMENT_SIZES.indexOf(size);
  if (index < 0) throw new RangeError(`unknown compartment size ${String(size)}`);
  return index + 1;
}

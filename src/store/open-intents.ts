/**
 * Open intents: a door is opened only after its intent is committed, and the
 * intent gets its result after the board answered. After a power cut, the
 * intents without a result are reconciled from the board's door status, never
 * by opening again blindly (docs/architecture.md §5, crash and power-loss rules).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { OPEN_KINDS, type OpenKind } from '../shared/domain.js';
import type { Db, ReadDb } from './db.js';
import { isForeignKeyViolation, sqliteCode, StoreError } from './errors.js';
import { epochMs, parseRow, parseRows } from './rows.js';

export const OPEN_RESULTS = ['opened', 'failed', 'unknown'] as const;
export type OpenResult = (typeof OPEN_RESULTS)[number];

export interface OpenIntent {
  id: string;
  kind: OpenKind;
  compartmentId: string;
  parcelId: string | null;
  codeId: number | null;
  actor: string;
  createdAt: number;
  result: OpenResult | null;
  resolvedAt: number | null;
  detail: string | null;
}

const IntentRow = z
  .object({
    id: z.string(),
    kind: z.enum(OPEN_KINDS),
    compartment_id: z.string(),
    parcel_id: z.string().nullable(),
    code_id: z.number().int().nullable(),
    actor: z.string(),
    created_at: epochMs,
    result: z.enum(OPEN_RESULTS).nullable(),
    resolved_at: epochMs.nullable(),
    detail: z.string().nullable(),
  })
  .transform(
    (r): OpenIntent => ({
      id: r.id,
      kind: r.kind,
      compartmentId: r.compartment_id,
      parcelId: r.parcel_id,
      codeId: r.code_id,
      actor: r.actor,
      createdAt: r.created_at,
      result: r.result,
      resolvedAt: r.resolved_at,
      detail: r.detail,
    }),
  );

const COLUMNS = 'id, kind, compartment_id, parcel_id, code_id, actor, created_at, result, resolved_at, detail';

/**
 * Records the intent to open a door (commit it before driving the board).
 * Throws StoreError('not-found') for an unknown compartment, parcel or code,
 * StoreError('duplicate') for an existing id.
 */
export function createOpenIntent(
  db: Db,
  i: { id?: string; kind: OpenKind; compartmentId: string; parcelId?: string | null; codeId?: number | null; actor: string; now: number },
): OpenIntent {
  const id = i.id ?? uuidv7();
  try {
    db.stmt(`INSERT INTO open_intents (id, kind, compartment_id, parcel_id, code_id, actor, created_at)
             VALUES (@id, @kind, @compartmentId, @parcelId, @codeId, @actor, @now)`).run({
      id,
      kind: i.kind,
      compartmentId: i.compartmentId,
      parcelId: i.parcelId ?? null,
      codeId: i.codeId ?? null,
      actor: i.actor,
      now: i.now,
    });
  } catch (err) {
    if (isForeignKeyViolation(err)) {
      throw new StoreError('not-found', 'intent refers to an unknown compartment, parcel or code', {
        compartmentId: i.compartmentId,
        parcelId: i.parcelId ?? null,
        codeId: i.codeId ?? null,
      }, { cause: err });
    }
    if (sqliteCode(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('duplicate', `intent ${id} exists`, { intentId: id }, { cause: err });
    throw err;
  }
  const created = getOpenIntent(db, id);
  if (created === undefined) throw new StoreError('not-found', `intent ${id} vanished`, { intentId: id });
  return created;
}

/**
 * Stores what the board did. An unresolved intent takes any result; an
 * 'unknown' one may later be refined to 'opened' or 'failed' (door status
 * read after a restart). Throws StoreError('not-found') for an unknown id,
 * StoreError('invalid-transition', {from, to}) otherwise.
 */
export function resolveOpenIntent(db: Db, id: string, result: OpenResult, now: number, detail?: string | null): void {
  const info = db
    .stmt(`UPDATE open_intents SET result = @result, resolved_at = @now, detail = @detail
           WHERE id = @id AND (result IS NULL OR (result = 'unknown' AND @result <> 'unknown'))`)
    .run({ id, result, now, detail: detail ?? null });
  if (info.changes === 1) return;
  const current = getOpenIntent(db, id);
  if (current === undefined) throw new StoreError('not-found', `intent ${id} not found`, { intentId: id });
  throw new StoreError('invalid-transition', `intent ${id} already ${String(current.result)}`, {
    intentId: id,
    from: current.result,
    to: result,
  });
}

/** An intent by id. Throws StoreError('corrupt-row') on a damaged row. */
export function getOpenIntent(db: ReadDb, id: string): OpenIntent | undefined {
  const raw = db.stmt(`SELECT ${COLUMNS} FROM open_intents WHERE id = ?`).get(id);
  return raw === undefined ? undefined : parseRow(IntentRow, raw, 'open_intents');
}

/** Intents without a result, oldest first: what restart reconciliation must look at. */
export function unresolvedIntents(db: ReadDb): OpenIntent[] {
  const raws = db.stmt(`SELECT ${COLUMNS} FROM open_intents WHERE result IS NULL ORDER BY created_at, id`).all();
  return parseRows(IntentRow, raws, 'open_intents');
}

/** Every intent that named this parcel, oldest first (uses open_intents_by_parcel). */
export function intentsForParcel(db: ReadDb, parcelId: string): OpenIntent[] {
  const raws = db.stmt(`SELECT ${COLUMNS} FROM open_intents WHERE parcel_id = ? ORDER BY created_at, id`).all(parcelId);
  return parseRows(IntentRow, raws, 'open_intents');
}

/** How many intents for this code ended 'opened' (a code opens once, plus one grace re-open). */
export function hasOpenedForCode(db: ReadDb, codeId: number): number {
  const row = db.stmt(`SELECT count(*) AS n FROM open_intents WHERE code_id = ? AND result = 'opened'`).get(codeId);
  return parseRow(z.object({ n: z.number().int() }), row, 'open_intents').n;
}

/** The newest intent that named this code (uses open_intents_by_code). */
export function lastIntentForCode(db: ReadDb, codeId: number): OpenIntent | undefined {
  const raw = db.stmt(`SELECT ${COLUMNS} FROM open_intents WHERE code_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`).get(codeId);
  return raw === undefined ? undefined : parseRow(IntentRow, raw, 'open_intents');
}

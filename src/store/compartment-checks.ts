/**
 * Compartments waiting for a person to say whether a parcel is inside: a
 * drop-off, return, technician or remote open whose outcome nobody saw (a
 * crash, or a door that may have opened). While a row exists the
 * compartment is never allocated (compartments.ts FREE).
 */
import { z } from 'zod';
import { CHECK_KINDS, type CheckKind } from '../shared/domain.js';
import type { Db, ReadDb } from './db.js';
import { isForeignKeyViolation, StoreError } from './errors.js';
import { epochMs, parseRow, parseRows } from './rows.js';

export interface CompartmentCheck {
  compartmentId: string;
  kind: CheckKind;
  parcelId: string | null;
  intentId: string | null;
  reason: string;
  createdAt: number;
}

const CheckRow = z
  .object({
    compartment_id: z.string(),
    kind: z.enum(CHECK_KINDS),
    parcel_id: z.string().nullable(),
    intent_id: z.string().nullable(),
    reason: z.string(),
    created_at: epochMs,
  })
  .transform(
    (r): CompartmentCheck => ({
      compartmentId: r.compartment_id,
      kind: r.kind,
      parcelId: r.parcel_id,
      intentId: r.intent_id,
      reason: r.reason,
      createdAt: r.created_at,
    }),
  );

const COLUMNS = 'compartment_id, kind, parcel_id, intent_id, reason, created_at';

/**
 * Puts a compartment on the check list. A compartment already waiting keeps
 * its first entry (the earliest doubt is the one to answer). Returns whether
 * a row was added. Throws StoreError('not-found') for an unknown
 * compartment, parcel or intent.
 */
export function addCompartmentCheck(db: Db, c: Omit<CompartmentCheck, 'createdAt'> & { now: number }): boolean {
  try {
    return db
      .stmt(`INSERT INTO compartment_checks (compartment_id, kind, parcel_id, intent_id, reason, created_at)
             VALUES (@compartmentId, @kind, @parcelId, @intentId, @reason, @now) ON CONFLICT (compartment_id) DO NOTHING`)
      .run({ compartmentId: c.compartmentId, kind: c.kind, parcelId: c.parcelId, intentId: c.intentId, reason: c.reason, now: c.now }).changes === 1;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new StoreError('not-found', 'check refers to an unknown compartment, parcel or intent', { compartmentId: c.compartmentId }, { cause: err });
    throw err;
  }
}

export function getCompartmentCheck(db: ReadDb, compartmentId: string): CompartmentCheck | undefined {
  const raw = db.stmt(`SELECT ${COLUMNS} FROM compartment_checks WHERE compartment_id = ?`).get(compartmentId);
  return raw === undefined ? undefined : parseRow(CheckRow, raw, 'compartment_checks');
}

/** Every waiting check, oldest first. */
export function listCompartmentChecks(db: ReadDb): CompartmentCheck[] {
  return parseRows(CheckRow, db.stmt(`SELECT ${COLUMNS} FROM compartment_checks ORDER BY created_at, compartment_id`).all(), 'compartment_checks');
}

/** Removes the check once answered. Throws StoreError('not-found') when none waits. */
export function removeCompartmentCheck(db: Db, compartmentId: string): void {
  if (db.stmt('DELETE FROM compartment_checks WHERE compartment_id = ?').run(compartmentId).changes === 0) {
    throw new StoreError('not-found', `compartment ${compartmentId} waits for no check`, { compartmentId });
  }
}

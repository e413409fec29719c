/**
 * The audit trail: who opened which door and why. Append-only, enforced by
 * BEFORE UPDATE / BEFORE DELETE triggers, so even a bug (or a technician
 * with a SQLite shell and no schema change) cannot rewrite history.
 */
import { z } from 'zod';
import type { Db, ReadDb } from './db.js';
import { epochMs, fromJson, parseRows, toJson } from './rows.js';

export interface AuditEntry {
  /** Increasing; use as `sinceId` to tail the trail. */
  id: number;
  at: number;
  actor: string;
  action: string;
  compartmentId: string | null;
  parcelId: string | null;
  /** JSON detail; null when none was given. */
  detail: unknown;
}

const AuditRow = z
  .object({
    id: z.number().int(),
    at: epochMs,
    actor: z.string(),
    action: z.string(),
    compartment_id: z.string().nullable(),
    parcel_id: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .transform(
    (r): AuditEntry => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      compartmentId: r.compartment_id,
      parcelId: r.parcel_id,
      detail: r.detail === null ? null : fromJson(r.detail, 'audit', r.id),
    }),
  );

/**
 * Appends one audit row. Throws TypeError for a detail JSON cannot represent,
 * SqliteError (CHECK) for an empty actor or action: a caller's transaction
 * then rolls back, as a state change must never commit without its audit row.
 */
export function appendAudit(
  db: Db,
  a: { at: number; actor: string; action: string; compartmentId?: string | null; parcelId?: string | null; detail?: unknown },
): void {
  db.stmt(`INSERT INTO audit (at, actor, action, compartment_id, parcel_id, detail)
           VALUES (@at, @actor, @action, @compartmentId, @parcelId, @detail)`).run({
    at: a.at,
    actor: a.actor,
    action: a.action,
    compartmentId: a.compartmentId ?? null,
    parcelId: a.parcelId ?? null,
    detail: a.detail === undefined ? null : toJson(a.detail),
  });
}

export interface ListAuditOptions {
  /** Default 100. */
  limit?: number;
  /** Only entries with id > sinceId (oldest first). */
  sinceId?: number;
  /** The last `limit` entries, newest first (ignores sinceId). Default false. */
  newestFirst?: boolean;
}

/** Audit entries, paged. Throws StoreError('corrupt-row') on a damaged row. */
export function listAudit(db: ReadDb, opts: ListAuditOptions = {}): AuditEntry[] {
  const limit = opts.limit ?? 100;
  const raws =
    opts.newestFirst === true
      ? db.stmt(`SELECT id, at, actor, action, compartment_id, parcel_id, detail FROM audit ORDER BY id DESC LIMIT ?`).all(limit)
      : db
          .stmt(`SELECT id, at, actor, action, compartment_id, parcel_id, detail FROM audit WHERE id > ? ORDER BY id LIMIT ?`)
          .all(opts.sinceId ?? 0, limit);
  return parseRows(AuditRow, raws, 'audit');
}

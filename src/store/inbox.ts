/**
 * Commands already applied (remote open, vendor callbacks), keyed by the
 * sender's command id: a redelivered command is recognised and not re-run.
 */
import { z } from 'zod';
import type { Db, ReadDb } from './db.js';
import { StoreError } from './errors.js';
import { epochMs, fromJson, parseRow, toJson } from './rows.js';

export interface InboxEntry {
  commandId: string;
  source: string;
  type: string;
  receivedAt: number;
  /** The stored outcome (JSON); undefined until setInboxResult. */
  result: unknown;
}

const InboxRow = z
  .object({
    command_id: z.string(),
    source: z.string(),
    type: z.string(),
    received_at: epochMs,
    result: z.string().nullable(),
  })
  .transform(
    (r): InboxEntry => ({
      commandId: r.command_id,
      source: r.source,
      type: r.type,
      receivedAt: r.received_at,
      result: r.result === null ? undefined : fromJson(r.result, 'inbox', r.command_id),
    }),
  );

/**
 * Records a command; false if its id is already present (a duplicate: do not
 * apply it again), true if inserted. Compose it with the command's effects in
 * one inTransaction so "recorded" implies "applied". Throws TypeError for a
 * result JSON cannot represent, RangeError for an empty command id.
 */
export function recordInbox(
  db: Db,
  c: { commandId: string; source: string; type: string; receivedAt: number; result?: unknown },
): boolean {
  if (c.commandId.length === 0) throw new RangeError('command id is empty');
  const info = db
    .stmt(`INSERT INTO inbox (command_id, source, type, received_at, result)
           VALUES (@commandId, @source, @type, @receivedAt, @result) ON CONFLICT (command_id) DO NOTHING`)
    .run({ ...c, result: c.result === undefined ? null : toJson(c.result) });
  return info.changes === 1;
}

/** A recorded command. Throws StoreError('corrupt-row') on a damaged row. */
export function getInbox(db: ReadDb, commandId: string): InboxEntry | undefined {
  const raw = db.stmt('SELECT command_id, source, type, received_at, result FROM inbox WHERE command_id = ?').get(commandId);
  return raw === undefined ? undefined : parseRow(InboxRow, raw, 'inbox');
}

/**
 * Stores (or replaces) the outcome of a recorded command. Throws
 * StoreError('not-found') for an unknown id, TypeError for a result JSON
 * cannot represent.
 */
export function setInboxResult(db: Db, commandId: string, result: unknown): void {
  const info = db.stmt('UPDATE inbox SET result = ? WHERE command_id = ?').run(toJson(result), commandId);
  if (info.changes === 0) throw new StoreError('not-found', `inbox command ${commandId} not found`, { commandId });
}

/** Deletes entries received before `before` (older redeliveries are no longer expected). Returns how many. */
export function pruneInbox(db: Db, before: number): number {
  return db.stmt('DELETE FROM inbox WHERE received_at < ?').run(before).changes;
}

/** Small key/value settings that must survive a restart (e.g. last sync cursor). */
import { z } from 'zod';
import type { Db, ReadDb } from './db.js';
import { parseRow } from './rows.js';

/** The value, or undefined when never set. */
export function getSetting(db: ReadDb, key: string): string | undefined {
  const raw = db.stmt('SELECT value FROM settings WHERE key = ?').get(key);
  return raw === undefined ? undefined : parseRow(z.object({ value: z.string() }), raw, 'settings').value;
}

/** Inserts or replaces. Throws RangeError for an empty key. */
export function setSetting(db: Db, key: string, value: string, now: number = Date.now()): void {
  if (key.length === 0) throw new RangeError('setting key is empty');
  db.stmt(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(key, value, now);
}

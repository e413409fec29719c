import { statSync } from 'node:fs';
import type { ReadDb } from './db.js';

/**
 * What `cabinet-kiosk diag` reports about the database: sizes and row counts
 * only. No row is read, so no code, PIN or personal detail can leave.
 */
export interface DatabaseStats {
  path: string;
  schemaVersion: number;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  fileBytes: number | null;
  walBytes: number | null;
  journalMode: string;
  tables: Array<{ name: string; rows: number }>;
}

export function databaseStats(db: ReadDb): DatabaseStats {
  const pragma = (name: string): number => Number(db.sqlite.pragma(name, { simple: true }));
  // Table names come from sqlite_master, never from input; quoted as identifiers.
  const names = (db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  const tables = names.map((name) => ({ name, rows: Number((db.sqlite.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n) }));
  return {
    path: db.path,
    schemaVersion: pragma('user_version'),
    pageSize: pragma('page_size'),
    pageCount: pragma('page_count'),
    freelistCount: pragma('freelist_count'),
    fileBytes: sizeOf(db.path),
    walBytes: sizeOf(`${db.path}-wal`),
    journalMode: String(db.sqlite.pragma('journal_mode', { simple: true })),
    tables,
  };
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompartmentSize } from '../../../src/shared/domain.js';
import { openDatabase, syncCompartments, type Db, type ReadDb } from '../../../src/store/index.js';

export const T0 = 1_700_000_000_000;

export function memoryDb(): Db {
  return openDatabase(':memory:');
}

/** A fresh temp directory and its cleanup. */
export function tempDir(prefix = 'kiosk-store-'): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Compartments C1..Cn on board 1, sizes cycling S, M, L, XL unless given. */
export function seedCompartments(db: Db, n = 4, sizes: CompartmentSize[] = ['S', 'M', 'L', 'XL']): string[] {
  const list = Array.from({ length: n }, (_, i) => ({ id: `C${i + 1}`, board: 1, lock: i + 1, size: sizes[i % sizes.length]! }));
  syncCompartments(db, list, T0);
  return list.map((c) => c.id);
}

/** EXPLAIN QUERY PLAN details of a statement. */
export function queryPlan(db: ReadDb, sql: string, ...params: unknown[]): string[] {
  return (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
}

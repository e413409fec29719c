import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/shared/logger.js';
import {
  assertMigrationsOrdered,
  MIGRATIONS,
  readUserVersion,
  runMigrations,
  type Migration,
} from '../../../src/store/migrations/index.js';

function rawDb(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  return db;
}

const names = (db: Database.Database, type: string): string[] =>
  (db.prepare(`SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name`).all(type) as Array<{ name: string }>).map(
    (r) => r.name,
  );

describe('migrations index', () => {
  it('is strictly increasing in steps of 10', () => {
    expect(() => assertMigrationsOrdered(MIGRATIONS)).not.toThrow();
    for (const m of MIGRATIONS) expect(m.version % 10).toBe(0);
  });

  it('rejects an unordered or repeated list', () => {
    const up = (): void => {};
    expect(() => assertMigrationsOrdered([{ version: 20, name: 'b', up }, { version: 10, name: 'a', up }])).toThrow(RangeError);
    expect(() => assertMigrationsOrdered([{ version: 10, name: 'a', up }, { version: 10, name: 'b', up }])).toThrow(RangeError);
  });

  it('applies every pending step in one transaction and records user_version', () => {
    const db = rawDb();
    expect(runMigrations(db, silentLogger)).toEqual({ from: 0, to: 10 });
    expect(readUserVersion(db)).toBe(10);
    expect(runMigrations(db, silentLogger)).toEqual({ from: 10, to: 10 });
  });

  it('rolls everything back when a later step fails (file stays at its old version)', () => {
    const db = rawDb();
    const failing: Migration[] = [
      ...MIGRATIONS,
      { version: 20, name: 'broken', up: (s) => s.exec('CREATE TABLE half_done (x INTEGER); SELECT no_such_function();') },
    ];
    expect(() => runMigrations(db, silentLogger, failing)).toThrow(expect.objectContaining({ code: 'migration-failed', meta: { from: 0, failedAt: 20 } }));
    expect(readUserVersion(db)).toBe(0);
    expect(names(db, 'table')).toEqual([]);
  });

  it('refuses to run against a newer file', () => {
    const db = rawDb();
    db.pragma('user_version = 50');
    expect(() => runMigrations(db, silentLogger)).toThrow(expect.objectContaining({ code: 'schema-from-future' }));
  });
});

describe('0010-initial', () => {
  it('creates the STRICT tables, indices and append-only triggers', () => {
    const db = rawDb();
    runMigrations(db, silentLogger);
    const tables = ['audit', 'code_attempts', 'compartments', 'events', 'inbox', 'open_intents', 'outbox', 'parcels', 'pickup_codes', 'settings'];
    expect(names(db, 'table')).toEqual(tables);
    const strict = db.prepare(`SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'`).all() as Array<{
      name: string;
      strict: number;
    }>;
    for (const t of strict) expect(t, t.name).toMatchObject({ strict: 1 });
    expect(names(db, 'index')).toEqual(
      expect.arrayContaining([
        'pickup_codes_one_active_hash',
        'pickup_codes_lookup',
        'parcels_one_occupant',
        'outbox_due',
        'outbox_parcel_order',
        'open_intents_unresolved',
      ]),
    );
    expect(names(db, 'trigger')).toEqual(['audit_no_delete', 'audit_no_update']);
  });

  it('keeps fixture rows consistent: foreign keys, CHECKs and the occupancy index hold', () => {
    const db = rawDb();
    runMigrations(db, silentLogger);
    db.exec(`INSERT INTO compartments (id, board, lock, size, sort_key, updated_at) VALUES ('A1', 1, 1, 'M', 'A011', 0)`);
    db.exec(`INSERT INTO parcels (id, compartment_id, state, created_at, stored_at, updated_at) VALUES ('p1', 'A1', 'stored', 0, 0, 0)`);
    expect(db.prepare(`SELECT size_rank FROM compartments`).get()).toEqual({ size_rank: 2 });
    expect(() => db.exec(`INSERT INTO parcels (id, compartment_id, state, created_at, updated_at) VALUES ('p2', 'A1', 'awaiting-dropoff', 0, 0)`)).toThrow(/UNIQUE/);
    expect(() => db.exec(`INSERT INTO parcels (id, compartment_id, state, created_at, updated_at) VALUES ('p3', 'nope', 'cancelled', 0, 0)`)).toThrow(/FOREIGN KEY|CHECK/);
    expect(() => db.exec(`INSERT INTO parcels (id, compartment_id, state, created_at, updated_at) VALUES ('p4', 'A1', 'lost', 0, 0)`)).toThrow(/CHECK/);
    expect(() => db.exec(`INSERT INTO pickup_codes (hash, source, state, valid_from, created_at, updated_at) VALUES (x'00', 'local', 'active', 0, 0, 0)`)).toThrow(/CHECK/);
    expect(() => db.exec(`INSERT INTO compartments (id, board, lock, size, sort_key, updated_at) VALUES ('A2', '1', 1, 'M', 'x', 0)`)).not.toThrow(); // STRICT coerces '1' losslessly
    expect(() => db.exec(`INSERT INTO compartments (id, board, lock, size, sort_key, updated_at) VALUES ('A3', 'one', 1, 'M', 'x', 0)`)).toThrow(/cannot store TEXT/);
  });
});

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/shared/logger.js';
import { NEXT_DELIVERABLE_SQL } from '../../../src/store/outbox.js';
import {
  assertMigrationsOrdered,
  LATEST_SCHEMA_VERSION,
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
  it('is strictly increasing, in steps of 10 or on a number reserved between them', () => {
    expect(() => assertMigrationsOrdered(MIGRATIONS)).not.toThrow();
    for (const m of MIGRATIONS) expect(Number.isSafeInteger(m.version) && m.version > 0).toBe(true);
  });

  it('rejects an unordered or repeated list', () => {
    const up = (): void => {};
    expect(() => assertMigrationsOrdered([{ version: 20, name: 'b', up }, { version: 10, name: 'a', up }])).toThrow(RangeError);
    expect(() => assertMigrationsOrdered([{ version: 10, name: 'a', up }, { version: 10, name: 'b', up }])).toThrow(RangeError);
  });

  it('applies every pending step in one transaction and records user_version', () => {
    const db = rawDb();
    expect(runMigrations(db, silentLogger)).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION });
    expect(readUserVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(runMigrations(db, silentLogger)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
  });

  it('rolls everything back when a later step fails (file stays at its old version)', () => {
    const db = rawDb();
    const failing: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST_SCHEMA_VERSION + 10, name: 'broken', up: (s) => s.exec('CREATE TABLE half_done (x INTEGER); SELECT no_such_function();') },
    ];
    expect(() => runMigrations(db, silentLogger, failing)).toThrow(
      expect.objectContaining({ code: 'migration-failed', meta: { from: 0, failedAt: LATEST_SCHEMA_VERSION + 10 } }),
    );
    expect(readUserVersion(db)).toBe(0);
    expect(names(db, 'table')).toEqual([]);
  });

  it('refuses to run against a newer file', () => {
    const db = rawDb();
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    expect(() => runMigrations(db, silentLogger)).toThrow(expect.objectContaining({ code: 'schema-from-future' }));
  });
});

describe('0010-initial', () => {
  it('creates the STRICT tables, indices and append-only triggers', () => {
    const db = rawDb();
    runMigrations(db, silentLogger, MIGRATIONS.slice(0, 1));
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

describe('0020-outbox-pending-order', () => {
  it('indexes the pending rows of a file at version 10, in queue order, for nextDeliverable', () => {
    const db = rawDb();
    expect(runMigrations(db, silentLogger, MIGRATIONS.slice(0, 1))).toEqual({ from: 0, to: 10 });
    const insert = db.prepare(`INSERT INTO events (seq, id, type, parcel_id, payload, occurred_at) VALUES (?, ?, 't', ?, '{}', 0)`);
    const row = db.prepare(`INSERT INTO outbox (event_id, destination, event_seq, parcel_id, state, next_attempt_at, created_at, delivered_at, dead_at)
                            VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)`);
    const states = ['pending', 'delivered', 'dead', 'pending'] as const;
    for (let seq = 1; seq <= 8; seq++) {
      insert.run(seq, `e${seq}`, `p${seq % 3}`);
      const state = states[seq % 4]!;
      for (const destination of ['a', 'b']) row.run(`e${seq}`, destination, seq, `p${seq % 3}`, state, state === 'delivered' ? 1 : null, state === 'dead' ? 1 : null);
    }
    expect(runMigrations(db, silentLogger, MIGRATIONS.slice(0, 2))).toEqual({ from: 10, to: 20 });
    expect(names(db, 'index')).toEqual(expect.arrayContaining(['outbox_pending_order', 'outbox_due']));
    const viaIndex = db.prepare(`SELECT event_seq FROM outbox INDEXED BY outbox_pending_order WHERE destination = 'a' AND state = 'pending' ORDER BY event_seq`);
    expect(viaIndex.pluck().all()).toEqual([3, 4, 7, 8]);
  });
});

describe('0055-owed-outbox', () => {
  it('splits a file at version 51 into owed and settled rows keyed by destination slot and seq, and walks the owed ones by key alone', () => {
    const db = rawDb();
    expect(runMigrations(db, silentLogger, MIGRATIONS.filter((m) => m.version <= 51))).toEqual({ from: 0, to: 51 });
    const insert = db.prepare(`INSERT INTO events (seq, id, type, parcel_id, payload, occurred_at) VALUES (?, ?, 't', ?, '{}', 0)`);
    const row = db.prepare(`INSERT INTO outbox (event_id, destination, event_seq, parcel_id, state, next_attempt_at, created_at, delivered_at, dead_at, skipped_at, last_error, vendor_ref)
                            VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?)`);
    const states = ['pending', 'delivered', 'dead', 'skipped'] as const;
    for (let seq = 1; seq <= 8; seq++) {
      insert.run(seq, `e${seq}`, `p${seq}`);
      const state = states[seq % 4]!;
      for (const destination of ['b', 'a']) {
        row.run(`e${seq}`, destination, seq, `p${seq}`, state, state === 'delivered' ? 5 : null, state === 'dead' ? 5 : null, state === 'skipped' ? 5 : null,
          state === 'skipped' ? 'nothing to send' : null, state === 'delivered' ? `ref${seq}` : null);
      }
    }
    expect(runMigrations(db, silentLogger)).toEqual({ from: 51, to: LATEST_SCHEMA_VERSION });
    expect(db.prepare(`SELECT name, slot FROM outbox_destinations ORDER BY slot`).all()).toEqual([{ name: 'a', slot: 1 }, { name: 'b', slot: 2 }]);
    const span = 2 ** 40;
    expect(db.prepare(`SELECT id, state FROM outbox WHERE destination = 'a' ORDER BY id`).all()).toEqual(
      [2, 4, 6, 8].map((seq) => ({ id: span + seq, state: seq % 4 === 0 ? 'pending' : 'dead' })),
    );
    expect(db.prepare(`SELECT id, state, settled_at, vendor_ref, last_error FROM outbox_settled WHERE destination = 'b' ORDER BY id`).all()).toEqual([
      { id: 2 * span + 1, state: 'delivered', settled_at: 5, vendor_ref: 'ref1', last_error: null },
      { id: 2 * span + 3, state: 'skipped', settled_at: 5, vendor_ref: null, last_error: 'nothing to send' },
      { id: 2 * span + 5, state: 'delivered', settled_at: 5, vendor_ref: 'ref5', last_error: null },
      { id: 2 * span + 7, state: 'skipped', settled_at: 5, vendor_ref: null, last_error: 'nothing to send' },
    ]);
    expect(names(db, 'index')).not.toEqual(expect.arrayContaining(['outbox_pending_order']));
    expect(names(db, 'index').filter((n) => n.startsWith('sqlite_autoindex_events') || n.startsWith('sqlite_autoindex_outbox'))).toEqual([]);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${NEXT_DELIVERABLE_SQL}`).all({ from: span, to: 2 * span - 1 }) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH o USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});

describe('0030-custody', () => {
  it('counts the pulses already on record against their codes, and adds reservations and the check list', () => {
    const db = rawDb();
    expect(runMigrations(db, silentLogger, MIGRATIONS.slice(0, 2))).toEqual({ from: 0, to: 20 });
    db.exec(`INSERT INTO compartments (id, board, lock, size, sort_key, updated_at) VALUES ('1', 1, 1, 'M', '011', 0)`);
    const code = db.prepare(`INSERT INTO pickup_codes (hash, compartment_id, source, state, valid_from, created_at, updated_at) VALUES (?, '1', 'v', 'active', 0, 0, 0)`);
    for (const n of [1, 2, 3]) code.run(Buffer.alloc(32, n));
    const intent = db.prepare(`INSERT INTO open_intents (id, kind, compartment_id, code_id, actor, created_at, result, resolved_at, detail) VALUES (?, 'pickup', '1', ?, 'a', 0, ?, ?, ?)`);
    intent.run('i1', 1, 'opened', 1, 'opened');
    intent.run('i2', 1, 'unknown', 1, 'no-reply-unknown');
    intent.run('i3', 2, 'failed', 1, 'not-sent');
    intent.run('i4', 2, null, null, null);
    expect(runMigrations(db, silentLogger, MIGRATIONS.slice(0, 3))).toEqual({ from: 20, to: 30 });
    expect(db.prepare('SELECT id, opens FROM pickup_codes ORDER BY id').all()).toEqual([{ id: 1, opens: 2 }, { id: 2, opens: 1 }, { id: 3, opens: 0 }]);
    expect(db.prepare('SELECT reserved_for FROM compartments').pluck().all()).toEqual([null]);
    expect(names(db, 'table')).toContain('compartment_checks');
  });
});

describe('0040-slim-pickup', () => {
  it('leaves no index keyed on a state a pickup changes, beyond the two partial ones custody needs', () => {
    const db = rawDb();
    runMigrations(db, silentLogger);
    const indexes = names(db, 'index');
    for (const gone of ['pickup_codes_lookup', 'parcels_by_state', 'open_intents_unresolved', 'events_by_parcel', 'outbox_due']) expect(indexes).not.toContain(gone);
    expect(indexes).toEqual(expect.arrayContaining(['pickup_codes_by_hash', 'pickup_codes_one_active_hash', 'parcels_one_occupant']));
  });
});

describe('0051-vendor-outcomes', () => {
  it('rebuilds the outbox with every row and index kept, and takes skipped rows, vendor references and results', () => {
    const db = rawDb();
    expect(runMigrations(db, silentLogger, MIGRATIONS.filter((m) => m.version <= 40))).toEqual({ from: 0, to: 40 });
    const insert = db.prepare(`INSERT INTO events (seq, id, type, parcel_id, payload, occurred_at) VALUES (?, ?, 't', 'p', '{}', 0)`);
    const row = db.prepare(`INSERT INTO outbox (event_id, destination, event_seq, parcel_id, state, attempts, next_attempt_at, last_error, created_at, delivered_at, dead_at)
                            VALUES (?, 'a', ?, 'p', ?, 2, 5, ?, 1, ?, ?)`);
    insert.run(1, 'e1');
    row.run('e1', 1, 'delivered', null, 7, null);
    insert.run(2, 'e2');
    row.run('e2', 2, 'dead', 'HTTP 400', null, 8);
    insert.run(3, 'e3');
    row.run('e3', 3, 'pending', 'HTTP 503', null, null);
    const before = db.prepare('SELECT event_id, destination, event_seq, parcel_id, state, attempts, next_attempt_at, last_error, created_at, delivered_at, dead_at FROM outbox ORDER BY event_seq').all();
    expect(runMigrations(db, silentLogger, MIGRATIONS.filter((m) => m.version <= 51))).toEqual({ from: 40, to: 51 });
    expect(db.prepare('SELECT event_id, destination, event_seq, parcel_id, state, attempts, next_attempt_at, last_error, created_at, delivered_at, dead_at FROM outbox ORDER BY event_seq').all()).toEqual(before);
    expect(names(db, 'index')).toEqual(expect.arrayContaining(['outbox_parcel_order', 'outbox_delivered', 'outbox_pending_order', 'outbox_unsent', 'outbox_vendor_ref', 'vendor_orders_recent']));
    const strict = db.prepare(`SELECT strict FROM pragma_table_list WHERE name IN ('outbox', 'vendor_orders')`).pluck().all();
    expect(strict).toEqual([1, 1]);
    // A skip needs its time and its reason; a result needs its time.
    expect(() => db.exec(`UPDATE outbox SET state = 'skipped', skipped_at = 9 WHERE event_id = 'e3'`)).not.toThrow();
    expect(() => db.exec(`UPDATE outbox SET last_error = NULL WHERE event_id = 'e3'`)).toThrow(/CHECK/);
    expect(() => db.exec(`UPDATE outbox SET skipped_at = NULL WHERE event_id = 'e3'`)).toThrow(/CHECK/);
    expect(() => db.exec(`UPDATE outbox SET vendor_result = '{"ok":1}' WHERE event_id = 'e1'`)).toThrow(/CHECK/);
    expect(() => db.exec(`UPDATE outbox SET vendor_ref = '60', vendor_result = '{"ok":1}', vendor_result_at = 10 WHERE event_id = 'e1'`)).not.toThrow();
    expect(db.prepare(`SELECT name FROM pragma_table_info('pickup_codes') WHERE name IN ('user_ref', 'order_ref') ORDER BY name`).pluck().all()).toEqual(['order_ref', 'user_ref']);
  });
});

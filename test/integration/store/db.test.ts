import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendAudit,
  closeDatabase,
  checkpoint,
  createParcel,
  inTransaction,
  integrityCheck,
  LATEST_SCHEMA_VERSION,
  listAudit,
  openDatabase,
  quickCheck,
  recordEvent,
  schemaVersion,
  StoreError,
  transitionParcel,
  getParcel,
  eventsForParcel,
  setSetting,
} from '../../../src/store/index.js';
import { seedCompartments, T0, tempDir } from '../../unit/store/helpers.js';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('openDatabase on a real file', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('creates the parent directory and sets every pragma on a fresh file', () => {
    const path = tmp.file('nested/dir/kiosk.db');
    const db = openDatabase(path, { busyTimeoutMs: 4321 });
    try {
      expect(existsSync(path)).toBe(true);
      expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(4321);
      expect(db.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      expect(quickCheck(db)).toEqual({ ok: true, detail: ['ok'] });
      expect(integrityCheck(db)).toEqual({ ok: true, detail: ['ok'] });
    } finally {
      closeDatabase(db);
    }
  });

  it('checkpoints the WAL on demand (the agent does it from an idle job)', () => {
    const db = openDatabase(tmp.file('ckpt.db'));
    try {
      setSetting(db, 'k', 'v');
      const before = checkpoint(db);
      expect(before.walPages).toBeGreaterThan(0);
      expect(before.checkpointed).toBe(before.walPages);
    } finally {
      closeDatabase(db);
    }
  });

  it('defaults busy_timeout to 5000 ms', () => {
    const db = openDatabase(tmp.file('kiosk.db'));
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    closeDatabase(db);
  });

  it('migrates from 0 and re-opens idempotently, keeping the data', () => {
    const path = tmp.file('kiosk.db');
    const db1 = openDatabase(path);
    expect(schemaVersion(db1)).toBe(LATEST_SCHEMA_VERSION);
    seedCompartments(db1, 2);
    createParcel(db1, { id: 'p1', compartmentId: 'C1', state: 'stored', now: T0 });
    closeDatabase(db1);
    closeDatabase(db1); // a second close is a no-op

    const db2 = openDatabase(path);
    expect(schemaVersion(db2)).toBe(LATEST_SCHEMA_VERSION);
    expect(getParcel(db2, 'p1')?.state).toBe('stored');
    expect(quickCheck(db2).ok).toBe(true);
    closeDatabase(db2);
  });

  it('refuses a file from a newer schema without changing a byte (rollback-journal file)', () => {
    const path = tmp.file('future.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE t (x INTEGER)');
    raw.pragma('user_version = 9999');
    raw.close();
    const before = sha256(path);
    const filesBefore = readdirSync(tmp.dir).sort();

    expect(() => openDatabase(path)).toThrow(expect.objectContaining({ name: 'StoreError', code: 'schema-from-future' }));
    expect(() => openDatabase(path, { readonly: true })).toThrow(expect.objectContaining({ code: 'schema-from-future' }));
    expect(sha256(path)).toBe(before);
    expect(readdirSync(tmp.dir).sort()).toEqual(filesBefore); // no -wal/-shm created either
  });

  it('refuses a WAL-mode file from a newer schema without changing a byte', () => {
    const path = tmp.file('future-wal.db');
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
    raw.pragma('user_version = 9999');
    raw.close();
    const before = sha256(path);

    const err = captureError(() => openDatabase(path));
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'schema-from-future', meta: { fileVersion: 9999, codeVersion: LATEST_SCHEMA_VERSION } });
    expect(sha256(path)).toBe(before);
  });

  it('sees a future version still sitting in the WAL (header not yet checkpointed)', () => {
    const path = tmp.file('future-in-wal.db');
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.pragma('wal_autocheckpoint = 0');
    raw.exec('CREATE TABLE t (x INTEGER)');
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.pragma('user_version = 9999'); // only in the WAL now
    // Copy the files while the writer is still open, as a power cut would leave them.
    const copy = tmp.file('copy.db');
    writeFileSync(copy, readFileSync(path));
    writeFileSync(`${copy}-wal`, readFileSync(`${path}-wal`));
    raw.close();
    const before = sha256(copy);
    expect(new DataView(readFileSync(copy).buffer).getInt32(60)).toBe(0);

    expect(() => openDatabase(copy)).toThrow(expect.objectContaining({ code: 'schema-from-future' }));
    expect(sha256(copy)).toBe(before);
  });

  it('refuses a file that is not a database with open-failed', () => {
    const path = tmp.file('garbage.db');
    writeFileSync(path, 'this is not sqlite, just some text that is long enough to have a header '.repeat(3));
    expect(() => openDatabase(path)).toThrow(expect.objectContaining({ code: 'open-failed' }));
  });

  it('opens read-only: reads work, writes are refused, a missing file is open-failed', () => {
    const path = tmp.file('kiosk.db');
    const rw = openDatabase(path);
    seedCompartments(rw, 1);
    closeDatabase(rw);
    const ro = openDatabase(path, { readonly: true });
    expect(ro.mode).toBe('read');
    expect(schemaVersion(ro)).toBe(LATEST_SCHEMA_VERSION);
    expect(() => ro.sqlite.exec("DELETE FROM settings")).toThrow(/readonly/);
    closeDatabase(ro);
    expect(() => openDatabase(tmp.file('missing.db'), { readonly: true })).toThrow(expect.objectContaining({ code: 'open-failed' }));
  });

  it('commits a composed transaction whole, or not at all', () => {
    const db = openDatabase(tmp.file('kiosk.db'));
    seedCompartments(db, 1);
    createParcel(db, { id: 'p1', compartmentId: 'C1', state: 'stored', now: T0 });
    expect(() =>
      inTransaction(db, () => {
        transitionParcel(db, 'p1', 'picked-up', T0 + 1);
        recordEvent(db, { type: 'parcel.picked-up', parcelId: 'p1', payload: {}, occurredAt: T0 + 1 }, ['cloud']);
        appendAudit(db, { at: T0 + 1, actor: 'test', action: 'pickup', parcelId: 'p1' });
        throw new Error('board said no');
      }),
    ).toThrow('board said no');
    expect(getParcel(db, 'p1')?.state).toBe('stored');
    expect(eventsForParcel(db, 'p1')).toEqual([]);
    expect(listAudit(db)).toEqual([]);
    closeDatabase(db);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

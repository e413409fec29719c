/**
 * The one SQLite handle of the agent (docs/architecture.md §6, one owner of the database).
 * Repositories are plain functions over a branded handle (docs/architecture.md, style rule 6):
 * read functions take `ReadDb`, write functions take `Db`, so a handle opened
 * read-only cannot reach a write function at compile time.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger, type Logger } from '../shared/logger.js';
import { StoreError } from './errors.js';
import { LATEST_SCHEMA_VERSION, readUserVersion, runMigrations } from './migrations/index.js';

export type DbMode = 'read' | 'write';
export type Statement = Database.Statement<unknown[], unknown>;

export interface ReadDb {
  readonly mode: DbMode;
  readonly path: string;
  readonly logger: Logger;
  /** The better-sqlite3 handle, for tests, backups and diagnostics. Repositories use `stmt`. */
  readonly sqlite: Database.Database;
  /**
   * A prepared statement cached on this handle. `sql` must be a string
   * literal of the calling module: values always go in as bound parameters.
   */
  stmt(sql: string): Statement;
}

/** A writable handle: what openDatabase returns unless `readonly: true`. */
export interface Db extends ReadDb {
  readonly mode: 'write';
}

class SqliteHandle<M extends DbMode> {
  readonly #statements = new Map<string, Statement>();
  constructor(
    readonly sqlite: Database.Database,
    readonly path: string,
    readonly mode: M,
    readonly logger: Logger,
  ) {}

  stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.sqlite.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

export interface OpenOptions {
  /** Receives migration and lifecycle logs. Default: silentLogger. */
  logger?: Logger;
  /** How long a statement waits on a lock held by another connection before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Open read-only (CLI status while the agent runs). The schema must already be current. Default false. */
  readonly?: boolean;
  /**
   * Path of a `better_sqlite3.node` built for this runtime. Electron needs its
   * own ABI build while the CLI and tests run on Node's (see src/main/launch).
   */
  nativeBinding?: string;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;
const MEMORY = ':memory:';

/**
 * Opens (creating if needed) the database at `path` (`:memory:` for tests),
 * applies the pragmas and runs pending migrations.
 * Throws StoreError('schema-from-future') without writing to the file when its
 * user_version is newer than this code; StoreError('migration-failed') when a
 * migration fails (file left at its old version); StoreError('open-failed')
 * when the file cannot be opened, is not a database, cannot use WAL, or is
 * opened read-only with an outdated schema; RangeError for a bad busyTimeoutMs.
 */
export function openDatabase(path: string, opts: OpenOptions & { readonly: true }): ReadDb;
export function openDatabase(path: string, opts?: OpenOptions & { readonly?: false }): Db;
export function openDatabase(path: string, opts?: OpenOptions): ReadDb;
export function openDatabase(path: string, opts: OpenOptions = {}): ReadDb {
  const logger = (opts.logger ?? silentLogger).child({ module: 'store' });
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isFinite(busyTimeoutMs) || busyTimeoutMs < 0) throw new RangeError(`bad busyTimeoutMs ${busyTimeoutMs}`);
  if (path !== MEMORY) refuseFutureFile(path);
  return opts.readonly === true
    ? openReadOnly(path, busyTimeoutMs, logger, opts.nativeBinding)
    : openWritable(path, busyTimeoutMs, logger, opts.nativeBinding);
}

function openWritable(path: string, busyTimeoutMs: number, logger: Logger, nativeBinding: string | undefined): Db {
  const sqlite = connect(path, busyTimeoutMs, false, nativeBinding);
  try {
    // Re-read through SQLite before the first write: the header probe cannot see a WAL.
    assertNotFromFuture(readUserVersion(sqlite));
    applyPragmas(sqlite, path, busyTimeoutMs);
    runMigrations(sqlite, logger);
  } catch (err) {
    sqlite.close();
    throw err instanceof StoreError ? err : new StoreError('open-failed', `cannot prepare database ${path}`, { path }, { cause: err });
  }
  logger.info({ path, schema: LATEST_SCHEMA_VERSION }, 'store opened');
  return new SqliteHandle(sqlite, path, 'write', logger);
}

function openReadOnly(path: string, busyTimeoutMs: number, logger: Logger, nativeBinding: string | undefined): ReadDb {
  const sqlite = connect(path, busyTimeoutMs, true, nativeBinding);
  const version = readUserVersion(sqlite);
  if (version !== LATEST_SCHEMA_VERSION) {
    sqlite.close();
    assertNotFromFuture(version);
    throw new StoreError('open-failed', 'read-only open of a database that needs migrating', {
      path,
      fileVersion: version,
      codeVersion: LATEST_SCHEMA_VERSION,
    });
  }
  sqlite.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  return new SqliteHandle(sqlite, path, 'read', logger);
}

function connect(path: string, busyTimeoutMs: number, readonly: boolean, nativeBinding?: string): Database.Database {
  try {
    if (path !== MEMORY && !readonly) mkdirSync(dirname(path), { recursive: true });
    return new Database(path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (cause) {
    throw new StoreError('open-failed', `cannot open database ${path}`, { path }, { cause });
  }
}

function applyPragmas(sqlite: Database.Database, path: string, busyTimeoutMs: number): void {
  // WAL: readers never block the writer; FULL: fsync the WAL on every commit,
  // because a parcel locker loses power without warning (NORMAL may drop the last commits).
  const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal' && !(path === MEMORY && mode === 'memory')) {
    throw new StoreError('open-failed', `journal_mode WAL refused (got ${String(mode)})`, { path });
  }
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Checkpoints copy the WAL back into the file with extra fsyncs; at SQLite's
  // default (every 1000 pages) a pickup, which writes ~17 pages, pays for one
  // every ~60 commits. The agent checkpoints from an idle job instead
  // (checkpoint()), and this only bounds the WAL (~40 MB) if that job stalls.
  sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  // PRAGMA takes no bound parameters; the value is a number, truncated to an integer.
  sqlite.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
}

function assertNotFromFuture(version: number): void {
  if (version > LATEST_SCHEMA_VERSION) {
    throw new StoreError('schema-from-future', `database schema ${version} is newer than this agent`, {
      fileVersion: version,
      codeVersion: LATEST_SCHEMA_VERSION,
    });
  }
}

/**
 * Reads user_version without letting SQLite touch the file: from the 100-byte
 * header (offset 60), or, when a non-empty WAL may hold a newer header page,
 * through a read-only connection (the -wal/-shm files exist already then).
 */
function refuseFutureFile(path: string): void {
  if (!existsSync(path) || statSync(path).size === 0) return;
  const header = Buffer.alloc(100);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    throw new StoreError('open-failed', `cannot read ${path}`, { path }, { cause });
  }
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    throw new StoreError('open-failed', `${path} is not an SQLite database`, { path });
  }
  assertNotFromFuture(header.readInt32BE(60));
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    const probe = connect(path, DEFAULT_BUSY_TIMEOUT_MS, true);
    try {
      assertNotFromFuture(readUserVersion(probe));
    } finally {
      probe.close();
    }
  }
}

/** Closes the handle; a no-op when already closed. Never throws for a closed handle. */
export function closeDatabase(db: ReadDb): void {
  if (!db.sqlite.open) return;
  if (db.mode === 'write') {
    // Cheap on close: refreshes planner statistics the agent's queries rely on.
    db.sqlite.pragma('optimize');
  }
  db.sqlite.close();
}

export interface CheckResult {
  ok: boolean;
  detail: string[];
}

/** PRAGMA quick_check (O(n), skips index-content checks). Throws only if the handle is closed. */
export function quickCheck(db: ReadDb): CheckResult {
  return toCheckResult(db.sqlite.pragma('quick_check') as Array<Record<string, unknown>>);
}

/**
 * PRAGMA integrity_check plus PRAGMA foreign_key_check (integrity_check does
 * not look at foreign keys). Throws only if the handle is closed.
 */
export function integrityCheck(db: ReadDb): CheckResult {
  const integrity = toCheckResult(db.sqlite.pragma('integrity_check') as Array<Record<string, unknown>>);
  const fk = db.sqlite.pragma('foreign_key_check') as Array<Record<string, unknown>>;
  if (fk.length === 0) return integrity;
  const fkLines = fk.map((r) => `foreign key violation: ${String(r['table'])} rowid ${String(r['rowid'])} -> ${String(r['parent'])}`);
  return { ok: false, detail: [...(integrity.ok ? [] : integrity.detail), ...fkLines] };
}

function toCheckResult(rows: Array<Record<string, unknown>>): CheckResult {
  const detail = rows.map((r) => String(Object.values(r)[0]));
  return { ok: detail.length === 1 && detail[0] === 'ok', detail };
}

/**
 * Runs `fn` in BEGIN IMMEDIATE (the write lock is taken up front, so two
 * writers never deadlock upgrading from a read lock); commits when `fn`
 * returns, rolls back and rethrows when it throws. Inside a transaction
 * already, `fn` simply joins it: no savepoint, so a caller that catches a
 * throw from a nested store call gets no partial rollback of that call (no
 * caller does; each flow lets it abort the whole transaction). `fn` must be
 * synchronous. Memory/UI changes belong after this returns (docs/architecture.md, style rule 7).
 */
export function inTransaction<T>(db: Db, fn: () => T): T {
  // Joining instead of a savepoint saves two statements per store call on the
  // pickup hot path (measured by `npm run bench`, durable_ratio).
  if (db.sqlite.inTransaction) return fn();
  return db.sqlite.transaction(fn).immediate();
}

/**
 * Copies committed WAL pages back into the database file (PASSIVE: never waits
 * for readers or writers). Run it when the cabinet is idle. Returns the pages
 * still in the WAL and those checkpointed.
 */
export function checkpoint(db: Db): { walPages: number; checkpointed: number } {
  const [row] = db.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
  return { walPages: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 };
}

/** The applied schema version (PRAGMA user_version). */
export function schemaVersion(db: ReadDb): number {
  return readUserVersion(db.sqlite);
}

/**
 * The ordered list of schema migrations (docs/architecture.md, style rule 8). Progress lives in
 * `PRAGMA user_version`; all pending steps run in ONE transaction, so a crash
 * or a failing step leaves the file exactly at its previous version.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../../shared/logger.js';
import { StoreError } from '../errors.js';
import { migrate0010Initial } from './0010-initial.js';
import { migrate0020OutboxPendingOrder } from './0020-outbox-pending-order.js';
import { migrate0030Custody } from './0030-custody.js';
import { migrate0040SlimPickup } from './0040-slim-pickup.js';
import { migrate0051VendorOutcomes } from './0051-vendor-outcomes.js';
import { migrate0055OwedOutbox } from './0055-owed-outbox.js';

export interface Migration {
  /** Steps of 10, strictly increasing; becomes `user_version` once applied. */
  readonly version: number;
  readonly name: string;
  /** Runs inside the migration transaction; foreign_keys is ON (use defer_foreign_keys for rebuilds). */
  readonly up: (sqlite: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 10, name: 'initial', up: migrate0010Initial },
  { version: 20, name: 'outbox-pending-order', up: migrate0020OutboxPendingOrder },
  { version: 30, name: 'custody', up: migrate0030Custody },
  { version: 40, name: 'slim-pickup', up: migrate0040SlimPickup },
  { version: 51, name: 'vendor-outcomes', up: migrate0051VendorOutcomes },
  { version: 55, name: 'owed-outbox', up: migrate0055OwedOutbox },
];

/** Throws RangeError unless versions are positive safe integers in strictly increasing order. */
export function assertMigrationsOrdered(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= previous) {
      throw new RangeError(`migration ${m.name} has version ${m.version}, not > ${previous}`);
    }
    previous = m.version;
  }
}

/** The highest version in `migrations` (0 when empty). Never throws. */
export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.at(-1)?.version ?? 0;
}

export const LATEST_SCHEMA_VERSION = latestVersion();

/** PRAGMA user_version; a read, no write. Throws only if the handle is closed. */
export function readUserVersion(sqlite: Database.Database): number {
  return sqlite.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration newer than the file's `user_version`, in one
 * BEGIN IMMEDIATE transaction, then checks foreign keys before committing.
 * Throws StoreError('schema-from-future') if the file is newer than `migrations`,
 * StoreError('migration-failed') (cause = the original error) if a step or the
 * foreign-key check fails; in both cases the file is left unchanged.
 */
export function runMigrations(
  sqlite: Database.Database,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  assertMigrationsOrdered(migrations);
  const from = readUserVersion(sqlite);
  const latest = latestVersion(migrations);
  if (from > latest) {
    throw new StoreError('schema-from-future', `database schema ${from} is newer than this agent (${latest})`, {
      fileVersion: from,
      codeVersion: latest,
    });
  }
  const pending = migrations.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from };
  let current: Migration | undefined;
  try {
    sqlite
      .transaction(() => {
        for (const m of pending) {
          current = m;
          m.up(sqlite);
          setUserVersion(sqlite, m.version);
        }
        current = undefined;
        assertNoForeignKeyViolations(sqlite);
      })
      .immediate();
  } catch (cause) {
    throw new StoreError('migration-failed', `migration ${current?.name ?? 'check'} failed`, {
      from,
      failedAt: current?.version ?? null,
    }, { cause });
  }
  logger.info({ from, to: latest, steps: pending.map((m) => m.version) }, 'store migrated');
  return { from, to: latest };
}

function setUserVersion(sqlite: Database.Database, version: number): void {
  // PRAGMA takes no bound parameters. `version` comes from the compile-time
  // MIGRATIONS array and was checked by assertMigrationsOrdered to be a safe integer.
  if (!Number.isSafeInteger(version)) throw new RangeError(`bad schema version ${version}`);
  sqlite.pragma(`user_version = ${version}`);
}

function assertNoForeignKeyViolations(sqlite: Database.Database): void {
  const violations = sqlite.pragma('foreign_key_check') as unknown[];
  if (violations.length > 0) {
    throw new StoreError('migration-failed', 'foreign key violations after migration', {
      violations: violations.slice(0, 20),
    });
  }
}

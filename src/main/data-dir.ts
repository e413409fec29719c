import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Everything the agent writes is for its own user only: the database holds
 * parcels and hashed codes, the secret keys every code, the logs name every
 * door and the control socket opens them. A cabinet PC is often shared by a
 * session user (the screen) and the agent's service user, so "readable by
 * others" is a real leak outside systemd's `UMask=0077`.
 */
export const PRIVATE_UMASK = 0o077;
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export type DataDirErrorCode = 'data-dir-unwritable';

/** The data folder cannot be created or written: the agent cannot keep a single record, so it does not start. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
  constructor(
    readonly code: DataDirErrorCode,
    readonly dir: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot write ${dir}: ${reason}`, options);
  }
}

/** What a person does about a DataDirError, one line for the CLI. */
export const DATA_DIR_HINT = 'give the agent\'s user write access to that folder, or point `dataDir` (or `database`) in the config at one it owns';

/**
 * Files created from here on are private whoever starts the agent. Called
 * first thing in each process entry (CLI, Electron main); a library that
 * creates files with its own mode still goes through this mask, and the
 * places below that create files pass an explicit mode on top of it.
 */
export function usePrivateUmask(): void {
  process.umask(PRIVATE_UMASK);
}

/**
 * Creates the data folder (0700) or tightens an existing one to 0700, and
 * proves it can be written by creating and removing a probe file, so the
 * failure is one clear DataDirError before the logger or the database meets
 * it as an unhandled stream error. Idempotent. Returns what could not be
 * tightened (a folder or file another user owns), for the log.
 */
export function prepareDataDir(dir: string): string[] {
  const notes: string[] = [];
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    tighten(dir, PRIVATE_DIR_MODE, notes);
    const probe = join(dir, `.write-probe-${process.pid}`);
    closeSync(openSync(probe, 'w', PRIVATE_FILE_MODE));
    rmSync(probe, { force: true });
  } catch (cause) {
    throw new DataDirError('data-dir-unwritable', dir, reasonOf(cause), { cause });
  }
  tightenLogs(join(dir, 'logs'), notes);
  return notes;
}

/**
 * A folder the agent owns below the data folder (logs, the database's own
 * folder): created 0700. An existing folder keeps its mode: it may be shared
 * (the database configured in /var/lib), which is not ours to change.
 */
export function ensurePrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates `path` empty with mode 0600, or tightens it to 0600, before a
 * library opens it. SQLite creates its -wal and -shm with the database's own
 * mode whatever the umask, so the database file's mode is what protects them.
 */
export function ensurePrivateFile(path: string): string[] {
  const notes: string[] = [];
  ensurePrivateDir(dirname(path));
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) tighten(file, PRIVATE_FILE_MODE, notes);
  }
  return notes;
}

/** Log files left by a run under a looser umask: the logs hold every door and staff action. */
function tightenLogs(logs: string, notes: string[]): void {
  if (!existsSync(logs)) return;
  tighten(logs, PRIVATE_DIR_MODE, notes);
  for (const name of readdirSync(logs)) {
    const file = join(logs, name);
    if (statSync(file).isFile()) tighten(file, PRIVATE_FILE_MODE, notes);
  }
}

/** chmod when the mode differs; a path another user owns (EPERM) is noted, not fatal: writing it is what matters. */
function tighten(path: string, mode: number, notes: string[]): void {
  if ((statSync(path).mode & 0o777) === mode) return;
  try {
    chmodSync(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    notes.push(`${path} belongs to another user: left at mode ${(statSync(path).mode & 0o777).toString(8)}`);
  }
}

/** A system error as words a technician reads, with its code. */
export function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${e.code})`;
    case 'EROFS':
      return 'read-only file system (EROFS)';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder (ENOTDIR)';
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EEXIST':
      return 'a file of that name is in the way (EEXIST)';
    default:
      return e?.code ?? (err instanceof Error ? err.message : String(err));
  }
}

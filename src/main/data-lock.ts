import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateFile, PRIVATE_FILE_MODE } from './data-dir.js';

/** The lock file: an empty SQLite database whose exclusive lock the agent holds while it runs. */
export const LOCK_FILE = 'agent.lock';
/** Beside it, the holder's pid, so a refused second agent can say whom to stop. */
export const PID_FILE = 'agent.pid';

/** A second agent (or an in-process CLI) found the data folder owned by a running agent. */
export class AgentAlreadyRunning extends Error {
  override readonly name = 'AgentAlreadyRunning';
  readonly code = 'agent-already-running';
}

export interface DataDirLock {
  /** Lets go of the lock (idempotent). The OS does the same when the process dies. */
  release(): void;
}

/**
 * Claims the data folder for this process, or throws AgentAlreadyRunning
 * naming the folder and the holder's pid. One agent per folder is what keeps
 * two processes from driving one serial port and writing one database.
 *
 * The lock is SQLite's own file lock (fcntl on POSIX, LockFileEx on Windows)
 * on `<dataDir>/agent.lock`, taken with `locking_mode=EXCLUSIVE` and a write
 * transaction that stays open: the kernel drops it when the process ends in
 * any way, SIGKILL and power loss included, so a crash never leaves a stale
 * lock behind (a socket or pid file alone would). SQLite also tracks its locks
 * per inode inside one process, so two claims from one process conflict too.
 *
 * @param nativeBinding the better-sqlite3 build to load (Electron's ABI under
 *   the Electron shell); Node's own when absent.
 */
export function lockDataDir(dataDir: string, opts: { nativeBinding?: string | undefined } = {}): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  // 0600 before SQLite opens it: its -journal takes the lock file's mode, whatever the umask.
  ensurePrivateFile(path);
  // timeout 0: a held lock answers SQLITE_BUSY at once instead of after 5 s.
  const db = new Database(path, { timeout: 0, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') throw new AgentAlreadyRunning(heldMessage(dataDir, holderPid(dataDir)));
    throw err;
  }
  const pidFile = join(dataDir, PID_FILE);
  writeFileSync(pidFile, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
      db.close();
    },
  };
}

/** The one line a refused agent prints. */
export function heldMessage(dataDir: string, pid: number | null): string {
  return `another cabinet-kiosk agent is running on the data folder ${dataDir} (${pid === null ? 'its pid is unknown' : `pid ${pid}`}); stop it first`;
}

/**
 * The pid in the pid file when that process still exists, else null: the file
 * is written just after the lock is taken, so for a moment it may still name
 * the previous, dead holder.
 */
function holderPid(dataDir: string): number | null {
  const pid = readPid(join(dataDir, PID_FILE));
  if (pid === null) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, but another user's process.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

function readPid(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  return /^\d+$/.test(text) ? Number(text) : null;
}

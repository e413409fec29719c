import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, closeDatabase, quickCheck } from '../../store/db.js';
import { LOCK_FILE } from '../data-lock.js';
import type { DatabaseFacts } from './checks/database.js';
import type { ReceiverFacts } from './checks/receiver.js';

/**
 * Whether an agent holds the data folder: a try of the lock file's exclusive
 * lock, let go at once (data-lock.ts). Never creates the file or the pid
 * file, so a doctor run as root leaves nothing the service user cannot open.
 */
export function agentHoldsDataDir(dataDir: string): boolean {
  const path = join(dataDir, LOCK_FILE);
  if (!existsSync(path)) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 0, fileMustExist: true });
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (err) {
    return (err as { code?: unknown }).code === 'SQLITE_BUSY';
  } finally {
    db?.close();
  }
}

/** quick_check on a read-only handle: WAL lets a reader look while the agent writes. */
export function databaseFacts(path: string): DatabaseFacts {
  if (path === ':memory:' || !existsSync(path)) return { path, state: 'missing' };
  try {
    const db = openDatabase(path, { readonly: true });
    try {
      const r = quickCheck(db);
      return { path, state: 'checked', ok: r.ok, detail: r.detail, by: 'doctor' };
    } finally {
      closeDatabase(db);
    }
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return { path, state: 'unreadable', error: `${(err as Error).message}${cause ? ` (${cause})` : ''}` };
  }
}

/** Binds the receiver's address for a moment: free, taken, or not bindable at all. */
export function receiverFacts(receiver: { host: string; port: number } | undefined, agentReceiverUrl: string | null): Promise<ReceiverFacts> {
  if (!receiver) return Promise.resolve({ configured: false });
  const { host, port } = receiver;
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve({ configured: true, host, port, bind: 'in-use', heldByAgent: agentReceiverUrl !== null && new URL(agentReceiverUrl).port === String(port) });
      else resolve({ configured: true, host, port, bind: 'error', error: err.code ?? err.message });
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ configured: true, host, port, bind: 'free' })));
  });
}

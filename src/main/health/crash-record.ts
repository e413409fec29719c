import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PRIVATE_FILE_MODE } from '../data-dir.js';

/** Left in the data folder by an agent that died on an uncaught error; read and removed by the next start. */
export const CRASH_FILE = 'agent-crash.json';

const crashSchema = z.object({
  origin: z.enum(['uncaughtException', 'unhandledRejection']),
  name: z.string(),
  message: z.string(),
  version: z.string(),
  pid: z.number().int(),
  at: z.number().int(),
});

export type CrashRecord = z.infer<typeof crashSchema>;

/** What a crash record keeps of the error: its class and first line, short (no stack: it may hold data). */
export function crashRecordOf(err: unknown, origin: CrashRecord['origin'], facts: { version: string; pid: number; at: number }): CrashRecord {
  const e = err instanceof Error ? err : null;
  const name = e ? e.name : typeof err;
  const message = (e ? e.message : String(err)).split('\n')[0]!.slice(0, 300);
  return { origin, name, message, ...facts };
}

/**
 * Writes the record next to the database, synchronously: the process is
 * about to die, and nothing asynchronous runs after an uncaught exception.
 * Never throws (a full disk must not hide the original error).
 */
export function writeCrashRecord(dataDir: string, record: CrashRecord): boolean {
  try {
    writeFileSync(join(dataDir, CRASH_FILE), `${JSON.stringify(record)}\n`, { mode: PRIVATE_FILE_MODE });
    return true;
  } catch {
    return false;
  }
}

/** The record an earlier run left, or null (none, or unreadable: a half-written file is dropped). */
export function readCrashRecord(dataDir: string): CrashRecord | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, CRASH_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = crashSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function removeCrashRecord(dataDir: string): void {
  rmSync(join(dataDir, CRASH_FILE), { force: true });
}

/**
 * Records a crash record when the process dies on an uncaught exception or
 * an unhandled rejection. `uncaughtExceptionMonitor` watches without
 * changing what Node does next (print the error, exit 1 or 7): the service
 * manager restarts the agent, and the next start reports the record.
 * Returns the uninstall.
 */
export function installCrashRecorder(dataDir: string, version: string, clock: () => number = Date.now): () => void {
  const monitor = (err: Error, origin: NodeJS.UncaughtExceptionOrigin) => {
    writeCrashRecord(dataDir, crashRecordOf(err, origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException', { version, pid: process.pid, at: clock() }));
  };
  process.on('uncaughtExceptionMonitor', monitor);
  return () => process.off('uncaughtExceptionMonitor', monitor);
}

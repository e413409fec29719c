import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isLoopback } from '../../cloud/index.js';
import { CommandRefused } from './channel-executor.js';

/** The most one upload sends: the tail of the newest log file beyond this is what an operator needs. */
export const MAX_LOG_UPLOAD_BYTES = 16 * 1024 * 1024;

/**
 * The log-upload job (docs/fleet.md §5.1): HTTP PUT of the newest file in
 * `<dataDir>/logs` (its last 16 MiB) to a pre-signed URL. https only, except
 * to a loopback address (tests, a local collector): logs name compartments
 * and parcels.
 */
export async function uploadNewestLog(dataDir: string, url: string, timeoutMs = 60_000): Promise<{ file: string; bytes: number; status: number }> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopback(target.hostname))) {
    throw new CommandRefused('bad-url', 'log upload URLs must be https (http only to a loopback address)');
  }
  const dir = join(dataDir, 'logs');
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = await Promise.all(names.map(async (name) => ({ name, stat: await stat(join(dir, name)).catch(() => null) })));
  const newest = files.filter((f) => f.stat?.isFile()).sort((a, b) => (b.stat?.mtimeMs ?? 0) - (a.stat?.mtimeMs ?? 0))[0];
  if (newest === undefined) throw new CommandRefused('no-logs', `no log file in ${dir} (log.file is off?)`);
  const size = newest.stat?.size ?? 0;
  const length = Math.min(size, MAX_LOG_UPLOAD_BYTES);
  const body = Buffer.alloc(length);
  const handle = await open(join(dir, newest.name), 'r');
  try {
    await handle.read(body, 0, length, size - length);
  } finally {
    await handle.close();
  }
  const answer = await fetch(target, { method: 'PUT', body, headers: { 'content-type': 'application/x-ndjson' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  await answer.body?.cancel();
  if (answer.status < 200 || answer.status > 299) throw new CommandRefused('upload-failed', `the upload URL answered HTTP ${answer.status}`);
  return { file: newest.name, bytes: length, status: answer.status };
}

import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Enough for a few hundred log lines; the service screen shows the end of the newest file only. */
const TAIL_BYTES = 128 * 1024;

/**
 * The last lines of the newest rotating log file, one readable line each
 * (`12:03:04 WARN main/hardware lock bus fault`). The file is already
 * redacted by the logger, so codes and PINs never reach the screen.
 */
export async function tailLog(logDir: string, lines: number): Promise<{ file: string | null; lines: string[] }> {
  const file = await newestLogFile(logDir);
  if (!file) return { file: null, lines: [] };
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const raw = buf.toString('utf8').split('\n');
    if (start > 0) raw.shift(); // first line is cut
    return { file, lines: raw.filter((l) => l.trim() !== '').slice(-lines).map(formatLogLine) };
  } finally {
    await handle.close();
  }
}

/** A pino JSON line made readable; anything else is shown as it is. */
export function formatLogLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const e = entry as Record<string, unknown>;
  const time = typeof e.time === 'string' ? e.time.slice(11, 19) : '';
  const level = typeof e.level === 'number' ? (LEVELS[e.level] ?? String(e.level)) : '';
  const module = typeof e.module === 'string' ? e.module : '';
  const msg = typeof e.msg === 'string' ? e.msg : '';
  const err = typeof e.err === 'object' && e.err !== null && typeof (e.err as { message?: unknown }).message === 'string' ? `: ${(e.err as { message: string }).message}` : '';
  return [time, level, module, msg + err].filter(Boolean).join(' ');
}

async function newestLogFile(dir: string): Promise<string | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.log'));
  } catch {
    return null;
  }
  let best: { path: string; mtime: number } | null = null;
  for (const name of names) {
    const path = join(dir, name);
    const { mtimeMs } = await stat(path);
    if (!best || mtimeMs > best.mtime) best = { path, mtime: mtimeMs };
  }
  return best?.path ?? null;
}

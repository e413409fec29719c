import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
/** The binary is ~100 MB: give a slow but working line time, an offline one fails in well under a second. */
const FETCH_TIMEOUT_MS = 180_000;

export type Found<T> = ({ ok: true } & T) | { ok: false; reason: string };

/**
 * The Electron binary, downloaded on first use when the network allows: `npm ci`
 * runs no Electron install script (package.json allowScripts), so a fresh
 * clone installs offline and the ~100 MB download happens here, once.
 */
export async function findElectron(opts: { fetch: boolean }): Promise<Found<{ binary: string; version: string }>> {
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const installed = installedBinary(pkgDir);
  if (installed) return { ok: true, binary: installed, version };
  if (!opts.fetch) return { ok: false, reason: `the Electron ${version} binary is not downloaded` };
  try {
    await run(process.execPath, [join(pkgDir, 'install.js')], { cwd: pkgDir, timeout: FETCH_TIMEOUT_MS });
  } catch (err) {
    return { ok: false, reason: `the Electron ${version} binary is not downloaded and fetching it failed (${firstLine(err)})` };
  }
  const fetched = installedBinary(pkgDir);
  return fetched ? { ok: true, binary: fetched, version } : { ok: false, reason: `Electron's installer ran but left no binary in ${pkgDir}/dist` };
}

function installedBinary(pkgDir: string): string | null {
  const pathTxt = join(pkgDir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const binary = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string; killed?: boolean };
  if (e.killed) return 'timed out';
  const text = (e.stderr && e.stderr.trim()) || e.message || String(err);
  const line = text.split('\n').find((l) => /error|fail|ENOTFOUND|EAI_AGAIN|ECONN/i.test(l)) ?? text.split('\n')[0] ?? '';
  return line.trim().slice(0, 200);
}

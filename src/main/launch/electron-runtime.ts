import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
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

/**
 * better-sqlite3 links against V8, so Electron needs its own build while the
 * CLI, the tests and browser mode keep Node's. The Electron build is fetched
 * once (better-sqlite3's published prebuild for this Electron, via its own
 * prebuild-install) into the data folder's cache and handed to the store as
 * `nativeBinding`; node_modules is never rebuilt in place. Packaged builds do
 * not need this: electron-builder rebuilds the module for Electron.
 */
export async function electronSqliteBinding(electronVersion: string, cacheDir: string): Promise<Found<{ path: string }>> {
  const target = join(cacheDir, `electron-${electronVersion}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
  if (existsSync(target)) return { ok: true, path: target };
  let pkgDir: string;
  let prebuildInstall: string;
  try {
    pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
    prebuildInstall = join(dirname(createRequire(join(pkgDir, 'package.json')).resolve('prebuild-install/package.json')), 'bin.js');
  } catch {
    return { ok: false, reason: 'better-sqlite3 or its prebuild-install is not installed' };
  }
  // prebuild-install works in a package folder: give it a scratch copy of the manifest, not node_modules.
  const scratch = mkdtempSync(join(tmpdir(), 'ck-sqlite-electron-'));
  try {
    copyFileSync(join(pkgDir, 'package.json'), join(scratch, 'package.json'));
    await run(process.execPath, [prebuildInstall, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform], {
      cwd: scratch,
      timeout: FETCH_TIMEOUT_MS,
    });
    const built = join(scratch, 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) return { ok: false, reason: 'prebuild-install reported success but left no better_sqlite3.node' };
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(built, target);
    return { ok: true, path: target };
  } catch (err) {
    return { ok: false, reason: `no better-sqlite3 build for Electron ${electronVersion} (${firstLine(err)})` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string; killed?: boolean };
  if (e.killed) return 'timed out';
  const text = (e.stderr && e.stderr.trim()) || e.message || String(err);
  const line = text.split('\n').find((l) => /error|fail|ENOTFOUND|EAI_AGAIN|ECONN/i.test(l)) ?? text.split('\n')[0] ?? '';
  return line.trim().slice(0, 200);
}

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Shared by the deb tests (each file builds the package once, in its own temp
 * folder, so that vitest may run the files side by side). Commands run
 * asynchronously: a build, lintian or dpkg takes minutes, and a blocked
 * event loop would starve vitest's own worker messages.
 */
export const root = fileURLToPath(new URL('../../..', import.meta.url));
export const PKG = 'cabinet-kiosk';
/** Enabled by the postinst, masked on remove. cabinet-kiosk-apply-config.service is static: the path unit starts it. */
export const UNITS = ['cabinet-kiosk-agent.service', 'cabinet-kiosk-screen.service', 'cabinet-kiosk-apply-config.path'];
export const STATIC_UNITS = ['cabinet-kiosk-apply-config.service'];
/** Minutes on a busy two-core machine: lintian reads every one of the ~5000 files. */
export const TIMEOUT = 900_000;

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, LC_ALL: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export async function ok(r: Promise<Ran>, what: string): Promise<string> {
  const done = await r;
  if (done.status !== 0) throw new Error(`${what} exited ${done.status}:\n${done.stdout}\n${done.stderr}`);
  return done.stdout;
}

/** Fails with the apt package to install: a missing tool never skips a check. */
export async function need(cmd: string, hint: string): Promise<void> {
  const r = await run('sh', ['-c', `command -v ${cmd}`]);
  if (r.status !== 0) throw new Error(`${cmd} is missing: ${hint}; the package check cannot be skipped`);
}

export interface Built {
  deb: string;
  bytes: number;
  installedKiB: number;
  files: number;
  /** The temp folder the deb was built in; the caller removes it. */
  work: string;
}

/** scripts/build-deb.mjs, as `npm run dist:deb` runs it (after `npm run build`, which `npm test` runs first). */
export async function buildDeb(): Promise<Built> {
  await need('dpkg-deb', 'apt-get install dpkg');
  await need('dpkg-shlibdeps', 'apt-get install dpkg-dev');
  await need('strip', 'apt-get install binutils');
  const work = mkdtempSync(join(tmpdir(), 'ck-deb-test-'));
  const out = await ok(run(process.execPath, [join(root, 'scripts/build-deb.mjs'), '--out', join(work, 'out')], { cwd: root }), 'scripts/build-deb.mjs');
  return { ...(JSON.parse(out) as Omit<Built, 'work'>), work };
}

import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { arch, release, tmpdir, type as osType, version as osVersion } from 'node:os';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { redactSecrets } from '../../cloud/index.js';
import { closeDatabase, openDatabase } from '../../store/db.js';
import { databaseStats, type DatabaseStats } from '../../store/stats.js';
import type { Config } from '../config/schema.js';
import { formatDoctor, runDoctor } from '../doctor/run-doctor.js';
import { findElectron } from '../launch/electron-runtime.js';
import { APP_VERSION } from '../version.js';
import { redactConfig } from './redact-config.js';

/** The newest log files, this much of each (their ends), at most this many. */
const LOG_TAIL_BYTES = 2 * 1024 * 1024;
const LOG_FILES = 3;

export interface DiagResult {
  file: string;
  members: string[];
  doctorOk: boolean;
}

function tailOf(path: string, bytes: number): string {
  const size = statSync(path).size;
  const start = Math.max(0, size - bytes);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8');
  // Start at a whole line when cut.
  return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
}

function recentLogs(dataDir: string): Array<{ name: string; text: string }> {
  const dir = join(dataDir, 'logs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .map((n) => ({ n, at: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(0, LOG_FILES)
    .map(({ n }) => ({ name: n, text: tailOf(join(dir, n), LOG_TAIL_BYTES) }));
}

/** Sizes and counts, read-only (WAL lets a reader look while the agent writes); why it could not, otherwise. */
function dbStats(path: string): DatabaseStats | { error: string } {
  if (path === ':memory:' || !existsSync(path)) return { error: `${path} does not exist` };
  try {
    const db = openDatabase(path, { readonly: true });
    try {
      return databaseStats(db);
    } finally {
      closeDatabase(db);
    }
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function cabinetSecret(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, 'cabinet.secret'), 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * `cabinet-kiosk diag`: one tar.gz for the support desk with the doctor's
 * report, the configuration with every secret removed, the recent logs, the
 * database's sizes and row counts (never a row) and the versions. Every text
 * member is also scrubbed of each secret value the configuration holds,
 * wherever it appears. The file is 0600.
 */
export async function runDiag(config: Config, out: string): Promise<DiagResult> {
  const { redacted, secrets } = redactConfig(config);
  const secret = cabinetSecret(config.dataDir);
  const scrubList = [...secrets, ...(secret ? [secret] : [])];
  const scrub = (text: string) => redactSecrets(text, scrubList);
  const doctor = await runDoctor(config, { discovery: false });
  const electron = await findElectron({ fetch: false });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const root = `cabinet-kiosk-diag-${stamp}`;
  const work = mkdtempSync(join(tmpdir(), 'cabinet-kiosk-diag-'));
  const members: string[] = [];
  const put = (name: string, text: string) => {
    const path = join(work, root, name);
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(path, scrub(text), { mode: 0o600 });
    members.push(`${root}/${name}`);
  };
  try {
    mkdirSync(join(work, root), { mode: 0o700 });
    put('doctor.json', JSON.stringify(doctor, null, 2) + '\n');
    put('doctor.txt', formatDoctor(doctor) + '\n');
    put('config.json', JSON.stringify(redacted, null, 2) + '\n');
    put('database.json', JSON.stringify(dbStats(config.database), null, 2) + '\n');
    put(
      'versions.json',
      JSON.stringify(
        {
          app: APP_VERSION,
          node: process.versions.node,
          v8: process.versions.v8,
          electron: electron.ok ? electron.version : `none (${electron.reason})`,
          sqlite: process.versions['sqlite'] ?? null,
          os: { type: osType(), release: release(), version: osVersion(), arch: arch() },
        },
        null,
        2,
      ) + '\n',
    );
    for (const log of recentLogs(config.dataDir)) put(`logs/${log.name}`, log.text);
    const fd = openSync(out, 'w', 0o600);
    closeSync(fd);
    await createTar({ gzip: true, file: out, cwd: work, portable: true }, [root]);
    return { file: out, members, doctorOk: doctor.ok };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

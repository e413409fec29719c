import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { ensurePrivateFile } from '../../../src/main/data-dir.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent } from '../../../src/main/run-agent.js';
import * as store from '../../../src/store/index.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { assertBuilt, JsonLineProcess, runCli, startHeadlessAgent } from '../../helpers/cli.js';

/** Every path below `dir` with its kind and permission bits. */
function modesUnder(dir: string): Array<{ path: string; kind: 'dir' | 'file' | 'socket' | 'other'; mode: number }> {
  const out: Array<{ path: string; kind: 'dir' | 'file' | 'socket' | 'other'; mode: number }> = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSocket() ? 'socket' : 'other';
    out.push({ path: relative(dir, p) || '.', kind, mode: st.mode & 0o777 });
    if (kind === 'dir') for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(dir);
  return out;
}

/** What each path should be: folders 0700, files and the socket 0600. */
function expectPrivate(entries: ReturnType<typeof modesUnder>): void {
  const wrong = entries.filter((e) => e.mode !== (e.kind === 'dir' ? 0o700 : 0o600)).map((e) => `${e.path} (${e.kind}) is ${e.mode.toString(8)}`);
  expect(wrong).toEqual([]);
}

/** A data folder and a log file left by an earlier run under umask 022: the start must tighten them. */
function looseDataDir(dataDir: string): void {
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  chmodSync(dataDir, 0o755);
  chmodSync(join(dataDir, 'logs'), 0o755);
  writeFileSync(join(dataDir, 'logs', 'kiosk.1.log'), '', { mode: 0o644 });
}

describe('a real agent started under umask 022 writes nothing others can read', () => {
  let dir: string;
  let dataDir: string;
  let config: string;
  let agent: JsonLineProcess | undefined;
  let umask: number;

  beforeAll(async () => {
    assertBuilt();
    // The child inherits this, as from a login shell: the agent's entry must tighten it itself.
    umask = process.umask(0o022);
    dir = mkdtempSync(join(tmpdir(), 'ck-private-'));
    dataDir = join(dir, 'data');
    looseDataDir(dataDir);
    ({ agent, config } = await startHeadlessAgent(dir));
  });
  afterAll(async () => {
    await agent?.stop();
    process.umask(umask);
  });

  it('the database with its -wal and -shm, the secret, the logs, the control socket and the folders', async () => {
    const deposit = await runCli(['--config', config, '--json', 'deposit', '--size', 'M']);
    expect(deposit.code, deposit.stderr).toBe(0);
    const code = String((JSON.parse(deposit.stdout) as { code: string }).code);
    expect((await runCli(['--config', config, '--json', 'pickup', code])).code).toBe(0);

    const entries = modesUnder(dataDir);
    const names = entries.map((e) => e.path);
    // The test is only as good as what it saw: each kind of file must be there while the agent runs.
    for (const expected of ['.', 'kiosk.db', 'kiosk.db-wal', 'kiosk.db-shm', 'cabinet.secret', 'agent.sock', 'logs', 'logs/kiosk.1.log']) expect(names).toContain(expected);
    // pino-roll carries on in the newest file: the one left 0644 by the earlier run, which the start tightened.
    expect(statSync(join(dataDir, 'logs', 'kiosk.1.log')).size).toBeGreaterThan(0);
    expect(entries.find((e) => e.path === 'agent.sock')?.kind).toBe('socket');
    expectPrivate(entries);
  });
});

describe('explicit modes where the agent creates files, whatever the umask', () => {
  let umask: number;
  beforeAll(() => {
    // No private umask in this process: only the modes the code passes protect the files.
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
  });

  it('an in-process agent: database (-wal/-shm), lock, secret, logs, socket and folders are private; a loose data folder is tightened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-private-'));
    const dataDir = join(dir, 'data');
    looseDataDir(dataDir);
    const base = loadConfig({ env: {}, cwd: dir });
    const config = { ...base, simulator: { ...base.simulator, transport: 'mock' as const } };
    expect(config.dataDir).toBe(dataDir);
    const logger = await createLogger(config, { stdout: false });
    const running = await runAgent(config, logger, { jobs: false });
    try {
      logger.info({ probe: true }, 'a line for the file');
      logger.flush();
      const entries = modesUnder(dataDir);
      for (const expected of ['kiosk.db', 'kiosk.db-wal', 'kiosk.db-shm', 'cabinet.secret', 'agent.sock', 'agent.lock', 'agent.pid', 'logs/kiosk.1.log']) {
        expect(entries.map((e) => e.path)).toContain(expected);
      }
      expectPrivate(entries);
    } finally {
      await running.stop();
    }
  });

  it('an existing database of mode 0644 is tightened before SQLite opens it, so its -wal and -shm are created 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-private-'));
    const path = join(dir, 'old.db');
    const first = store.openDatabase(path, { logger: silentLogger });
    store.closeDatabase(first);
    chmodSync(path, 0o644);
    ensurePrivateFile(path);
    const db = store.openDatabase(path, { logger: silentLogger });
    try {
      const entries = modesUnder(dir).filter((e) => e.path.startsWith('old.db'));
      expect(entries.map((e) => e.path).sort()).toEqual(['old.db', 'old.db-shm', 'old.db-wal']);
      expectPrivate(entries);
    } finally {
      store.closeDatabase(db);
    }
  });
});

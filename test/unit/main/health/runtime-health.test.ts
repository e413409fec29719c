import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_FILE, crashRecordOf, readCrashRecord, writeCrashRecord } from '../../../../src/main/health/crash-record.js';
import { keepRecent, RSS_WINDOW_MS, rssSlopeMbPerHour, RuntimeHealth } from '../../../../src/main/health/runtime-health.js';
import { silentLogger } from '../../../../src/shared/logger.js';
import * as store from '../../../../src/store/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ck-health-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('RSS trend', () => {
  it('keeps an hour of samples', () => {
    let samples = [{ at: 0, mb: 100 }];
    for (let i = 1; i <= 70; i++) samples = keepRecent(samples, { at: i * 60_000, mb: 100 }, RSS_WINDOW_MS);
    expect(samples).toHaveLength(60);
    expect(samples[0]!.at).toBe(11 * 60_000);
  });

  it('fits a slope in MB per hour, and says nothing from fewer than three samples', () => {
    expect(rssSlopeMbPerHour([{ at: 0, mb: 1 }, { at: 60_000, mb: 2 }])).toBeNull();
    const rising = Array.from({ length: 60 }, (_, i) => ({ at: i * 60_000, mb: 100 + i * 0.1 }));
    expect(rssSlopeMbPerHour(rising)).toBeCloseTo(6, 5);
    expect(rssSlopeMbPerHour(Array.from({ length: 10 }, (_, i) => ({ at: i * 60_000, mb: 80 })))).toBe(0);
  });
});

describe('crash record', () => {
  it('keeps the class and the first line of the message, never the stack; private file', () => {
    const dir = tempDir();
    const err = new TypeError('cannot read x\n    at secret/path.js:1');
    const record = crashRecordOf(err, 'uncaughtException', { version: '1.2.3', pid: 42, at: 1_000 });
    expect(record).toEqual({ origin: 'uncaughtException', name: 'TypeError', message: 'cannot read x', version: '1.2.3', pid: 42, at: 1_000 });
    expect(crashRecordOf('just a string', 'unhandledRejection', { version: '1', pid: 1, at: 1 })).toMatchObject({ name: 'string', message: 'just a string' });
    expect(writeCrashRecord(dir, record)).toBe(true);
    expect(statSync(join(dir, CRASH_FILE)).mode & 0o777).toBe(0o600);
    expect(readCrashRecord(dir)).toEqual(record);
  });

  it('reads nothing from a missing, half-written or foreign file, and never throws on write', () => {
    const dir = tempDir();
    expect(readCrashRecord(dir)).toBeNull();
    writeFileSync(join(dir, CRASH_FILE), '{"origin":"uncaught');
    expect(readCrashRecord(dir)).toBeNull();
    writeFileSync(join(dir, CRASH_FILE), '{"origin":"other"}');
    expect(readCrashRecord(dir)).toBeNull();
    expect(writeCrashRecord(join(dir, 'missing', 'deeper'), crashRecordOf(new Error('x'), 'uncaughtException', { version: '1', pid: 1, at: 1 }))).toBe(false);
  });
});

describe('RuntimeHealth on a real database', () => {
  function open(dir: string) {
    return store.openDatabase(join(dir, 'kiosk.db'));
  }
  const deps = (db: store.Db, dir: string, clock: () => number) => ({ db, dataDir: dir, destinations: () => ['cloud'], log: silentLogger, clock, rss: () => 150 * 1024 * 1024 });

  it('counts starts across runs and reports a crash record once, as agent.crashed with the last crash in the summary', () => {
    const dir = tempDir();
    let db = open(dir);
    const first = RuntimeHealth.start(deps(db, dir, () => 1_000));
    expect(first.summary()).toMatchObject({ starts: 1, restarts: 0, lastAgentCrash: null, lastScreenCrash: null, rss: { nowMb: 150, slopeMbPerHour: null } });
    first.stop();
    store.closeDatabase(db);

    writeCrashRecord(dir, crashRecordOf(new RangeError('boom'), 'unhandledRejection', { version: '9.9.9', pid: 77, at: 5_000 }));
    db = open(dir);
    const second = RuntimeHealth.start(deps(db, dir, () => 9_000));
    const s = second.summary();
    expect(s).toMatchObject({ starts: 2, restarts: 1, uptimeMs: 0 });
    expect(s.lastAgentCrash).toEqual({ at: 5_000, what: 'unhandledRejection: RangeError: boom (pid 77, version 9.9.9)' });
    const rows = db.sqlite.prepare(`SELECT type, payload, occurred_at AS at FROM events WHERE type = 'agent.crashed'`).all() as Array<{ type: string; payload: string; at: number }>;
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.payload)).toEqual({ origin: 'unhandledRejection', name: 'RangeError', message: 'boom', version: '9.9.9', pid: 77, at: 5_000, reportedAt: 9_000 });
    expect(rows[0]!.at).toBe(5_000);
    expect(store.outboxStats(db, 9_000).pending).toBe(1);
    expect(readCrashRecord(dir)).toBeNull();
    second.stop();

    // The same record again (a start that died before removing it): not reported twice.
    writeCrashRecord(dir, crashRecordOf(new RangeError('boom'), 'unhandledRejection', { version: '9.9.9', pid: 77, at: 5_000 }));
    const third = RuntimeHealth.start(deps(db, dir, () => 10_000));
    expect(third.summary().restarts).toBe(2);
    expect(db.sqlite.prepare(`SELECT count(*) AS n FROM events WHERE type = 'agent.crashed'`).get()).toEqual({ n: 1 });
    third.stop();
    store.closeDatabase(db);
  });

  it('records a screen crash as screen.crashed and shows it as the last screen crash', () => {
    const dir = tempDir();
    const db = open(dir);
    const health = RuntimeHealth.start(deps(db, dir, () => 2_000));
    health.recordScreenCrash({ process: 'gpu', reason: 'crashed', exitCode: 11, recovery: 'software-rendering', dumpFiles: 2 });
    expect(health.summary().lastScreenCrash).toEqual({ at: 2_000, what: 'gpu crashed (exit 11); software-rendering' });
    const row = db.sqlite.prepare(`SELECT payload FROM events WHERE type = 'screen.crashed'`).get() as { payload: string };
    expect(JSON.parse(row.payload)).toEqual({ process: 'gpu', reason: 'crashed', exitCode: 11, recovery: 'software-rendering', dumpFiles: 2, at: 2_000 });
    // A flood from the screen's side is bounded: 20 events per 10 minutes.
    let accepted = 1;
    for (let i = 0; i < 30; i++) accepted += health.recordScreenCrash({ process: 'renderer', reason: 'crashed', exitCode: 1, recovery: 'reload', dumpFiles: 0 }) ? 1 : 0;
    expect(accepted).toBe(20);
    expect(db.sqlite.prepare(`SELECT count(*) AS n FROM events WHERE type = 'screen.crashed'`).get()).toEqual({ n: 20 });
    health.useWatchdog(() => ({ enabled: true, healthy: false, problems: ['bus-hung'] }));
    expect(health.summary().watchdog).toEqual({ enabled: true, healthy: false, problems: ['bus-hung'] });
    health.stop();
    store.closeDatabase(db);
  });
});

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeDatabase,
  eventsForParcel,
  integrityCheck,
  listAudit,
  listParcels,
  openDatabase,
  outboxStats,
  type ReadDb,
} from '../../../src/store/index.js';
import { tempDir } from '../../unit/store/helpers.js';

const WRITER = fileURLToPath(new URL('./power-loss-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the writer until it reported `commits` more commits, then SIGKILLs it. Returns the last reported count. */
function runAndKill(path: string, commits: number): Promise<{ ready: number; last: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let ready = -1;
    let last = -1;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ready ')) ready = Number(line.slice(6));
        else last = Number(line);
      }
      if (ready >= 0 && last >= ready + commits && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ ready, last });
      else reject(new Error(`writer exited ${String(code)}: ${stderr}`));
    });
  });
}

/** Every committed transaction is whole: each parcel has exactly the events, outbox rows and audit rows of its states. */
function assertWhole(db: ReadDb): number {
  const parcels = listParcels(db, { limit: 1_000_000 });
  const audit = listAudit(db, { limit: 10_000_000 });
  const auditByParcel = new Map<string, string[]>();
  for (const a of audit) auditByParcel.set(a.parcelId!, [...(auditByParcel.get(a.parcelId!) ?? []), a.action]);
  let events = 0;
  for (const p of parcels) {
    const expected = p.state === 'stored' ? ['parcel.stored'] : ['parcel.stored', 'parcel.picked-up'];
    expect(['stored', 'picked-up']).toContain(p.state);
    expect(eventsForParcel(db, p.id).map((e) => e.type), p.id).toEqual(expected);
    expect(auditByParcel.get(p.id), p.id).toEqual(expected);
    events += expected.length;
  }
  const stats = outboxStats(db, Date.now());
  expect(stats.pending).toBe(events * 2); // one row per destination
  expect(stats.byDestination).toEqual({ cloud: { pending: events, dead: 0, skipped: 0 }, ops: { pending: events, dead: 0, skipped: 0 } });
  expect(listParcels(db, { states: ['stored'], limit: 100 }).length).toBeLessThanOrEqual(8);
  return parcels.length;
}

describe('power loss (SIGKILL mid-write)', () => {
  const tmp = tempDir('kiosk-powerloss-');
  afterAll(() => tmp.cleanup());

  it('keeps every committed transaction whole across repeated kills', { timeout: 60_000 }, async () => {
    const path = tmp.file('kiosk.db');
    for (const commits of [40, 150, 7, 300]) {
      const { ready, last } = await runAndKill(path, commits);
      const db = openDatabase(path);
      try {
        expect(integrityCheck(db)).toEqual({ ok: true, detail: ['ok'] });
        const parcels = assertWhole(db);
        // Nothing reported as committed is lost; at most the one in flight after the last report committed too.
        expect(parcels).toBeGreaterThanOrEqual(last);
        expect(parcels).toBeLessThanOrEqual(last + 1);
        expect(ready).toBeLessThanOrEqual(last);
      } finally {
        closeDatabase(db);
      }
    }
  });
});

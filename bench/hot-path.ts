/**
 * Custody figures (README "Custody", invariant 6):
 * - lockout_check_ms: the check every pickup runs before it pulses a door
 *   (lockout.ts assertNotLockedOut → the in-memory GuessLedger), with 0 and
 *   20,000 attempts logged; beside it the full replay of the log
 *   (store.lockoutState) that the ledger is seeded with once, at the same sizes.
 * - refusal_floor_ms: how long a refused code takes to answer, for a miss,
 *   a used code and an expired code, interleaved, through the product's own
 *   pickup flow on a real SQLite file (no door is pulsed for a refusal).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Doors } from '../src/core/context.js';
import { createFlowContext } from '../src/core/flow-context.js';
import { defaultFlowPolicy } from '../src/main/config/default-policy.js';
import { GuessLedger } from '../src/core/guess-ledger.js';
import { pickup, withRefusalFloor } from '../src/core/pickup.js';
import { KioskError } from '../src/shared/errors.js';
import * as store from '../src/store/index.js';
import { median, progress, summarize, tempDir, type Summary } from './stats.js';

export interface LockoutScalingPoint {
  attemptsIn7Days: number;
  /** The product's check (in-memory ledger), median ms. */
  ledgerMs: number;
  ledgerP99Ms: number;
  /** A full replay of the log (what seeds the ledger once at start), median ms. */
  replayMs: number;
}

const DAY_MS = 86_400_000;

export function runLockoutScaling(counts: readonly number[] = [0, 20_000]): LockoutScalingPoint[] {
  const dir = tempDir('lockout');
  const db = store.openDatabase(join(dir.path, 'attempts.db'));
  try {
    progress('lockout check vs attempts logged');
    const now = Date.now();
    const out: LockoutScalingPoint[] = [];
    let n = 0;
    const max = Math.max(...counts, 1);
    for (const target of counts) {
      // Wrong and right attempts spread over the last 6 days, as a slow brute force between customers leaves them.
      store.inTransaction(db, () => {
        for (; n < target; n++) store.recordCodeAttempt(db, { at: now - 6 * DAY_MS + Math.floor((n * 5 * DAY_MS) / max), ok: n % 7 === 0, source: 'keypad' });
      });
      const ledger = new GuessLedger(db, store.DEFAULT_LOCKOUT_POLICY);
      const samples: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const t = performance.now();
        ledger.state(undefined, now);
        if (i > 0) samples.push(performance.now() - t); // the first call seeds the ledger from the log
      }
      const replay: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        store.lockoutState(db, now, store.DEFAULT_LOCKOUT_POLICY);
        replay.push(performance.now() - t);
      }
      const s = summarize(samples);
      out.push({ attemptsIn7Days: target, ledgerMs: s.p50, ledgerP99Ms: s.p99, replayMs: median(replay) });
    }
    return out;
  } finally {
    store.closeDatabase(db);
    dir.remove();
  }
}

export interface RefusalResult {
  floorMs: number;
  miss: Summary;
  used: Summary;
  expired: Summary;
  /** Without the floor (floor 0), same run: what the answers cost by themselves. */
  bareMiss: Summary;
  bareUsed: Summary;
}

const noDoors: Doors = {
  open: () => Promise.reject(new Error('a refusal must not pulse a door')),
  readDoor: () => Promise.resolve('closed'),
};

export async function runRefusalFloor(rounds = 60): Promise<RefusalResult> {
  const dir = tempDir('refusal');
  const db = store.openDatabase(join(dir.path, 'kiosk.db'));
  try {
    progress(`refusal floor: ${rounds} rounds of miss / used / expired`);
    store.syncCompartments(db, [{ id: '1', board: 1, lock: 1, size: 'M' }]);
    const secret = Buffer.alloc(32, 7);
    let now = Date.now();
    const clock = () => Math.round(now + (performance.now() - t0));
    const t0 = performance.now();
    // A policy that never locks, so every round is answered as a refusal, not `locked-out`.
    const lockout = { maxFailures: 1_000_000, windowMs: 600_000, baseDelayMs: 30_000, factor: 2, maxDelayMs: 900_000 };
    const floorCtx = createFlowContext({ db, doors: noDoors, secret, destinations: () => ['cloud'], clock, policy: { ...defaultFlowPolicy(), lockout } });
    const bareCtx = createFlowContext({ db, doors: noDoors, secret, destinations: () => ['cloud'], clock, policy: { ...floorCtx.policy, refusalFloorMs: 0 } });
    const used = '20000001';
    const expired = '30000001';
    store.inTransaction(db, () => {
      store.insertPickupCode(db, { hash: store.hashPickupCode(secret, used), compartmentId: '1', source: 'v', validFrom: 0 });
      store.insertPickupCode(db, { hash: store.hashPickupCode(secret, expired), compartmentId: '1', source: 'v', validFrom: 0, validUntil: 1 });
    });
    const usedId = store.findCodeByHash(db, store.hashPickupCode(secret, used), now)!.code.id;
    store.inTransaction(db, () => store.markCodeUsed(db, usedId, 1, 0));
    now += 1;
    const time = async (ctx: typeof floorCtx, code: string, expect: string): Promise<number> => {
      const t = performance.now();
      try {
        await withRefusalFloor(ctx, () => ctx.mutex.run(() => pickup(ctx, code, 'keypad')));
      } catch (err) {
        if (!(err instanceof KioskError) || err.code !== expect) throw err;
        return performance.now() - t;
      }
      throw new Error(`code ${code} opened a door in the refusal bench`);
    };
    const s = { miss: [] as number[], used: [] as number[], expired: [] as number[], bareMiss: [] as number[], bareUsed: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      s.miss.push(await time(floorCtx, String(50_000_000 + i), 'code-invalid'));
      s.used.push(await time(floorCtx, used, 'code-used'));
      s.expired.push(await time(floorCtx, expired, 'code-expired'));
      s.bareMiss.push(await time(bareCtx, String(60_000_000 + i), 'code-invalid'));
      s.bareUsed.push(await time(bareCtx, used, 'code-used'));
    }
    return {
      floorMs: floorCtx.policy.refusalFloorMs,
      miss: summarize(s.miss), used: summarize(s.used), expired: summarize(s.expired), bareMiss: summarize(s.bareMiss), bareUsed: summarize(s.bareUsed),
    };
  } finally {
    store.closeDatabase(db);
    dir.remove();
  }
}

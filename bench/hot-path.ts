/**
 * Supplementary: the cost of the lockout check every pickup runs before it
 * pulses a door (pickup.ts assertNotLockedOut → store lockoutState), as the
 * code_attempts log grows. lockoutState reads and zod-parses every attempt of
 * the last 7 days, so its cost is linear in that count; this shows the slope.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as store from '../src/store/index.js';
import { median, progress, tempDir } from './stats.js';

export interface LockoutScalingPoint {
  attemptsIn7Days: number;
  lockoutStateMs: number;
}

const DAY_MS = 86_400_000;

export function runLockoutScaling(counts: readonly number[] = [0, 100, 1000, 5000, 20000]): LockoutScalingPoint[] {
  const dir = tempDir('lockout');
  const db = store.openDatabase(join(dir.path, 'attempts.db'));
  try {
    progress('lockout check vs attempts logged');
    const now = Date.now();
    const out: LockoutScalingPoint[] = [];
    let n = 0;
    for (const target of counts) {
      // Successful attempts spread over the last 6 days: they are read, but lock nothing.
      store.inTransaction(db, () => {
        for (; n < target; n++) store.recordCodeAttempt(db, { at: now - 6 * DAY_MS + Math.floor((n * 5 * DAY_MS) / Math.max(...counts)), ok: true, source: 'keypad' });
      });
      for (let i = 0; i < 20; i++) store.lockoutState(db, now, store.DEFAULT_LOCKOUT_POLICY);
      const samples: number[] = [];
      for (let i = 0; i < 100; i++) {
        const t = performance.now();
        store.lockoutState(db, now, store.DEFAULT_LOCKOUT_POLICY);
        samples.push(performance.now() - t);
      }
      out.push({ attemptsIn7Days: target, lockoutStateMs: median(samples) });
    }
    return out;
  } finally {
    store.closeDatabase(db);
    dir.remove();
  }
}

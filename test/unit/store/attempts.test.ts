import { describe, expect, it } from 'vitest';
import {
  closeDatabase,
  computeLockout,
  DEFAULT_LOCKOUT_POLICY,
  failedAttemptsSince,
  inTransaction,
  lockDelay,
  LockoutReplay,
  lockoutState,
  STAFF_PIN_SOURCE,
  openDatabase,
  recordCodeAttempt,
  type Db,
} from '../../../src/store/index.js';
import { memoryDb, T0, tempDir } from './helpers.js';

const P = DEFAULT_LOCKOUT_POLICY;
const fail = (db: Db, at: number, source = 'keypad'): void => recordCodeAttempt(db, { at, ok: false, source });
const ok = (db: Db, at: number, source = 'keypad'): void => recordCodeAttempt(db, { at, ok: true, source });

describe('lockout policy', () => {
  it('locks after 5 failures within 10 minutes, not after 4 or when spread out', () => {
    const db = memoryDb();
    for (let i = 0; i < 4; i += 1) fail(db, T0 + i * 1000);
    expect(lockoutState(db, T0 + 4000, P)).toEqual({ lockedUntil: null, failures: 4 });
    fail(db, T0 + 4000);
    expect(lockoutState(db, T0 + 4000, P)).toEqual({ lockedUntil: T0 + 4000 + 30_000, failures: 5 });
    expect(lockoutState(db, T0 + 34_000, P).lockedUntil).toBeNull();

    const spread = memoryDb();
    for (let i = 0; i < 8; i += 1) fail(spread, T0 + i * 180_000); // one every 3 min
    expect(lockoutState(spread, T0 + 7 * 180_000, P)).toEqual({ lockedUntil: null, failures: 4 });
  });

  it('doubles the delay for each further failure during or after a lockout, capped at 15 min', () => {
    const db = memoryDb();
    for (let i = 0; i < 5; i += 1) fail(db, T0 + i);
    let t = T0 + 4;
    const delays: number[] = [];
    for (let n = 0; n < 8; n += 1) {
      const s = lockoutState(db, t, P);
      delays.push(s.lockedUntil! - t);
      t = s.lockedUntil!; // the attacker tries again the moment the lock ends
      fail(db, t);
    }
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
    // Even hours into the attack the lock keeps its maximum.
    expect(lockoutState(db, t, P).lockedUntil).toBe(t + 900_000);
    expect(lockDelay(1, P)).toBe(30_000);
  });

  it('ignores a success during a lockout, resets after it', () => {
    const db = memoryDb();
    for (let i = 0; i < 5; i += 1) fail(db, T0 + i);
    ok(db, T0 + 10); // somehow recorded while locked: does not reset
    expect(lockoutState(db, T0 + 10, P).lockedUntil).toBe(T0 + 4 + 30_000);
    fail(db, T0 + 40_000); // after the lock, within the window: escalates
    expect(lockoutState(db, T0 + 40_000, P).lockedUntil).toBe(T0 + 40_000 + 60_000);
    ok(db, T0 + 100_000); // after the lock: resets
    expect(lockoutState(db, T0 + 100_000, P)).toEqual({ lockedUntil: null, failures: 0 });
    fail(db, T0 + 100_001);
    expect(lockoutState(db, T0 + 100_001, P)).toEqual({ lockedUntil: null, failures: 1 });
  });

  it('starts fresh once the window has passed after a lockout', () => {
    const db = memoryDb();
    for (let i = 0; i < 5; i += 1) fail(db, T0 + i);
    const after = T0 + 4 + 30_000 + P.windowMs + 1;
    fail(db, after);
    expect(lockoutState(db, after, P)).toEqual({ lockedUntil: null, failures: 1 });
  });

  it('uses the policy given at read time, per source or for all sources', () => {
    const db = memoryDb();
    fail(db, T0, 'keypad');
    fail(db, T0 + 1, 'keypad');
    fail(db, T0 + 2, 'cli');
    const strict = { ...P, maxFailures: 3 };
    expect(lockoutState(db, T0 + 2, strict).lockedUntil).toBe(T0 + 2 + 30_000);
    expect(lockoutState(db, T0 + 2, strict, 'keypad').lockedUntil).toBeNull();
    expect(lockoutState(db, T0 + 2, P).lockedUntil).toBeNull();
    expect(failedAttemptsSince(db, T0)).toBe(2);
    expect(failedAttemptsSince(db, T0 - 1, 'keypad')).toBe(2);
  });

  it('keeps staff PIN failures out of the customer count, and customer failures out of the PIN count', () => {
    const db = memoryDb();
    for (let i = 0; i < 5; i += 1) fail(db, T0 + i, STAFF_PIN_SOURCE);
    expect(lockoutState(db, T0 + 5, P).lockedUntil).toBeNull();
    expect(failedAttemptsSince(db, 0)).toBe(0);
    expect(lockoutState(db, T0 + 5, P, STAFF_PIN_SOURCE).lockedUntil).toBe(T0 + 4 + 30_000);
    for (let i = 0; i < 5; i += 1) fail(db, T0 + 10 + i, 'keypad');
    expect(lockoutState(db, T0 + 15, P).lockedUntil).toBe(T0 + 14 + 30_000);
    expect(failedAttemptsSince(db, 0, STAFF_PIN_SOURCE)).toBe(5);
  });

  it('is composable with the caller transaction (rolled back with it)', () => {
    const db = memoryDb();
    expect(() =>
      inTransaction(db, () => {
        fail(db, T0);
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(failedAttemptsSince(db, 0)).toBe(0);
  });

  it('survives closing and reopening the file (a power cycle does not reset it)', () => {
    const tmp = tempDir();
    try {
      const path = tmp.file('kiosk.db');
      const db = openDatabase(path);
      for (let i = 0; i < 5; i += 1) fail(db, T0 + i);
      closeDatabase(db);
      const again = openDatabase(path);
      expect(lockoutState(again, T0 + 5, P)).toEqual({ lockedUntil: T0 + 4 + 30_000, failures: 5 });
      closeDatabase(again);
    } finally {
      tmp.cleanup();
    }
  });

  it('replays from the last quiet gap, so a long history costs nothing and stays exact', () => {
    const attempts = [
      ...Array.from({ length: 5 }, (_, i) => ({ at: i, ok: false })), // locked long ago
      { at: 10_000_000, ok: false },
      { at: 10_000_001, ok: false },
    ];
    expect(computeLockout(attempts, 10_000_001, P)).toEqual({ lockedUntil: null, failures: 2 });
  });
});

describe('LockoutReplay', () => {
  it('a clone predicts the next state and leaves the original untouched', () => {
    const p = DEFAULT_LOCKOUT_POLICY;
    const replay = new LockoutReplay(p);
    for (let i = 0; i < 4; i++) replay.add({ at: 1000 * i, ok: false });
    const before = replay.at(4000);
    const next = replay.clone();
    next.add({ at: 4000, ok: false });
    expect(next.at(4000).lockedUntil).toBe(4000 + p.baseDelayMs);
    expect(replay.at(4000)).toEqual(before);
    replay.add({ at: 4000, ok: false });
    expect(replay.at(4000)).toEqual(next.at(4000));
  });
});

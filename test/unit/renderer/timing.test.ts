import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../../src/renderer/logic/backoff.js';
import { lockedUntilFrom, secondsLeft } from '../../../src/renderer/logic/countdown.js';
import { IdleTimer } from '../../../src/renderer/logic/idle-timer.js';
import { KEYPAD_ACTIVITY_INTERVAL_MS, throttle } from '../../../src/renderer/logic/throttle.js';

describe('keypad.activity throttle', () => {
  it('sends at once, then at most once per interval', () => {
    let now = 1_000;
    const fn = vi.fn();
    const hint = throttle(fn, KEYPAD_ACTIVITY_INTERVAL_MS, () => now);
    expect(hint()).toBe(true);
    // A scanner types eight digits in a few milliseconds: one hint.
    for (let i = 0; i < 8; i += 1) {
      now += 4;
      hint();
    }
    expect(fn).toHaveBeenCalledTimes(1);
    now = 1_999;
    expect(hint()).toBe(false);
    now = 2_000;
    expect(hint()).toBe(true);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('is at most once a second', () => {
    expect(KEYPAD_ACTIVITY_INTERVAL_MS).toBe(1_000);
  });
});

describe('lock-out countdown', () => {
  it('rounds up to whole seconds and never goes below zero', () => {
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_001, 10_000)).toBe(1);
    expect(secondsLeft(12_999, 10_000)).toBe(3);
    expect(secondsLeft(13_000, 10_000)).toBe(3);
    expect(secondsLeft(9_000, 10_000)).toBe(0);
  });

  it('reads retryAfterMs from a locked-out error only', () => {
    expect(lockedUntilFrom({ code: 'locked-out', meta: { retryAfterMs: 30_000 } }, 1_000)).toBe(31_000);
    expect(lockedUntilFrom({ code: 'locked-out' }, 1_000)).toBeNull();
    expect(lockedUntilFrom({ code: 'locked-out', meta: { retryAfterMs: 'soon' } }, 1_000)).toBeNull();
    expect(lockedUntilFrom({ code: 'locked-out', meta: { retryAfterMs: -5 } }, 1_000)).toBeNull();
    expect(lockedUntilFrom({ code: 'code-invalid', meta: { retryAfterMs: 30_000 } }, 1_000)).toBeNull();
  });
});

describe('reconnect backoff', () => {
  it('doubles from 0.5 s and stops at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a))).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
});

describe('idle timer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const timers = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>) };

  it('fires once after the wait; every touch starts the wait again', () => {
    const idle = new IdleTimer(timers);
    const onIdle = vi.fn();
    idle.arm(45_000, onIdle);
    vi.advanceTimersByTime(44_000);
    idle.touch();
    vi.advanceTimersByTime(44_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(idle.armed).toBe(false);
    // After firing, touches do not re-arm it.
    idle.touch();
    vi.advanceTimersByTime(100_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('disarm stops it; arming again replaces the action and the wait', () => {
    const idle = new IdleTimer(timers);
    const first = vi.fn();
    const second = vi.fn();
    idle.arm(1_000, first);
    idle.disarm();
    vi.advanceTimersByTime(5_000);
    expect(first).not.toHaveBeenCalled();
    idle.arm(1_000, first);
    idle.arm(3_000, second);
    vi.advanceTimersByTime(2_000);
    expect(first).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(second).toHaveBeenCalledTimes(1);
  });
});

import { describe, expect, it } from 'vitest';
import { busStaleBoundMs, healthVerdict, statusText, tickLag, watchdogPingIntervalMs, type HealthInputs } from '../../../../src/main/health/watchdog-policy.js';

const bounds = { maxLoopLagMs: 5_000, busStaleMs: 25_000 };
const healthy: HealthInputs = { now: 100_000, loopLagMs: 12, databaseError: null, bus: { lastCycleAt: 99_000, connected: true, startedAt: 0 } };

describe('healthVerdict: ping only while the loop, the database and the bus loop are alive', () => {
  it('is healthy with a quick loop, a database that answers and a recent supervision cycle', () => {
    expect(healthVerdict(healthy, bounds)).toEqual({ healthy: true, problems: [] });
  });

  it('refuses on event-loop lag past the bound (and not at it)', () => {
    expect(healthVerdict({ ...healthy, loopLagMs: 5_000 }, bounds).healthy).toBe(true);
    const v = healthVerdict({ ...healthy, loopLagMs: 5_001 }, bounds);
    expect(v.healthy).toBe(false);
    expect(v.problems).toEqual([{ code: 'event-loop-lag', detail: 'event loop lagged 5001 ms (bound 5000 ms)' }]);
  });

  it('refuses when the database read failed, with its error', () => {
    const v = healthVerdict({ ...healthy, databaseError: 'SQLITE_IOERR: disk I/O error' }, bounds);
    expect(v.problems).toEqual([{ code: 'database-unavailable', detail: 'database read failed: SQLITE_IOERR: disk I/O error' }]);
  });

  it('an unplugged adapter whose supervision still cycles is healthy; a cycle stuck in the bus is not', () => {
    expect(healthVerdict({ ...healthy, bus: { ...healthy.bus, connected: false } }, bounds).healthy).toBe(true);
    const stuck = healthVerdict({ ...healthy, bus: { lastCycleAt: 70_000, connected: true, startedAt: 0 } }, bounds);
    expect(stuck.problems.map((p) => p.code)).toEqual(['bus-hung']);
    expect(stuck.problems[0]!.detail).toBe('no door supervision cycle completed for 30 s (bound 25 s, bus connected)');
  });

  it('a line released for commissioning owes no cycles (the agent restarts after); the loop and the database still count', () => {
    const released = { lastCycleAt: 1, connected: false, startedAt: 0, released: true };
    expect(healthVerdict({ ...healthy, bus: released }, bounds).healthy).toBe(true);
    expect(healthVerdict({ ...healthy, databaseError: 'closed', bus: released }, bounds).problems.map((p) => p.code)).toEqual(['database-unavailable']);
  });

  it('gives a first cycle the whole bound from start, then calls it hung', () => {
    expect(healthVerdict({ ...healthy, bus: { lastCycleAt: null, connected: true, startedAt: 80_000 } }, bounds).healthy).toBe(true);
    const v = healthVerdict({ ...healthy, bus: { lastCycleAt: null, connected: false, startedAt: 70_000 } }, bounds);
    expect(v.problems[0]!.detail).toBe('no door supervision cycle yet for 30 s (bound 25 s, bus disconnected)');
  });

  it('lists every problem at once', () => {
    const v = healthVerdict({ now: 100_000, loopLagMs: 9_000, databaseError: 'closed', bus: { lastCycleAt: 1, connected: true, startedAt: 0 } }, bounds);
    expect(v.problems.map((p) => p.code)).toEqual(['event-loop-lag', 'database-unavailable', 'bus-hung']);
  });
});

describe('busStaleBoundMs', () => {
  it('covers the idle sleep, every read-all retry timing out on every board, and an open-all holding the bus', () => {
    // Defaults: 1 s poll, 1.5 s reply timeout, 2 retries, 10 s open-all, 2 boards, 5 s slack.
    expect(busStaleBoundMs({ pollIntervalMs: 1_000, replyTimeoutMs: 1_500, readRetries: 2, openAllTimeoutMs: 10_000, boards: 2 })).toBe(25_000);
  });
});

describe('watchdogPingIntervalMs: half of WATCHDOG_USEC, for this process only', () => {
  it('halves WatchdogSec', () => {
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(15_000);
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15_000);
  });
  it('is off without the variable, with a bad one, or when it was meant for another pid', () => {
    expect(watchdogPingIntervalMs({}, 42)).toBeNull();
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: 'soon' }, 42)).toBeNull();
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '0' }, 42)).toBeNull();
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42)).toBeNull();
  });
});

describe('statusText and tickLag', () => {
  it('says what serves, or every problem', () => {
    expect(statusText({ healthy: true, problems: [] }, { busConnected: false, outboxPending: 3 })).toBe('serving; lock bus disconnected, reconnecting; outbox 3 pending');
    expect(statusText({ healthy: false, problems: [{ code: 'database-unavailable', detail: 'database read failed: x' }] }, { busConnected: true, outboxPending: 0 })).toBe('unhealthy: database read failed: x');
  });
  it('measures how late a tick fired, never below zero', () => {
    expect(tickLag(1_000, 1_250, 250)).toBe(0);
    expect(tickLag(1_000, 1_240, 250)).toBe(0);
    expect(tickLag(1_000, 4_250, 250)).toBe(3_000);
  });
});

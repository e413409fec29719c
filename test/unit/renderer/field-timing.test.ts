import { describe, expect, it } from 'vitest';
import { ageText, doorReading } from '../../../src/renderer/logic/age.js';
import { DOOR_LEAVING_MS, doorWaitPhase, idleWarnMs } from '../../../src/renderer/logic/door-wait.js';
import { IdleTimer } from '../../../src/renderer/logic/idle-timer.js';
import { feedScan, keyToAction, type KeyAction } from '../../../src/renderer/logic/keyboard.js';
import { nextLostAt, outageView } from '../../../src/renderer/logic/outage.js';
import { MESSAGES } from '../../../src/renderer/i18n/messages.js';

describe('outage', () => {
  it('a blip shows nothing; the agent away for outageAfterMs covers the screen; the link back clears it', () => {
    expect(outageView('open', null, 10_000, 3_000)).toBe('none');
    expect(outageView('reconnecting', 10_000, 12_999, 3_000)).toBe('pending');
    expect(outageView('reconnecting', 10_000, 13_000, 3_000)).toBe('out');
    expect(outageView('unauthorised', 10_000, 20_000, 3_000)).toBe('out');
    expect(outageView('open', 10_000, 20_000, 3_000)).toBe('none');
  });

  it('the loss time is when the link left open, kept while it stays away (reconnecting ↔ unauthorised), cleared when back', () => {
    let lostAt = nextLostAt('reconnecting', null, 1_000);
    expect(lostAt).toBe(1_000);
    lostAt = nextLostAt('unauthorised', lostAt, 5_000);
    expect(lostAt).toBe(1_000);
    expect(nextLostAt('open', lostAt, 6_000)).toBeNull();
  });
});

describe('the open door and idle', () => {
  it('waits, reminds, says it is leaving, then leaves: never silently under an open door', () => {
    expect(doorWaitPhase(0, 4_000, DOOR_LEAVING_MS)).toBe('waiting');
    expect(doorWaitPhase(3_999, 4_000, DOOR_LEAVING_MS)).toBe('waiting');
    expect(doorWaitPhase(4_000, 4_000, DOOR_LEAVING_MS)).toBe('remind');
    expect(doorWaitPhase(8_000, 4_000, DOOR_LEAVING_MS)).toBe('leaving');
    expect(doorWaitPhase(8_000 + DOOR_LEAVING_MS - 1, 4_000, DOOR_LEAVING_MS)).toBe('leaving');
    expect(doorWaitPhase(8_000 + DOOR_LEAVING_MS, 4_000, DOOR_LEAVING_MS)).toBe('leave');
  });

  it('the countdown shows for the last 10 s of a wait, or its last half when shorter', () => {
    expect(idleWarnMs(45_000)).toBe(10_000);
    expect(idleWarnMs(4_000)).toBe(2_000);
  });

  it('the idle timer exposes its deadline for the countdown; a touch moves it; disarm clears it', () => {
    let now = 1_000;
    const pending: Array<() => void> = [];
    const timer = new IdleTimer({ setTimeout: (fn) => pending.push(fn), clearTimeout: () => {}, now: () => now });
    expect(timer.deadline).toBeNull();
    timer.arm(4_000, () => {});
    expect(timer.deadline).toBe(5_000);
    expect(timer.afterMs).toBe(4_000);
    now = 3_000;
    timer.touch();
    expect(timer.deadline).toBe(7_000);
    timer.disarm();
    expect(timer.deadline).toBeNull();
  });
});

describe('a scanned code where no field shows', () => {
  const LENGTH = { min: 6, max: 8 };
  const feed = (keys: string[]): Array<string | null> => {
    let digits = '';
    const codes: Array<string | null> = [];
    for (const key of keys) {
      const action = keyToAction({ key });
      if (!action) continue;
      const fed = feedScan(digits, action, LENGTH);
      digits = fed.digits;
      if (action.type === 'ok') codes.push(fed.code);
    }
    return codes;
  };

  it('digits then Enter hand over the code; too short or too long is no code, and the buffer starts again', () => {
    expect(feed([...'123456', 'Enter'])).toEqual(['123456']);
    expect(feed([...'123', 'Enter', ...'87654321', 'Enter'])).toEqual([null, '87654321']);
    // Past the longest code the extra digits are not kept.
    expect(feed([...'1234567890', 'Enter'])).toEqual(['12345678']);
    expect(feed([...'1234567', 'Backspace', 'Enter'])).toEqual(['123456']);
    expect(feed([...'1234567', 'Escape', 'Enter'])).toEqual([null]);
  });

  it('handles every key action', () => {
    const actions: KeyAction[] = [{ type: 'digit', digit: '5' }, { type: 'back' }, { type: 'clear' }, { type: 'ok' }];
    expect(actions.map((a) => feedScan('12', a, LENGTH).digits)).toEqual(['125', '1', '', '']);
  });
});

describe('door states in service mode', () => {
  const c = { door: 'closed' as const, doorSince: 10_000 };

  it('live while the bus is up and the agent is there; unknown with the age of the last state otherwise', () => {
    expect(doorReading(c, 'connected', true, 70_000)).toEqual({ door: 'closed', stale: null });
    expect(doorReading(c, 'disconnected', true, 70_000)).toEqual({ door: 'unknown', stale: { lastSeen: 'closed', ageMs: 60_000 } });
    expect(doorReading(c, 'connected', false, 70_000)).toEqual({ door: 'unknown', stale: { lastSeen: 'closed', ageMs: 60_000 } });
    expect(doorReading({ door: 'open', doorSince: 90_000 }, 'disconnected', true, 70_000).stale?.ageMs).toBe(0);
  });

  it('says the age in the catalogue words of both languages', () => {
    expect(ageText(59_000, MESSAGES.en)).toBe('59 s');
    expect(ageText(3 * 60_000, MESSAGES.en)).toBe('3 min');
    expect(ageText(2 * 3_600_000, MESSAGES.zh)).toBe('2 小时');
  });
});

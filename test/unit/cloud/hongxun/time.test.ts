import { afterEach, describe, expect, it } from 'vitest';
import { HONGXUN_DEFAULT_TIME_ZONE, formatHongxunTime, parseHongxunTime } from '../../../../src/cloud/hongxun/schemas.js';

const utc = (iso: string): number => Date.parse(iso);

describe('formatHongxunTime (§2 yyyy-MM-dd HH:mm:ss)', () => {
  it('reproduces the doc example as UTC+8 wall time', () => {
    expect(formatHongxunTime(utc('2011-06-16T05:23:30Z'), 0)).toBe('2011-06-16 13:23:30');
    expect(HONGXUN_DEFAULT_TIME_ZONE).toEqual({ label: 'Asia/Shanghai', utcOffsetMinutes: 480 });
  });

  it('is UTC+8 in winter and summer alike (no DST)', () => {
    expect(formatHongxunTime(utc('2024-01-15T00:00:00Z'), 0)).toBe('2024-01-15 08:00:00');
    expect(formatHongxunTime(utc('2024-07-15T00:00:00Z'), 0)).toBe('2024-07-15 08:00:00');
    // Around the EU and US DST switches of 2024.
    expect(formatHongxunTime(utc('2024-03-31T01:30:00Z'), 0)).toBe('2024-03-31 09:30:00');
    expect(formatHongxunTime(utc('2024-11-03T06:30:00Z'), 0)).toBe('2024-11-03 14:30:00');
  });

  it('rolls the date over at 16:00 UTC, including a leap day and a new year', () => {
    expect(formatHongxunTime(utc('2024-02-28T16:00:00Z'), 0)).toBe('2024-02-29 00:00:00');
    expect(formatHongxunTime(utc('2024-12-31T15:59:59Z'), 0)).toBe('2024-12-31 23:59:59');
    expect(formatHongxunTime(utc('2024-12-31T16:00:00Z'), 0)).toBe('2025-01-01 00:00:00');
  });

  it('applies the measured clock offset (server minus local)', () => {
    const local = utc('2024-03-01T10:00:00Z');
    expect(formatHongxunTime(local, 90_000)).toBe('2024-03-01 18:01:30'); // server ahead
    expect(formatHongxunTime(local, -3_600_000)).toBe('2024-03-01 17:00:00'); // server behind
    expect(formatHongxunTime(local, -10 * 3_600_000)).toBe('2024-03-01 08:00:00');
    expect(formatHongxunTime(local, -18 * 3_600_000 - 1)).toBe('2024-02-29 23:59:59'); // back across midnight into the leap day
  });

  it('truncates milliseconds', () => {
    expect(formatHongxunTime(utc('2024-03-01T10:00:00.999Z'), 0)).toBe('2024-03-01 18:00:00');
    expect(formatHongxunTime(utc('2024-03-01T10:00:00.600Z'), 500)).toBe('2024-03-01 18:00:01');
  });

  it('takes another fixed zone when configured', () => {
    expect(formatHongxunTime(utc('2024-03-01T10:00:00Z'), 0, { label: 'UTC', utcOffsetMinutes: 0 })).toBe('2024-03-01 10:00:00');
  });

  describe('ignores the host time zone', () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it('in America/New_York', () => {
      process.env.TZ = 'America/New_York';
      expect(formatHongxunTime(utc('2024-07-15T00:00:00Z'), 0)).toBe('2024-07-15 08:00:00');
    });
  });

  it('throws for an instant it cannot format', () => {
    expect(() => formatHongxunTime(Number.NaN, 0)).toThrow(RangeError);
  });
});

describe('parseHongxunTime', () => {
  it('inverts formatHongxunTime', () => {
    const t = utc('2024-02-29T23:59:59Z');
    expect(parseHongxunTime(formatHongxunTime(t, 0))).toBe(t);
    expect(parseHongxunTime('2011-06-16 13:23:30')).toBe(utc('2011-06-16T05:23:30Z'));
  });

  it('refuses other formats and impossible dates', () => {
    expect(parseHongxunTime('2011-06-16T13:23:30')).toBeNull();
    expect(parseHongxunTime('2011-6-16 13:23:30')).toBeNull();
    expect(parseHongxunTime('2023-02-29 00:00:00')).toBeNull();
    expect(parseHongxunTime('2024-01-01 24:00:00')).toBeNull();
  });
});

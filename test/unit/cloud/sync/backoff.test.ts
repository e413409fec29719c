import { describe, expect, it } from 'vitest';
import { DEFAULT_CAP_MS, nextRetryDelayMs, parseRetryAfter, retryDelayMs } from '../../../../src/cloud/sync/backoff.js';

const justUnder1 = () => 0.999999;

describe('retryDelayMs', () => {
  it('is full jitter: uniform in [0, base·2^attempts)', () => {
    expect(retryDelayMs(0, {}, () => 0)).toBe(0);
    expect(retryDelayMs(0, {}, () => 0.5)).toBe(500);
    expect(retryDelayMs(3, {}, () => 0.5)).toBe(4000);
    expect(retryDelayMs(3, {}, justUnder1)).toBe(7999);
    expect(retryDelayMs(2, { baseMs: 5 }, () => 0.25)).toBe(5);
  });

  it('never exceeds the cap, 15 minutes by default, however many attempts', () => {
    expect(DEFAULT_CAP_MS).toBe(900_000);
    expect(retryDelayMs(30, {}, justUnder1)).toBe(899_999);
    expect(retryDelayMs(5000, {}, justUnder1)).toBe(899_999); // 2^5000 is Infinity: still the cap
    expect(retryDelayMs(10, { baseMs: 5, capMs: 50 }, justUnder1)).toBe(49);
  });

  it('stays in range with the real random source', () => {
    for (let attempts = 0; attempts < 40; attempts += 1) {
      const d = retryDelayMs(attempts);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(DEFAULT_CAP_MS, 1000 * 2 ** attempts));
    }
  });

  it('treats a negative attempt count as the first retry', () => {
    expect(retryDelayMs(-3, {}, () => 0.5)).toBe(500);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date, in the past as 0', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const bad of [null, undefined, '', 'soon', '-5', '1.5', '12abc', 'Wed, 99 Foo 2025']) {
      expect(parseRetryAfter(bad, now)).toBeUndefined();
    }
  });
});

describe('nextRetryDelayMs', () => {
  it('waits at least what the server asked', () => {
    expect(nextRetryDelayMs(0, 30_000, {}, () => 0.5)).toBe(30_000);
  });

  it('keeps its own jitter when that is later', () => {
    expect(nextRetryDelayMs(8, 2000, {}, () => 0.5)).toBe(128_000);
  });

  it('caps a Retry-After too', () => {
    expect(nextRetryDelayMs(0, 86_400_000, {}, () => 0)).toBe(DEFAULT_CAP_MS);
    expect(nextRetryDelayMs(0, 1000, { baseMs: 5, capMs: 50 }, () => 0)).toBe(50);
  });

  it('is the plain jittered delay without a Retry-After', () => {
    expect(nextRetryDelayMs(1, undefined, { baseMs: 100 }, () => 0.5)).toBe(100);
  });
});

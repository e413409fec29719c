import { describe, expect, it } from 'vitest';
import { DEFAULT_UTC_OFFSET_MINUTES, formatDsDateTime, parseDsDateTime } from '../../../../src/cloud/dingshang/schemas.js';
import { unixSeconds } from '../../../../src/cloud/dingshang/signer.js';

describe('dingshang time values', () => {
  it('timestamp is whole Unix seconds as text (§1)', () => {
    expect(unixSeconds(1714185061999)).toBe('1714185061');
    expect(() => unixSeconds(Number.NaN)).toThrow(RangeError);
  });

  it('wall-clock dates default to GMT+8 (§6.1) and round-trip', () => {
    expect(DEFAULT_UTC_OFFSET_MINUTES).toBe(480);
    const at = Date.UTC(2024, 11, 31, 15, 59, 59);
    expect(formatDsDateTime(at)).toBe('2024-12-31 23:59:59');
    expect(parseDsDateTime('2024-12-31 23:59:59')).toBe(at);
    expect(formatDsDateTime(at, 0)).toBe('2024-12-31 15:59:59');
  });

  it('refuses impossible or malformed dates', () => {
    for (const bad of ['2024-02-30 00:00:00', '2024-12-31 24:00:00', '2024-12-31T23:59:59', '', '2024-1-1 00:00:00']) {
      expect(parseDsDateTime(bad), bad).toBeNull();
    }
  });
});

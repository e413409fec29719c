import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../../../src/main/cloud/fleet-settings.js';

describe('runtime settings', () => {
  const booted = { 'fleet.heartbeatMs': 60000, 'fleet.stateDebounceMs': 1000, 'fleet.alarmRepeatMs': 30000 };

  it('applies a whole document over the booted values, all or nothing', () => {
    expect(resolveSettings(booted, { 'fleet.heartbeatMs': 5000 })).toEqual({ ok: true, settings: { ...booted, 'fleet.heartbeatMs': 5000 } });
    expect(resolveSettings(booted, {})).toEqual({ ok: true, settings: booted });
    expect(resolveSettings(booted, { 'fleet.heartbeatMs': 5000, 'fleet.alarmRepeatMs': 5 })).toMatchObject({ ok: false, key: 'fleet.alarmRepeatMs' });
    expect(resolveSettings(booted, { database: '/x' })).toMatchObject({ ok: false, key: 'database' });
    expect(resolveSettings(booted, { 'fleet.heartbeatMs': '5000' })).toMatchObject({ ok: false, key: 'fleet.heartbeatMs' });
  });
});

/**
 * The runtime-changeable settings of the fleet's desired/reported
 * configuration (docs/fleet.md §6). Only settings
 * that take effect without a restart and cannot strand the cabinet are here:
 * the fleet link's own timings. Everything else (boards, database, vendor
 * credentials, the broker URL itself) needs a new configuration file and a
 * restart; a desired document naming one is rejected whole.
 */
import type { SettingValue } from '../../cloud/index.js';

export interface RuntimeSetting {
  /** Checks and normalises a value; returns an error message, or the value. */
  parse(value: SettingValue): { ok: true; value: number } | { ok: false; message: string };
}

const durationSetting = (min: number, max: number): RuntimeSetting => ({
  parse: (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, message: `an integer of ms from ${min} to ${max}` },
});

/** Key → rule. The keys are the configuration's own paths under `cloud.fleet`. */
export const RUNTIME_SETTINGS = {
  'fleet.heartbeatMs': durationSetting(1000, 3_600_000),
  'fleet.stateDebounceMs': durationSetting(0, 60_000),
  'fleet.alarmRepeatMs': durationSetting(1000, 3_600_000),
} as const satisfies Record<string, RuntimeSetting>;

export type RuntimeSettingKey = keyof typeof RUNTIME_SETTINGS;
export type RuntimeSettings = Record<RuntimeSettingKey, number>;

export function isRuntimeSettingKey(key: string): key is RuntimeSettingKey {
  return Object.hasOwn(RUNTIME_SETTINGS, key);
}

export type SettingsVerdict = { ok: true; settings: RuntimeSettings } | { ok: false; key: string; message: string };

/**
 * The settings in force if `desired` (a whole document: keys it leaves out go
 * back to the booted value) were applied. Pure; all or nothing.
 */
export function resolveSettings(booted: RuntimeSettings, desired: Record<string, SettingValue>): SettingsVerdict {
  const next: RuntimeSettings = { ...booted };
  for (const [key, value] of Object.entries(desired)) {
    if (!isRuntimeSettingKey(key)) return { ok: false, key, message: `not a runtime setting (one of ${Object.keys(RUNTIME_SETTINGS).join(', ')})` };
    const parsed = RUNTIME_SETTINGS[key].parse(value);
    if (!parsed.ok) return { ok: false, key, message: parsed.message };
    next[key] = parsed.value;
  }
  return { ok: true, settings: next };
}

import { fail, info, pass, warn, type CheckResult } from '../check.js';

export type NtpFacts = { available: true; synchronized: boolean; ntp: boolean } | { available: false; reason: string };

export interface SkewFacts {
  name: string;
  url: string;
  /** Server's `Date` minus our midpoint, ms; null when no Date came back. */
  skewMs: number | null;
  error?: string;
}

/**
 * Signed commands from the operator are refused outside ±5 min
 * (README "cloud.channel"), and Standard Webhooks receivers default to the
 * same tolerance: past it the clock breaks the cabinet; past 30 s it is
 * drifting (a `Date` header has one-second resolution).
 */
export const SKEW_FAIL_MS = 5 * 60_000;
export const SKEW_WARN_MS = 30_000;

export function clockChecks(ntp: NtpFacts, skews: readonly SkewFacts[]): CheckResult[] {
  const out: CheckResult[] = [];
  if (!ntp.available) out.push(info('clock.ntp', `NTP state unknown: ${ntp.reason}`));
  else if (ntp.synchronized) out.push(pass('clock.ntp', 'the system clock is NTP-synchronised (timedatectl)'));
  else if (!ntp.ntp) out.push(warn('clock.ntp', 'NTP is off (timedatectl: NTP=no)', 'turn it on: `timedatectl set-ntp true`'));
  else out.push(warn('clock.ntp', 'NTP is on but the clock is not synchronised yet (timedatectl)', 'check that the NTP servers are reachable (`timedatectl timesync-status`)'));
  for (const s of skews) {
    const id = `clock.skew.${s.name}`;
    if (s.skewMs === null) {
      out.push(info(id, `no clock reading from ${s.url}${s.error ? ` (${s.error})` : ' (no Date header)'}`));
      continue;
    }
    const abs = Math.abs(s.skewMs);
    const text = `our clock is ${(abs / 1000).toFixed(1)} s ${s.skewMs > 0 ? 'behind' : 'ahead of'} ${s.url}`;
    if (abs > SKEW_FAIL_MS) out.push(fail(id, text, 'set the clock (`timedatectl set-ntp true`, or `date -s` once) and keep NTP on'));
    else if (abs > SKEW_WARN_MS) out.push(warn(id, text, 'turn NTP on (`timedatectl set-ntp true`) so the clock stays right'));
    else out.push(pass(id, text));
  }
  return out;
}

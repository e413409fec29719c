import type { ContractError } from '../../shared/contract.js';

/** Whole seconds until `untilMs`, rounded up (a lock-out of 1 ms still shows "1"); never negative. */
export function secondsLeft(untilMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((untilMs - nowMs) / 1_000));
}

/** When a `locked-out` error ends, from its `meta.retryAfterMs`; null for any other error or a missing hint. */
export function lockedUntilFrom(error: ContractError, nowMs: number): number | null {
  if (error.code !== 'locked-out') return null;
  const ms = error.meta?.['retryAfterMs'];
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return null;
  return nowMs + ms;
}

/**
 * Retry timing for outbox deliveries. Pure: the caller passes the time and,
 * for tests, the random source.
 */

export interface BackoffOptions {
  /** Delay ceiling of the first retry before jitter. Default 1000 ms. */
  baseMs?: number;
  /** No retry waits longer than this, Retry-After included. Default 15 min (the cap). */
  capMs?: number;
}

export const DEFAULT_BASE_MS = 1000;
export const DEFAULT_CAP_MS = 15 * 60_000;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): uniform in [0, min(cap, base · 2^attempts)). Full
 * jitter rather than a fixed ladder so a fleet of cabinets that lost the same
 * cloud at the same moment does not come back in lock-step.
 */
export function retryDelayMs(attempts: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs = DEFAULT_BASE_MS, capMs = DEFAULT_CAP_MS } = options;
  // 2 ** 1100 is Infinity, which min() turns into the cap: no overflow guard needed.
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts));
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` header (RFC 9110 §10.2.3) as a delay from `now`: either
 * delay-seconds (digits only) or an HTTP-date. A date in the past is 0.
 * Anything else (negative, fractional, garbage) is undefined: we then fall
 * back to our own backoff instead of guessing.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date always names a weekday and a GMT zone; requiring a letter
  // keeps Date.parse from reading bare numbers like "1.5" or "-3" as dates.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before the next attempt: our jittered delay, but never
 * sooner than the server's Retry-After. The server's wish wins because it
 * knows when it will take us again (a rate-limit window, a deploy): coming
 * back earlier only earns another 429/503 and burns an attempt. When our
 * jitter is later we keep it, so cabinets told the same date do not all
 * return on the same second. Both are capped: a server asking for a day does
 * not park a pickup event for a day; we ask again after the cap.
 */
export function nextRetryDelayMs(
  attempts: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const capMs = options.capMs ?? DEFAULT_CAP_MS;
  return Math.min(capMs, Math.max(retryDelayMs(attempts, options, random), retryAfterMs ?? 0));
}

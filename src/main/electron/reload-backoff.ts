/** The first reload after a renderer crash waits this long; each crash in a row doubles it. */
export const FIRST_RELOAD_DELAY_MS = 1_000;
export const MAX_RELOAD_DELAY_MS = 60_000;
/** Crashes further apart than this count as unrelated: the delay starts again at the first step. */
export const CRASH_MEMORY_MS = 5 * 60_000;

/**
 * How long to wait before reloading a renderer that just crashed, given the
 * times of earlier crashes: 1 s, 2 s, 4 s … capped at a minute, so a page that
 * crashes on load never spins the CPU of the cabinet PC. Returns the crash
 * times to remember (this one included).
 */
export function nextReloadDelay(earlierCrashes: readonly number[], now: number): { delayMs: number; crashes: number[] } {
  const crashes = [...earlierCrashes.filter((t) => now - t < CRASH_MEMORY_MS), now];
  const delayMs = Math.min(FIRST_RELOAD_DELAY_MS * 2 ** (crashes.length - 1), MAX_RELOAD_DELAY_MS);
  return { delayMs, crashes };
}

/**
 * Leading-edge throttle: runs `fn` at once, then drops calls until
 * `intervalMs` has passed. `keypad.activity` goes through one of these so a
 * scanner typing 8 digits in 30 ms sends one hint, not eight.
 */
export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): () => boolean {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const t = now();
    if (t - last < intervalMs) return false;
    last = t;
    fn();
    return true;
  };
}

/** `keypad.activity` goes out at most this often. */
export const KEYPAD_ACTIVITY_INTERVAL_MS = 1_000;

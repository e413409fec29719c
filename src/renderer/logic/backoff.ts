export interface BackoffOptions {
  /** First wait, in ms. Default 500. */
  initialMs: number;
  /** Cap, in ms. Default 5 000. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 5_000 };

/** Exponential wait before reconnect attempt `attempt` (0-based): 500, 1000, 2000, 4000, 5000, 5000 … */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.min(attempt, 30);
  return Math.min(opts.maxMs, opts.initialMs * 2 ** exp);
}

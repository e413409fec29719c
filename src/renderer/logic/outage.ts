import type { ConnectionState } from '../api/kiosk-api.js';

/**
 * When the screen says "temporarily out of service". A blip (a reconnect
 * within `afterMs`) shows only the small "Reconnecting…"; past it the whole
 * screen is covered and input is ignored, until the agent answers again.
 * `lostAt` is when the link was last seen leaving `open` (null while open).
 */
export type OutageView = 'none' | 'pending' | 'out';

export function outageView(state: ConnectionState, lostAt: number | null, now: number, afterMs: number): OutageView {
  if (state === 'open' || lostAt === null) return 'none';
  return now - lostAt >= afterMs ? 'out' : 'pending';
}

/** The next `lostAt` for a state change: set when the link leaves `open`, kept while it stays away, cleared when it is back. */
export function nextLostAt(state: ConnectionState, lostAt: number | null, now: number): number | null {
  if (state === 'open') return null;
  return lostAt ?? now;
}

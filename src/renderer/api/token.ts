import { LAUNCH_TICKET_PARAM } from '../../shared/contract.js';

/** The slices of `location` and `history` the ticket reader touches (DOM-free for tests). */
export interface LocationLike {
  readonly hash: string;
  readonly pathname: string;
  readonly search: string;
}
export interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string): void;
}

/**
 * Browser mode opens the page as `#ticket=…`, a one-time ticket. Read it once,
 * then drop it from the address bar so a screenshot, a bookmark or a reload
 * never shows or reuses it; the page keeps the session token it is swapped
 * for instead (session-store.ts).
 */
export function takeLaunchTicket(location: LocationLike, history: HistoryLike): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (hash === '') return null;
  const ticket = new URLSearchParams(hash).get(LAUNCH_TICKET_PARAM);
  if (ticket === null) return null;
  history.replaceState(null, '', location.pathname + location.search);
  return ticket === '' ? null : ticket;
}

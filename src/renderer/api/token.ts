/** The slices of `location` and `history` the token reader touches (DOM-free for tests). */
export interface LocationLike {
  readonly hash: string;
  readonly pathname: string;
  readonly search: string;
}
export interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string): void;
}

/**
 * Browser mode passes the per-launch token as `#token=…`. Read it once, then
 * drop it from the address bar so a screenshot or a bookmark never shows it;
 * the caller keeps it in memory only.
 */
export function takeLaunchToken(location: LocationLike, history: HistoryLike): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (hash === '') return null;
  const token = new URLSearchParams(hash).get('token');
  if (token === null) return null;
  history.replaceState(null, '', location.pathname + location.search);
  return token === '' ? null : token;
}

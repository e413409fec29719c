/**
 * Wall-clock date text `yyyy-MM-dd HH:mm:ss` at a fixed UTC offset, the form
 * Dingshang (docs/vendors/dingshang.md §4.2, §6.1, §6.3) and Hongxun
 * (docs/vendors/hongxun.md §2) both use for their dates and timestamps. Pure:
 * the caller passes the instant; nothing here reads the clock or the OS zone.
 *
 * The zone is a fixed offset in minutes east of UTC, not an IANA name: China
 * has had no DST since 1991, and a fixed offset cannot pick one up from the
 * host's tz database (the kiosk's own OS zone never leaks in).
 */

export const WALL_CLOCK_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * An epoch-ms instant as wall-clock text at `utcOffsetMinutes`; milliseconds
 * truncated. Throws RangeError for a non-finite instant or one outside years
 * 0000–9999.
 */
export function formatWallClock(epochMs: number, utcOffsetMinutes: number): string {
  const shifted = Math.floor(epochMs) + utcOffsetMinutes * 60_000;
  const d = new Date(shifted);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(shifted) || Number.isNaN(d.getTime()) || year < 0 || year > 9999) throw new RangeError(`not an instant that has a wall-clock date: ${epochMs}`);
  return `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Wall-clock text at `utcOffsetMinutes` back to epoch ms; null when it is not
 * that format or not a real date (`2024-02-30`). Empty text is the caller's
 * business (Dingshang's "never" for `expired_at`, §6.3).
 */
export function parseWallClock(text: string, utcOffsetMinutes: number): number | null {
  const m = WALL_CLOCK_PATTERN.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(utc);
  // Date.UTC rolls 2024-02-30 over to March; a rollover means the text was not a date.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return utc - utcOffsetMinutes * 60_000;
}

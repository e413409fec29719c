/**
 * Hongxun wall-clock text `yyyy-MM-dd HH:mm:ss` (docs/vendors/hongxun.md §2, example
 * `2011-06-16 13:23:30`). Pure: the caller passes the instant and the measured
 * clock offset; nothing here reads the clock or the OS time zone.
 *
 * The zone is a fixed UTC offset, not an IANA name: China has had no DST
 * since 1991, a fixed offset cannot pick one up from the host's tz database,
 * and the kiosk's own OS zone never leaks in (§8: "regardless of the kiosk OS zone").
 */

export interface HongxunTimeZone {
  /** For logs and README only. */
  readonly label: string;
  /** Minutes east of UTC; constant, so DST-free by construction. */
  readonly utcOffsetMinutes: number;
}

/** Default zone. The doc does not state one (§2, inference: China time). */
// UNVERIFIED: docs/vendors/hongxun.md §2 (timestamp time zone not stated; UTC+8 assumed)
export const HONGXUN_DEFAULT_TIME_ZONE: HongxunTimeZone = Object.freeze({ label: 'Asia/Shanghai', utcOffsetMinutes: 480 });

export const HONGXUN_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats `epochMs + offsetMs` as `yyyy-MM-dd HH:mm:ss` in `tz`.
 * `offsetMs` is the measured server clock minus the local clock (positive
 * when Hongxun's clock is ahead), so the text is what Hongxun's clock read at
 * that instant; the server accepts 10 minutes of error (§2). Milliseconds are
 * truncated. Throws RangeError outside years 0000–9999 or for a non-finite input.
 */
export function formatHongxunTime(epochMs: number, offsetMs: number, tz: HongxunTimeZone = HONGXUN_DEFAULT_TIME_ZONE): string {
  const shifted = Math.floor(epochMs + offsetMs) + tz.utcOffsetMinutes * 60_000;
  const d = new Date(shifted);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(shifted) || Number.isNaN(d.getTime()) || year < 0 || year > 9999) {
    throw new RangeError(`cannot format ${epochMs} + ${offsetMs} ms as a Hongxun time`);
  }
  return `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Reads `yyyy-MM-dd HH:mm:ss` in `tz` back to epoch ms (on the sender's
 * clock). Null for text that is not that format or not a real date.
 */
export function parseHongxunTime(text: string, tz: HongxunTimeZone = HONGXUN_DEFAULT_TIME_ZONE): number | null {
  const m = HONGXUN_TIME_PATTERN.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(utc);
  // Date.UTC rolls 2024-02-30 over to March; a rollover means the text was not a date.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return utc - tz.utcOffsetMinutes * 60_000;
}

/**
 * Dingshang time values: `timestamp` is Unix seconds as a string (§1);
 * dates are `YYYY-MM-DD HH:mm:ss` wall-clock text (§4.2, §6.1, §6.3).
 * Pure: callers pass the instant in.
 */

// UNVERIFIED: docs/vendors/dingshang.md §6.1/§6.3 (time zone): §6.1 says `expired_at` is GMT+8; the zone of
// `created_at` and the other dates is not stated and is assumed to be the same.
/** Minutes east of UTC of the vendor's wall-clock dates. Default 480 (GMT+8, §6.1). */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

/** §1 `timestamp`: whole Unix seconds of an epoch-ms instant, as a string. */
export function unixSeconds(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs < 0) throw new RangeError(`not an instant: ${epochMs}`);
  return String(Math.floor(epochMs / 1000));
}

const two = (n: number): string => String(n).padStart(2, '0');

/** An epoch-ms instant as vendor wall-clock text (`YYYY-MM-DD HH:mm:ss`); seconds truncated. */
export function formatDsDateTime(epochMs: number, offsetMinutes: number = DEFAULT_UTC_OFFSET_MINUTES): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`not an instant: ${epochMs}`);
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + offsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Vendor wall-clock text to epoch ms, or null when it is not a real
 * `YYYY-MM-DD HH:mm:ss` date (e.g. `2024-02-30`). Empty text is the caller's
 * business (it means "never" for `expired_at`, §6.3).
 */
export function parseDsDateTime(text: string, offsetMinutes: number = DEFAULT_UTC_OFFSET_MINUTES): number | null {
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return wall - offsetMinutes * 60_000;
}

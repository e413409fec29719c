/**
 * Yopoint MD5 signature, docs/vendors/yopoint.md §2.1 (requests) and §2.2 (webhooks).
 * Pure: no clock, no I/O. Used in both directions; what differs between them
 * is only which parameters are passed in (webhooks carry no `version`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { YopointTimestampUnit } from './config.js';

/** The only `sign_type` the docs define, lower case (§1.1). */
export const YOPOINT_SIGN_TYPE = 'md5';

export interface YopointSignOptions {
  /** See `YopointOptions.emptyValues`; default `include`. */
  emptyValues?: 'include' | 'omit';
}

/**
 * §2.1 steps 1–3: every parameter except `sign`, sorted by key in plain
 * (code-unit) order, joined as `key=value` with `&`, values raw (biz_content
 * is the literal JSON text, not URL-encoded). Keys are ASCII, so code-unit
 * order is the ASCII order the doc asks for.
 */
export function yopointSignBase(params: Readonly<Record<string, string>>, options: YopointSignOptions = {}): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign')
    // UNVERIFIED: docs/vendors/yopoint.md §2.1 / §10.4 (empty values: included by default, as "every parameter")
    .filter((k) => options.emptyValues !== 'omit' || params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/**
 * §2.1 step 4: `lower(md5(tmp + "&" + appSecret))`; the secret is a bare value
 * with no `key=` prefix. UTF-8 is assumed (§2.1 "not stated", inference).
 */
export function yopointSign(params: Readonly<Record<string, string>>, secret: string, options: YopointSignOptions = {}): string {
  return createHash('md5').update(`${yopointSignBase(params, options)}&${secret}`, 'utf8').digest('hex');
}

/**
 * Constant-time, case-insensitive comparison of a received sign against the
 * expected one (§9: the docs do not say whether the server is case-sensitive,
 * so we accept either case from Yopoint).
 */
export function yopointSignMatches(received: string, expected: string): boolean {
  const a = Buffer.from(received.toLowerCase(), 'utf8');
  const b = Buffer.from(expected.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The envelope `timestamp` for a given instant (§1.1, §2.4). The caller
 * passes the instant; this never reads the clock.
 */
export function yopointTimestamp(epochMs: number, unit: YopointTimestampUnit): string {
  // UNVERIFIED: docs/vendors/yopoint.md §2.4 (table says seconds, sign example and unofficial client use ms)
  return String(unit === 's' ? Math.floor(epochMs / 1000) : Math.floor(epochMs));
}

/** Inverse of `yopointTimestamp`: the instant in ms, or null when the text is not a decimal integer. */
export function yopointTimestampToMs(timestamp: string, unit: YopointTimestampUnit): number | null {
  if (!/^\d{1,16}$/.test(timestamp)) return null;
  const n = Number(timestamp);
  return unit === 's' ? n * 1000 : n;
}

/**
 * Hongxun Appendix 1 signature (docs/vendors/hongxun.md §3):
 *   sign = MD5(createBy + "&" + dataSource + "&" + JSON(request) + "&" + SK + "&" + timestamp)
 * where JSON(request) has the keys at every nesting level sorted ascending.
 * Pure: no clock, no I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';

export interface HongxunJsonOptions {
  /** See `HongxunOptions.jsonNulls`; default `keep`. */
  nulls?: 'keep' | 'omit';
}

/**
 * Deterministic JSON: object keys sorted by UTF-16 code unit at every level
 * (the order of Java's String.compareTo, hence of a sorted fastjson map),
 * array order kept (§3, inference: only keys are sorted), no whitespace.
 * Members whose value is `undefined` are left out, as JSON.stringify does.
 * The shared writer (common/canonical-json.ts) with JSON.stringify's leniency.
 * Throws CanonicalJsonError (a TypeError) for values JSON cannot represent
 * (non-finite numbers, bigint, functions, symbols, non-plain objects, cycles).
 */
// UNVERIFIED: docs/vendors/hongxun.md §3 / §9.2 (SerializableUtil.marshal: compactness, numbers, non-ASCII unknown)
export function hongxunJson(value: unknown, options: HongxunJsonOptions = {}): string {
  return canonicalJson(value, { undefined: 'omit', nulls: options.nulls ?? 'keep', loneSurrogates: 'escape' });
}

export interface HongxunSignInput {
  createBy: string;
  dataSource: string;
  /** The envelope's `request` value (object or array, §2). */
  request: unknown;
  /** `yyyy-MM-dd HH:mm:ss`, the same text that goes into the envelope. */
  timestamp: string;
}

export interface HongxunSignOptions extends HongxunJsonOptions {
  /** See `HongxunOptions.signHexCase`; default `lower`. */
  hexCase?: 'lower' | 'upper';
}

/** The string that is hashed. It contains the secret: never log it. */
export function hongxunSignBase(input: HongxunSignInput, sk: string, options: HongxunSignOptions = {}): string {
  return [input.createBy, input.dataSource, hongxunJson(input.request, options), sk, input.timestamp].join('&');
}

/** §3: MD5 over the UTF-8 bytes (charset not stated, §9.2, inference) as hex. */
export function hongxunSign(input: HongxunSignInput, sk: string, options: HongxunSignOptions = {}): string {
  const hex = createHash('md5').update(hongxunSignBase(input, sk, options), 'utf8').digest('hex');
  // UNVERIFIED: docs/vendors/hongxun.md §3 (hex case)
  return options.hexCase === 'upper' ? hex.toUpperCase() : hex;
}

/** Constant-time comparison, case-insensitive because the case is not documented (§9.2). */
export function hongxunSignMatches(received: string, expected: string): boolean {
  const a = Buffer.from(received.toLowerCase(), 'utf8');
  const b = Buffer.from(expected.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Hongxun Appendix 1 signature (docs/vendors/hongxun.md §3):
 *   sign = MD5(createBy + "&" + dataSource + "&" + JSON(request) + "&" + SK + "&" + timestamp)
 * where JSON(request) has the keys at every nesting level sorted ascending.
 * Pure: no clock, no I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../common/canonical-json.js';
import type { HongxunOptions } from './config.js';
import { formatHongxunTime, type HongxunEnvelope, hongxunEnvelopeSchema, type HongxunResponse, hongxunResponseSchema, parseHongxunTime } from './schemas.js';

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

/**
 * The common envelope (docs/vendors/hongxun.md §2) in both directions, and the response
 * envelope (§4). Pure: the instant and the measured clock offset are
 * parameters; the HTTP POST is the caller's.
 */
/**
 * `nowMs`: the local clock now. `clockOffsetMs`: Hongxun's clock minus ours,
 * as measured by the caller (e.g. from an HTTP Date header); 0 when unknown.
 */
export interface HongxunClock {
  nowMs: number;
  clockOffsetMs: number;
}

export type HongxunEnvelopeOptions = Pick<HongxunOptions, 'createBy' | 'dataSource' | 'sk' | 'signHexCase' | 'jsonNulls' | 'timeZone'>;

export interface BuiltHongxunEnvelope<R> {
  envelope: HongxunEnvelope<R>;
  /**
   * The JSON body to POST. Serialised with the same canonical writer as the
   * sign, so the `request` text sent is byte-identical to the text signed.
   */
  body: string;
}

/**
 * Wraps `request` in the §2 envelope, signed per §3. Build it at send time,
 * not at enqueue: the sign is valid for 10 minutes (§3), so a retry needs a
 * fresh timestamp.
 */
export function buildHongxunEnvelope<R>(request: R, options: HongxunEnvelopeOptions, clock: HongxunClock): BuiltHongxunEnvelope<R> {
  const timestamp = formatHongxunTime(clock.nowMs, clock.clockOffsetMs, options.timeZone);
  const json = { nulls: options.jsonNulls };
  const sign = hongxunSign({ createBy: options.createBy, dataSource: options.dataSource, request, timestamp }, options.sk, { ...json, hexCase: options.signHexCase });
  const envelope: HongxunEnvelope<R> = { createBy: options.createBy, dataSource: options.dataSource, sign, timestamp, request };
  return { envelope, body: hongxunJson(envelope, json) };
}

export type HongxunVerdict =
  | { ok: true; envelope: HongxunEnvelope<Record<string, unknown> | unknown[]> }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'stale'; detail: string };

/**
 * Verifies an envelope someone sent us (a Hongxun push, or the agent's own
 * push as seen by a mock server). That Hongxun signs its pushes like this,
 * with the same SK, is inference (§3, §9.2). Freshness uses the documented
 * 10-minute tolerance (`maxSkewMs`) against our clock corrected by the offset.
 */
// UNVERIFIED: docs/vendors/hongxun.md §3 (whether pushes to us are signed the same way)
export function verifyHongxunEnvelope(
  body: unknown,
  options: HongxunEnvelopeOptions & Pick<HongxunOptions, 'maxSkewMs'>,
  clock: HongxunClock,
): HongxunVerdict {
  // §2: `request` is an object or, for some interfaces, an array; never absent.
  const parsed = hongxunEnvelopeSchema(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())])).safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'malformed', detail: z.prettifyError(parsed.error) };
  const e = parsed.data;
  const expected = hongxunSign(e, options.sk, { nulls: options.jsonNulls, hexCase: options.signHexCase });
  if (!hongxunSignMatches(e.sign, expected)) return { ok: false, reason: 'bad-signature', detail: `createBy ${e.createBy}` };
  const sentMs = parseHongxunTime(e.timestamp, options.timeZone);
  if (sentMs === null) return { ok: false, reason: 'malformed', detail: `timestamp ${JSON.stringify(e.timestamp)}` };
  const skew = Math.abs(clock.nowMs + clock.clockOffsetMs - sentMs);
  if (skew > options.maxSkewMs) return { ok: false, reason: 'stale', detail: `skew ${skew} ms > ${options.maxSkewMs} ms` };
  return { ok: true, envelope: e };
}

export type HongxunResult =
  | { ok: true; response: HongxunResponse }
  /** A well-formed response with `flag: false` (§4). */
  | { ok: false; kind: 'rejected'; code: number; message: string; response: HongxunResponse }
  | { ok: false; kind: 'malformed'; problem: string; raw: unknown };

/** Reads a response body (already JSON-decoded): `flag === true` is success (§4). */
// UNVERIFIED: docs/vendors/hongxun.md §4 / §9.1 (envelope seen on one page only; error codes unknown)
export function parseHongxunResponse(body: unknown): HongxunResult {
  const r = hongxunResponseSchema.safeParse(body);
  if (!r.success) return { ok: false, kind: 'malformed', problem: z.prettifyError(r.error), raw: body };
  return r.data.flag ? { ok: true, response: r.data } : { ok: false, kind: 'rejected', code: r.data.code, message: r.data.message, response: r.data };
}

/**
 * The common envelope (docs/vendors/hongxun.md §2) in both directions, and the response
 * envelope (§4). Pure: the instant and the measured clock offset are
 * parameters; the HTTP POST is the caller's.
 */
import { z } from 'zod';
import type { HongxunOptions } from './config.js';
import { formatHongxunTime, type HongxunEnvelope, type HongxunResponse, hongxunEnvelopeSchema, hongxunResponseSchema, parseHongxunTime } from './schemas.js';
import { hongxunJson, hongxunSign, hongxunSignMatches } from './signer.js';

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

/**
 * 签收信息推送 sign-for push (docs/vendors/hongxun.md §7.8) from our `parcel.picked-up`
 * event, wrapped in the §2 envelope and signed per §3.
 *
 * The event tells us *when* the parcel left the cabinet and nothing about the
 * Hongxun order it belongs to. The order fields §7.8 requires come from a
 * typed `HongxunSignForFacts` parameter (src/main looks them up); when one is
 * absent the builder refuses with the list of missing fields, and never
 * invents a value. The page gives no URL and no direction (§7.8, §9.3).
 */
import { z } from 'zod';
import type { OutboundEventOf } from '../common/outbound-event.js';
import type { HongxunOptions } from './config.js';
import { type BuiltHongxunEnvelope, type HongxunClock, buildHongxunEnvelope } from './signer.js';
import { formatHongxunTime, type HongxunSignForProduct, type HongxunSignForRequest, hongxunSignForRequestSchema } from './schemas.js';

/** What only the order owner knows: §7.8 fields our event does not carry. */
export interface HongxunSignForFacts {
  /** §7.8 `customerNumber` (R): the customer order number. */
  customerNumber: string;
  /** §7.8 `actualQuantity` (R): quantity signed. */
  actualQuantity: number;
  /** §7.8 `productList` (R): the order's product lines. */
  productList: HongxunSignForProduct[];
  /** §7.8 `signer` (R); falls back to `HongxunOptions.signer`. */
  signer?: string;
  /** §7.8 `expressCode` (O): Hongxun transport order number. */
  expressCode?: string;
  /** §7.8 `waybillNumber` (O): waybill / instruction number. */
  waybillNumber?: string;
  /** §7.8 `mailno` (O): carrier waybill number (§8: the join key). */
  mailno?: string;
  /** §7.8 `remark` (O). */
  remark?: string;
  /** §7.8 `ext8` (O): car business only. */
  ext8?: string;
}

/** The §7.8 required fields the builder cannot fill from the event. */
export const HONGXUN_SIGN_FOR_FACT_FIELDS = ['customerNumber', 'actualQuantity', 'productList', 'signer'] as const;
export type HongxunSignForMissingField = (typeof HONGXUN_SIGN_FOR_FACT_FIELDS)[number];

export type HongxunSignForOptions = Pick<HongxunOptions, 'createBy' | 'dataSource' | 'sk' | 'signHexCase' | 'jsonNulls' | 'timeZone' | 'signer'>;

export type HongxunSignForResult =
  | ({ ok: true } & BuiltHongxunEnvelope<HongxunSignForRequest>)
  /** A required §7.8 field has no source: ask the order owner, do not send. */
  | { ok: false; reason: 'missing-facts'; missing: HongxunSignForMissingField[] }
  /** The facts are present but do not fit §7.8 (e.g. a fractional quantity). */
  | { ok: false; reason: 'invalid-facts'; problem: string };

/**
 * Builds the push for one pickup. `clock.clockOffsetMs` corrects both the
 * envelope `timestamp` (now) and `signedTime` (the pickup): the best estimate
 * we have of our clock's error is the one measured now. Pure and total:
 * refusals are values, not exceptions.
 */
export function buildHongxunSignFor(
  event: OutboundEventOf<'parcel.picked-up'>,
  facts: Partial<HongxunSignForFacts> | undefined,
  options: HongxunSignForOptions,
  clock: HongxunClock,
): HongxunSignForResult {
  const f = facts ?? {};
  const signer = f.signer ?? options.signer;
  const missing: HongxunSignForMissingField[] = [];
  if (f.customerNumber === undefined || f.customerNumber === '') missing.push('customerNumber');
  if (f.actualQuantity === undefined) missing.push('actualQuantity');
  if (f.productList === undefined) missing.push('productList');
  if (signer === undefined || signer === '') missing.push('signer');
  if (missing.length > 0) return { ok: false, reason: 'missing-facts', missing };

  const candidate = {
    customerNumber: f.customerNumber,
    // §7.8: 10 normal sign-for. A completed cabinet pickup is a normal sign-for;
    // we have no event that would be an exception sign-for (20).
    signType: '10',
    expressCode: f.expressCode,
    waybillNumber: f.waybillNumber,
    mailno: f.mailno,
    actualQuantity: f.actualQuantity,
    signer,
    // UNVERIFIED: docs/vendors/hongxun.md §7.8 (signedTime format not stated; the §2 format is used)
    signedTime: formatHongxunTime(event.payload.pickedUpAt, clock.clockOffsetMs, options.timeZone),
    remark: f.remark,
    ext8: f.ext8,
    productList: f.productList,
  };
  // Absent optional fields are left out, not sent as undefined/null.
  const present = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
  const request = hongxunSignForRequestSchema.safeParse(present);
  if (!request.success) return { ok: false, reason: 'invalid-facts', problem: z.prettifyError(request.error) };
  return { ok: true, ...buildHongxunEnvelope(request.data, options, clock) };
}

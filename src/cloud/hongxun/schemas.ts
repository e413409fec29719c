/**
 * zod schemas for the Hongxun envelope (docs/vendors/hongxun.md §2), the response (§4) and
 * the sign-for push 签收信息推送 (§7.8). Only fields the spec names.
 *
 * The §7.8 shapes are `z.object` (unknown keys stripped), so a builder can
 * never send an undocumented field even if a caller's data carries one; a
 * receiver keeps the raw body separately. The response is a `looseObject`.
 */
import { z } from 'zod';
import { formatWallClock, parseWallClock, WALL_CLOCK_PATTERN } from '../common/wall-clock.js';

export const HONGXUN_CONTENT_TYPE = 'application/json';

/** §2: `yyyy-MM-dd HH:mm:ss`. */
export const hongxunTimeSchema = z.string().regex(WALL_CLOCK_PATTERN, 'yyyy-MM-dd HH:mm:ss');

/** §2 request envelope around a business body (`request` is an object or an array, per interface). */
export function hongxunEnvelopeSchema<T extends z.ZodType>(request: T) {
  return z.object({
    createBy: z.string().min(1),
    dataSource: z.string().min(1),
    sign: z.string().min(1),
    timestamp: hongxunTimeSchema,
    request,
  });
}

export interface HongxunEnvelope<R> {
  createBy: string;
  dataSource: string;
  sign: string;
  timestamp: string;
  request: R;
}

/**
 * §4 response envelope (seen on the 签收图片推送 page; whether every interface
 * uses it is UNKNOWN). `flag === true` is success; `code` 200 in the example.
 */
export const hongxunResponseSchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  flag: z.boolean(),
  /** "object, optional"; left unparsed because its content is not documented. */
  value: z.unknown().optional(),
});
export type HongxunResponse = z.infer<typeof hongxunResponseSchema>;

/**
 * §7.8 `productList[]`: the 16 keys of the documented example, types taken
 * from the example values. Required flags are UNKNOWN, so all are optional.
 */
export const hongxunSignForProductSchema = z.object({
  customerLineNumber: z.string().optional(),
  customerProductCode: z.string().optional(),
  customerProductDescription: z.string().optional(),
  quantity: z.number().int().optional(),
  unitWeight: z.number().nullable().optional(),
  singlePieceVolume: z.number().nullable().optional(),
  productData: z.string().optional(),
  validPeriod: z.string().optional(),
  productBatchNumber: z.string().optional(),
  specialInventoryFlag: z.string().optional(),
  associatedOrder: z.string().optional(),
  relatedItems: z.string().optional(),
  /** SAP PO number (inference). */
  ebeln: z.string().optional(),
  /** SAP PO item (inference). */
  ebelp: z.string().optional(),
  remark: z.string().optional(),
  vinNum: z.string().optional(),
});
export type HongxunSignForProduct = z.infer<typeof hongxunSignForProductSchema>;

/** §7.8 `signType`: 10 normal sign-for, 20 exception sign-for. */
export const HONGXUN_SIGN_TYPES = ['10', '20'] as const;

/** §7.8 签收信息 (the `request` object). */
export const hongxunSignForRequestSchema = z.object({
  customerNumber: z.string().min(1),
  signType: z.enum(HONGXUN_SIGN_TYPES),
  /** Hongxun transport order number. */
  expressCode: z.string().optional(),
  /** Waybill / instruction number 指令号. */
  waybillNumber: z.string().optional(),
  /** Carrier waybill number. */
  mailno: z.string().optional(),
  actualQuantity: z.number().int().nonnegative(),
  signer: z.string().min(1),
  /** Format not stated (§7.8); we send the envelope format. */
  // UNVERIFIED: docs/vendors/hongxun.md §7.8 (signedTime format)
  signedTime: z.string().min(1),
  remark: z.string().optional(),
  /** Extension; the Huawei shipment number in the car business. */
  ext8: z.string().optional(),
  // §7.8 marks productList R; whether an empty list is accepted is UNKNOWN.
  productList: z.array(hongxunSignForProductSchema),
});
export type HongxunSignForRequest = z.infer<typeof hongxunSignForRequestSchema>;

export const hongxunSignForEnvelopeSchema = hongxunEnvelopeSchema(hongxunSignForRequestSchema);

/*
 * Hongxun wall-clock text `yyyy-MM-dd HH:mm:ss` (docs/vendors/hongxun.md §2, example
 * `2011-06-16 13:23:30`), written and read by common/wall-clock.ts at a fixed
 * UTC offset (§8: "regardless of the kiosk OS zone").
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

/**
 * Formats `epochMs + offsetMs` as `yyyy-MM-dd HH:mm:ss` in `tz`.
 * `offsetMs` is the measured server clock minus the local clock (positive
 * when Hongxun's clock is ahead), so the text is what Hongxun's clock read at
 * that instant; the server accepts 10 minutes of error (§2). Milliseconds are
 * truncated. Throws RangeError outside years 0000–9999 or for a non-finite input.
 */
export function formatHongxunTime(epochMs: number, offsetMs: number, tz: HongxunTimeZone = HONGXUN_DEFAULT_TIME_ZONE): string {
  return formatWallClock(epochMs + offsetMs, tz.utcOffsetMinutes);
}

/**
 * Reads `yyyy-MM-dd HH:mm:ss` in `tz` back to epoch ms (on the sender's
 * clock). Null for text that is not that format or not a real date.
 */
export function parseHongxunTime(text: string, tz: HongxunTimeZone = HONGXUN_DEFAULT_TIME_ZONE): number | null {
  return parseWallClock(text, tz.utcOffsetMinutes);
}

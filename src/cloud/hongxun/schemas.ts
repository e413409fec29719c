/**
 * zod schemas for the Hongxun envelope (docs/vendors/hongxun.md §2), the response (§4) and
 * the sign-for push 签收信息推送 (§7.8). Only fields the spec names.
 *
 * The §7.8 shapes are `z.object` (unknown keys stripped), so a builder can
 * never send an undocumented field even if a caller's data carries one; a
 * receiver keeps the raw body separately. The response is a `looseObject`.
 */
import { z } from 'zod';
import { HONGXUN_TIME_PATTERN } from './time.js';

export const HONGXUN_CONTENT_TYPE = 'application/json';

/** §2: `yyyy-MM-dd HH:mm:ss`. */
export const hongxunTimeSchema = z.string().regex(HONGXUN_TIME_PATTERN, 'yyyy-MM-dd HH:mm:ss');

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

import { z } from 'zod';

/**
 * Aituo wire shapes, as far as docs/vendors/aituo.md documents them. The only body with a
 * known shape is the merchant push of §3.3 (`[1003] Customer Pickup`); §3.2
 * infers that 1001/1002 share it with another `oType`. The example shows seven
 * keys, every value a JSON string (numbers included: `"boxNo": "1"`).
 */

/** `oType` of the three merchant pushes (docs/vendors/aituo.md §3.1 table, §3.3). */
export const AITUO_PUSH_OTYPES = {
  employeeDropoff: '1001',
  employeeReturn: '1002',
  customerPickup: '1003',
} as const;
export type AituoPushOType = (typeof AITUO_PUSH_OTYPES)[keyof typeof AITUO_PUSH_OTYPES];

const pushOType = z.enum([AITUO_PUSH_OTYPES.employeeDropoff, AITUO_PUSH_OTYPES.employeeReturn, AITUO_PUSH_OTYPES.customerPickup]);

/**
 * What we send: exactly the seven keys of the §3.3 example, all strings, no
 * other key (README rule: never invent a field). Which keys Aituo requires is
 * UNKNOWN (§3.3 table, "Required" column), so all seven are always present.
 */
export const aituoPushBodySchema = z
  .object({
    oType: pushOType,
    tid: z.string(),
    userId: z.string(),
    deviceNo: z.string(),
    boxNo: z.string(),
    orderCode: z.string(),
    pinCode: z.string(),
  })
  .strict();
export type AituoPushBody = z.infer<typeof aituoPushBodySchema>;

/** §3.3 notes: "Parse defensively and accept number or string". */
const lenientString = z.union([z.string(), z.number()]).transform(String);

/**
 * The same body read defensively (a replay, a captured vendor push): numbers
 * become strings, absent keys stay absent, unknown keys are kept so nothing the
 * vendor sends is lost (docs/vendors/aituo.md §5).
 */
export const aituoPushBodyInboundSchema = z.looseObject({
  oType: z.union([pushOType, z.number().transform(String).pipe(pushOType)]),
  tid: lenientString.optional(),
  userId: lenientString.optional(),
  deviceNo: lenientString.optional(),
  boxNo: lenientString.optional(),
  orderCode: lenientString.optional(),
  pinCode: lenientString.optional(),
});
export type AituoPushBodyInbound = z.infer<typeof aituoPushBodyInboundSchema>;

/**
 * How the agent builds pushes from its events (src/main embeds this in its
 * config). Every switch is a reading the spec could not settle; each default is
 * the spec's own inference where it offers one.
 */
export const aituoPushConfigSchema = z
  .object({
    /** The Aituo terminal number of this cabinet (docs/vendors/aituo.md §3.3, example `AT1003`). Required: no event carries it. */
    deviceNo: z.string().min(1),
    /**
     * What `tid` carries. UNVERIFIED: docs/vendors/aituo.md §3.3 (`tid` meaning unknown:
     * "transaction or record id … or terminal id"). Default `event-id`: our
     * event id, which is also our idempotency key (§5 suggests keying on it).
     */
    tid: z.enum(['event-id', 'device-no']).default('event-id'),
    /**
     * Where `orderCode` comes from when the caller passes none. UNVERIFIED:
     * docs/vendors/aituo.md §3.3 ("merchant's order code, or Aituo's"). Default `parcel-id`:
     * the only parcel identifier all three events share, so dropoff, return
     * and pickup of one parcel carry the same `orderCode`.
     */
    orderCode: z.enum(['parcel-id', 'input-only']).default('parcel-id'),
    /**
     * Where `userId` comes from when the caller passes none. UNVERIFIED:
     * docs/vendors/aituo.md §3.3 (an Aituo employee/customer id, cf. 1005/1006/1011/1012).
     * Our events hold only free-text names (`courier`, `actor`), not Aituo ids,
     * so the default is `input-only`; `our-actor` sends those names instead.
     */
    userId: z.enum(['input-only', 'our-actor']).default('input-only'),
    /**
     * Whether 1001 carries the freshly issued PIN. UNVERIFIED: docs/vendors/aituo.md §3.2
     * ("Whether pinCode is present in 1001 … is unknown"). Default `unsealed`:
     * the body shape has the key and the merchant needs the code.
     */
    dropoffPinCode: z.enum(['unsealed', 'absent']).default('unsealed'),
    /**
     * compartment id → Aituo `boxNo`. UNVERIFIED: docs/vendors/aituo.md §3.3 (`boxNo` is the
     * "door number inside the terminal"; Aituo's numbering is not documented).
     * A compartment not listed is sent under its own id.
     */
    boxNumbers: z.record(z.string(), z.string().min(1)).default({}),
    /**
     * A documented key we have no value for. UNVERIFIED: docs/vendors/aituo.md §3.3
     * (required flags unknown). `empty-string` keeps the documented shape;
     * `fail` throws `AituoMappingError('value-absent')` so the row dead-letters.
     */
    whenAbsent: z.enum(['empty-string', 'fail']).default('empty-string'),
  })
  .strict();
export type AituoPushConfig = z.infer<typeof aituoPushConfigSchema>;

/**
 * What the merchant's reply means. docs/vendors/aituo.md §3.1: the page says only that the
 * server "should return the result of processing"; body shape, success code and
 * status are UNKNOWN, so there is no response schema.
 * UNVERIFIED: docs/vendors/aituo.md §3.1 (response format): any 2xx counts as delivered and
 * the raw body is kept for the audit.
 */
export function aituoPushAck(status: number, rawBody: string): { delivered: boolean; raw: string } {
  return { delivered: status >= 200 && status < 300, raw: rawBody };
}

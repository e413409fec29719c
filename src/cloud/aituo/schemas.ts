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

/**
 * Calls the merchant makes to Aituo (docs/vendors/aituo.md §2, "3.1 API Interface Provided
 * by Aituo"). Only the sidebar is known: number, English title, `POST`. URL,
 * envelope, auth, signature and every field are UNKNOWN (§1, §2), so the wire
 * layer is an interface: swap the implementation once Aituo confirms the recipe.
 */

export interface AituoMethodSpec {
  /** Section in the vendor doc's sidebar. */
  readonly section: string;
  /** English title from the sidebar, verbatim (docs/vendors/aituo.md §2 table). */
  readonly title: string;
  /**
   * Parameter names docs/vendors/aituo.md §2.1 suggests, by inference from titles and the
   * §3.3 push fields only. None is documented; an empty list means the spec
   * names none. Hints for callers: `wrap` neither requires nor restricts them.
   */
  readonly inferredParams: readonly string[];
}

/**
 * The 3.1 interfaces, keyed by number. There is no 1014: the sidebar jumps from
 * 1013 to 1015 (docs/vendors/aituo.md §2 note), so none is listed here.
 */
export const AITUO_METHODS = {
  '1001': { section: '3.1.1', title: 'Payment Feedback Interface', inferredParams: [] },
  '1002': { section: '3.1.2', title: 'Get Pickup PIN Interface', inferredParams: ['orderCode'] }, // §2.1 "probably keyed by orderCode"
  '1003': { section: '3.1.3', title: 'Get All Terminal List Interface', inferredParams: [] },
  '1004': { section: '3.1.4', title: 'Get Single Device Information Interface', inferredParams: ['deviceNo'] }, // §2.1 "fetch one by deviceNo"
  '1005': { section: '3.1.5', title: 'Get All Employee List Interface', inferredParams: [] },
  '1006': { section: '3.1.6', title: 'Get Single Employee Information Interface', inferredParams: ['userId'] }, // §2.1 "probably the userId seen in webhooks"
  '1007': { section: '3.1.7', title: 'Book the box Interface', inferredParams: ['deviceNo'] }, // §2.1 "deviceNo and size or boxNo": the size key is unnamed
  '1008': { section: '3.1.8', title: 'Cancel Book the box Interface', inferredParams: [] },
  '1009': { section: '3.1.9', title: 'Open box Interface', inferredParams: ['deviceNo', 'boxNo'] }, // §2.1 "(deviceNo + boxNo)"
  '1010': { section: '3.1.10', title: 'Get available box Interface', inferredParams: [] },
  '1011': { section: '3.1.11', title: 'Get All Customer List Interface', inferredParams: [] },
  '1012': { section: '3.1.12', title: 'Get Single Customer Information Interface', inferredParams: ['userId'] }, // §2.1 "probably the userId seen in the pickup webhook"
  '1013': { section: '3.1.13', title: 'Resend order pickup code Interface', inferredParams: [] },
  '1015': { section: '3.1.15', title: 'Set Order Amount Interface', inferredParams: [] },
  '1016': { section: '3.1.16', title: 'Remote pickup interface', inferredParams: [] },
  '1017': { section: '3.1.17', title: 'Cancel Wait Pickup Order', inferredParams: [] },
  '1018': { section: '3.1.18', title: 'Get Wait Pickup Order', inferredParams: [] }, // §2.1 names no key (list of waiting orders)
  '1019': { section: '3.1.19', title: 'Get Wait Dropoff Order', inferredParams: [] }, // §2.1 names no key (list of booked orders)
  '1020': { section: '3.1.20', title: 'Update pickup PIN', inferredParams: [] },
} as const satisfies Record<string, AituoMethodSpec>;

export type AituoMethod = keyof typeof AITUO_METHODS;
export const AITUO_METHOD_NUMBERS = Object.keys(AITUO_METHODS) as AituoMethod[];

/** Named numbers for the calls the agent is expected to make first. */
export const AITUO_OPEN_BOX = '1009' satisfies AituoMethod;
export const AITUO_GET_WAIT_PICKUP_ORDER = '1018' satisfies AituoMethod;
export const AITUO_GET_WAIT_DROPOFF_ORDER = '1019' satisfies AituoMethod;

/** Everything an envelope may need besides the call itself; the clock is read by the caller, never here. */
export interface AituoCallContext {
  /** Unix time in ms, for a timestamp field or header once one is documented. */
  readonly nowMs: number;
  /** A fresh id for this attempt (nonce / trace), once a field for it is documented. */
  readonly requestId: string;
}

export interface AituoWireRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Turns one 3.1 call into the bytes of its HTTP POST. Pure; throws
 * `AituoEnvelopeError` for a call it cannot express (never retry those).
 * The URL is the client's business: docs/vendors/aituo.md §1 does not say whether 3.1 has
 * one endpoint or one path per interface.
 */
export interface AituoCallEnvelope {
  wrap(method: AituoMethod, params: Readonly<Record<string, string>>, ctx: AituoCallContext): AituoWireRequest;
}

/**
 * The signing hook: receives the unsigned request and returns the one to send
 * (extra headers, a sign field in the body…). docs/vendors/aituo.md §1: key, secret, sign
 * recipe, hash, case and placement are all UNKNOWN, so the default is none.
 */
export type AituoSigner = (unsigned: AituoWireRequest, call: { method: AituoMethod; ctx: AituoCallContext }) => AituoWireRequest;

export const unsignedAituoCalls: AituoSigner = (unsigned) => unsigned;

export type AituoEnvelopeErrorCode = 'param-collides-with-envelope';

export class AituoEnvelopeError extends Error {
  override readonly name = 'AituoEnvelopeError';
  constructor(
    readonly code: AituoEnvelopeErrorCode,
    message: string,
    readonly meta: { method: AituoMethod; param: string },
  ) {
    super(message);
  }
}

export interface OTypeJsonEnvelopeOptions {
  /**
   * Put the interface number in the body as `oType`. UNVERIFIED: docs/vendors/aituo.md §1
   * ("Common request envelope": 3.1 requests "may also carry oType", inferred
   * from the §3.3 pushes). Default true, the spec's inference.
   */
  includeOType?: boolean;
  /** Default `unsignedAituoCalls`: no documented signature to apply (docs/vendors/aituo.md §1). */
  sign?: AituoSigner;
}

/**
 * UNVERIFIED: docs/vendors/aituo.md §2 (3.1 envelope and signing unknown). Follows the only
 * hints the spec has: every 3.1 call is a `POST` (§2 table), bodies are JSON
 * as the 3.3 push is (§1 "Content type"), values are strings as in §3.3, and
 * the body carries `oType` = the interface number (§1, inference).
 */
export class OTypeJsonEnvelope implements AituoCallEnvelope {
  readonly #includeOType: boolean;
  readonly #sign: AituoSigner;

  constructor(options: OTypeJsonEnvelopeOptions = {}) {
    this.#includeOType = options.includeOType ?? true;
    this.#sign = options.sign ?? unsignedAituoCalls;
  }

  wrap(method: AituoMethod, params: Readonly<Record<string, string>>, ctx: AituoCallContext): AituoWireRequest {
    if (this.#includeOType && Object.hasOwn(params, 'oType')) {
      throw new AituoEnvelopeError('param-collides-with-envelope', `Aituo ${method}: oType is set by the envelope`, { method, param: 'oType' });
    }
    const body = this.#includeOType ? { oType: method, ...params } : { ...params };
    // UNVERIFIED: docs/vendors/aituo.md §1 (3.1 content type unknown; the 3.2.3 push is application/json).
    const unsigned: AituoWireRequest = { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    return this.#sign(unsigned, { method, ctx });
  }
}

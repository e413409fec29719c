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

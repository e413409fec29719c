/**
 * Hongxun options: the three values Hongxun issues (§2, §3) plus a switch for
 * every point Appendix 1 leaves open. Defaults are listed in README.md.
 */
import { z } from 'zod';
import { durationMs } from '../../shared/duration.js';
import { HONGXUN_DEFAULT_TIME_ZONE, hongxunSignForProductSchema } from './schemas.js';

export const hongxunOptionsSchema = z.object({
  /** §2 `createBy`: customer identifier, issued by Hongxun. */
  createBy: z.string().min(1),
  /** §2 `dataSource`: source-system code, issued by Hongxun. */
  dataSource: z.string().min(1),
  /** §3 `SK`: the secret key, issued by Hongxun. */
  sk: z.string().min(1),
  /** Hex case of the MD5 `sign`. */
  // UNVERIFIED: docs/vendors/hongxun.md §3 / §9.2 (upper vs lower case not stated)
  signHexCase: z.enum(['lower', 'upper']).default('lower'),
  /**
   * How `null` members of `request` are serialised before signing (and in the
   * body, which uses the same text): `keep` writes `"k":null`, `omit` drops the
   * member as fastjson does by default. Our sign-for request never contains
   * null unless the caller's product lines do (`unitWeight`, `singlePieceVolume`).
   */
  // UNVERIFIED: docs/vendors/hongxun.md §3 (SerializableUtil.marshal null handling unknown)
  jsonNulls: z.enum(['keep', 'omit']).default('keep'),
  /** Zone of every `yyyy-MM-dd HH:mm:ss` text; default UTC+8 (Asia/Shanghai). */
  // UNVERIFIED: docs/vendors/hongxun.md §2 (time zone not stated)
  timeZone: z
    .object({ label: z.string(), utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60) })
    .default({ ...HONGXUN_DEFAULT_TIME_ZONE }),
  /**
   * §7.8 `signer` (required: "person who signed") when the order facts do not
   * name one. The cabinet does not know who picked up (README: "what the event
   * lacks"), so this is the operator's wording for a cabinet pickup. No default.
   */
  signer: z.string().min(1).optional(),
  /** §2: "the server tolerates 10 minutes of client clock error"; used when we verify a Hongxun envelope. */
  maxSkewMs: durationMs({ min: 1, max: 24 * 3_600_000, default: 10 * 60_000 }),
});

export type HongxunOptions = z.output<typeof hongxunOptionsSchema>;
export type HongxunOptionsInput = z.input<typeof hongxunOptionsSchema>;

export const HONGXUN_DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Where `customerNumber` (§7.8, R: "customer order number") comes from when
 * the injected order facts give none. UNVERIFIED: docs/vendors/hongxun.md §7.8 (our events
 * carry no Hongxun order number; README "What our event lacks").
 * `facts-only` (default) never guesses; `external-ref` takes
 * `parcel.picked-up.externalRef`, `parcel-id` our parcel id, for a deployment
 * where the order was created under that number.
 */
export const HONGXUN_CUSTOMER_NUMBER_SOURCES = ['facts-only', 'external-ref', 'parcel-id'] as const;

/** The sign-for destination: the wire options plus where and how to send (docs/vendors/hongxun.md §7.8, §9.3). */
export const hongxunSignForConfigSchema = hongxunOptionsSchema.extend({
  /** The outbox destination name. Default `hongxun`. */
  name: z.string().min(1).default('hongxun'),
  /**
   * The sign-for push URL. Required: the §7.8 page shows no URL (its subtitle
   * is a copy-paste artefact) and no direction; §1 gives only the UAT host
   * `https://uat.hongxunyun.cn`.
   */
  // UNVERIFIED: docs/vendors/hongxun.md §7.8 / §9.3 (URL and direction of 签收信息推送 not documented)
  url: z.string().min(1),
  /** One attempt's limit, body included. Default 10 000 ms. */
  timeoutMs: durationMs({ min: 1, max: 5 * 60_000, default: HONGXUN_DEFAULT_TIMEOUT_MS }),
  customerNumberFrom: z.enum(HONGXUN_CUSTOMER_NUMBER_SOURCES).default('facts-only'),
  /**
   * §7.8 required facts used when the injected lookup gives none: the
   * operator's wording for "one cabinet pickup" (e.g. `actualQuantity: 1`,
   * `productList: []`). No defaults: §7.8 says what they mean, not what a
   * cabinet should send (README open question 4, 5). `signer` has its own key above.
   */
  signForDefaults: z
    .object({
      actualQuantity: z.number().int().nonnegative().optional(),
      productList: z.array(hongxunSignForProductSchema).optional(),
    })
    .strict()
    .default({}),
  /**
   * `code` values of a `flag: false` answer that mean "bad signature / bad
   * credentials": the destination pauses (unauthorised) instead of
   * dead-lettering every row. Default none: the error-code table is not
   * documented, so every refusal is dead until the codes are known.
   */
  // UNVERIFIED: docs/vendors/hongxun.md §4 / §9.1 (error codes not documented)
  signErrorCodes: z.array(z.number().int()).default([]),
});

export type HongxunSignForConfig = z.output<typeof hongxunSignForConfigSchema>;
export type HongxunSignForConfigInput = z.input<typeof hongxunSignForConfigSchema>;

/**
 * Hongxun options: the three values Hongxun issues (§2, §3) plus a switch for
 * every point Appendix 1 leaves open. Defaults are listed in README.md.
 */
import { z } from 'zod';
import { HONGXUN_DEFAULT_TIME_ZONE } from './time.js';

export const hongxunOptionsSchema = z.object({
  /** §2 `createBy`: customer identifier, issued by Hongxun. */
  createBy: z.string().min(1),
  /** §2 `dataSource`: source-system code, issued by Hongxun. */
  dataSource: z.string().min(1),
  /** §3 `SK`: the secret key, issued by Hongxun. */
  sk: z.string().min(1),
  /** Hex case of the MD5 `sign`. */
  // UNVERIFIED: hongxun.md §3 / §9.2 (upper vs lower case not stated)
  signHexCase: z.enum(['lower', 'upper']).default('lower'),
  /**
   * How `null` members of `request` are serialised before signing (and in the
   * body, which uses the same text): `keep` writes `"k":null`, `omit` drops the
   * member as fastjson does by default. Our sign-for request never contains
   * null unless the caller's product lines do (`unitWeight`, `singlePieceVolume`).
   */
  // UNVERIFIED: hongxun.md §3 (SerializableUtil.marshal null handling unknown)
  jsonNulls: z.enum(['keep', 'omit']).default('keep'),
  /** Zone of every `yyyy-MM-dd HH:mm:ss` text; default UTC+8 (Asia/Shanghai). */
  // UNVERIFIED: hongxun.md §2 (time zone not stated)
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
  maxSkewMs: z.number().int().positive().default(10 * 60_000),
});

export type HongxunOptions = z.output<typeof hongxunOptionsSchema>;
export type HongxunOptionsInput = z.input<typeof hongxunOptionsSchema>;

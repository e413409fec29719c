/**
 * The agent's whole Aituo configuration: the push mapping of schemas.ts plus
 * where the pushes go (§3.1 "merchant URL"), and the optional 3.1 API block
 * (§1, §2) with the waiting-orders code source. src/main embeds it; the
 * defaults are listed in README.md.
 */
import { z } from 'zod';
import { durationMs } from '../../shared/duration.js';
import { AITUO_METHOD_NUMBERS, type AituoMethod, aituoPushConfigSchema } from './schemas.js';

export const AITUO_DEFAULT_TIMEOUT_MS = 10_000;

/** One call's limit; a merchant server slower than 5 minutes is down (and no timer may exceed 2^31−1 ms). */
const timeoutMs = durationMs({ min: 1, max: 5 * 60_000, default: AITUO_DEFAULT_TIMEOUT_MS });

/**
 * Static request headers (a token or key Aituo or the merchant issues).
 * UNVERIFIED: docs/vendors/aituo.md §1 "Auth" / §3.1 "Webhook authentication": no scheme is
 * documented, so nothing is sent by default; the operator names header and
 * value. The values are secrets: never logged, redacted from reasons.
 */
const credentialHeaders = z
  .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name'), z.string())
  .default({});

/**
 * The 1018 (Get Wait Pickup Order) answer → pickup codes. docs/vendors/aituo.md §2: the
 * request and answer fields of 1018 are UNKNOWN, so every field name is a
 * switch the operator fills from Aituo's field table. None has a default: a
 * guessed name would silently pull an empty set and wipe the local codes.
 */
export const aituoWaitingOrdersConfigSchema = z
  .object({
    /** Pull 1018 into the local code cache. Default false: the 3.1 recipe is unverified. */
    enabled: z.boolean().default(false),
    /** Parameters sent with 1018. UNVERIFIED: docs/vendors/aituo.md §2.1 names no key for 1018. Default none. */
    params: z.record(z.string(), z.string()).default({}),
    /**
     * Dotted path to the order array in the answer; `''` = the answer is the
     * array. UNVERIFIED: docs/vendors/aituo.md §1 "Common response envelope" UNKNOWN. No default.
     */
    listPath: z.string().optional(),
    /** Order key holding the pickup PIN. UNVERIFIED: docs/vendors/aituo.md §2 (1018 fields UNKNOWN). No default. */
    codeField: z.string().min(1).optional(),
    /** Order key holding a stable order id (the code's externalId). UNVERIFIED: docs/vendors/aituo.md §2. No default. */
    idField: z.string().min(1).optional(),
    /** Order key holding the box number (mapped back through `boxNumbers`). UNVERIFIED: docs/vendors/aituo.md §2. Absent = no compartment. */
    boxField: z.string().min(1).optional(),
    /**
     * Order key holding the terminal number: orders of another `deviceNo` are
     * skipped. UNVERIFIED: docs/vendors/aituo.md §2 (whether 1018 lists one device or all
     * of the merchant's). Absent = every order is this cabinet's.
     */
    deviceField: z.string().min(1).optional(),
    /**
     * Order key holding the recipient's user id, kept with the code and sent
     * as `userId` in the 1003 push of its pickup (§3.3). UNVERIFIED:
     * docs/vendors/aituo.md §2. Absent = `userId` stays empty.
     */
    userField: z.string().min(1).optional(),
    /**
     * Order key holding the order code, kept with the code and sent as
     * `orderCode` in the 1003 push of its pickup (§3.3). UNVERIFIED:
     * docs/vendors/aituo.md §2. Absent = the configured `orderCode` source.
     */
    orderField: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (!w.enabled) return;
    for (const key of ['listPath', 'codeField', 'idField'] as const) {
      if (w[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `docs/vendors/aituo.md §2 does not document 1018's answer: set ${key} from Aituo's field table` });
    }
  });
export type AituoWaitingOrdersConfig = z.output<typeof aituoWaitingOrdersConfigSchema>;

const methodNumber = z.enum(AITUO_METHOD_NUMBERS as [AituoMethod, ...AituoMethod[]]);

/** The 3.1 calls (merchant → Aituo). Everything here is UNVERIFIED: docs/vendors/aituo.md §1, §2 know titles only. */
export const aituoApiConfigSchema = z
  .object({
    /**
     * Where every 3.1 call is POSTed. UNVERIFIED: docs/vendors/aituo.md §1 ("Base URL(s)"
     * UNKNOWN; inference: `https://api.aituoiot.xyz/smartlocker/api/v2/`). Required.
     */
    baseUrl: z.string().min(1),
    /**
     * Per-interface path appended to `baseUrl`, for a one-path-per-interface
     * API. UNVERIFIED: docs/vendors/aituo.md §6 Q1 (one endpoint with `oType`, or one path
     * each). Default none: every call goes to `baseUrl`, `oType` in the body.
     */
    paths: z.partialRecord(methodNumber, z.string().min(1)).default({}),
    /** Put `oType` in the body (client.ts `OTypeJsonEnvelope`). UNVERIFIED: docs/vendors/aituo.md §1. Default true. */
    includeOType: z.boolean().default(true),
    headers: credentialHeaders,
    timeoutMs,
    waitingOrders: aituoWaitingOrdersConfigSchema.default({ enabled: false, params: {} }),
  })
  .strict();
export type AituoApiConfig = z.output<typeof aituoApiConfigSchema>;

export const aituoConfigSchema = aituoPushConfigSchema
  .extend({
    /** The outbox destination name. Default `aituo`. */
    name: z.string().min(1).default('aituo'),
    /**
     * The merchant URL the pushes go to (docs/vendors/aituo.md §3.1: registered by hand in
     * the Aituo back-office; §3.3 shows Aituo's test receiver
     * `https://api.aituoiot.xyz/smartlocker/api/v2/clientApiTest`). Required.
     */
    url: z.string().min(1),
    /** One push attempt's limit, body included. Default 10 000 ms. */
    timeoutMs,
    /** Sent with every push. UNVERIFIED: docs/vendors/aituo.md §3.1 (push authentication UNKNOWN). Default none. */
    headers: credentialHeaders,
    /** The 3.1 calls; absent = none are made. */
    api: aituoApiConfigSchema.optional(),
  })
  .strict();
export type AituoConfig = z.output<typeof aituoConfigSchema>;
export type AituoConfigInput = z.input<typeof aituoConfigSchema>;

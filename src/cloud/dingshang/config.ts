/**
 * The agent's `dingshang` configuration (docs/vendors/dingshang.md §1, §1.1, §2.3, §4.4,
 * §6.5, §10): credentials, this cabinet's `machine_no`, our `notify_url`, and
 * a switch with the documented default for every point the spec leaves open
 * (docs/vendors/README.md §2). README.md lists them.
 */
import { z } from 'zod';
import { durationMs } from '../../shared/duration.js';
import { isHttpsUnlessLoopback } from '../common/http.js';
import { type CallbackAuth, notifyUrlWithToken } from './callback.js';
import { DEFAULT_ALREADY_USED_CODES, DEFAULT_TRADE_ID_FORMAT, TRADE_ID_FORMATS } from './mapper.js';
import { DEFAULT_UTC_OFFSET_MINUTES, machineNoSchema } from './schemas.js';
import { DEFAULT_SIGN_VALUE_MODE, SIGN_VALUE_MODES } from './signer.js';

/** The outbox destination and code-source name unless configured otherwise. */
export const DINGSHANG_DEFAULT_NAME = 'dingshang';

/**
 * An http(s) URL; plain http only to a loopback host (the local mock or a
 * relay on this PC): the `AppSecret` header and our callback token must not
 * cross the network in clear.
 */
const secureUrl = (what: string) =>
  z.url({ protocol: /^https?$/ }).refine((text) => {
    return isHttpsUnlessLoopback(new URL(text));
  }, `${what} must be https (plain http only to a loopback host)`);

const callbackSchema = z.strictObject({
  /**
   * Our secret in the `notify_url` query, checked on every callback. Required
   * (null only when a relay in front of the receiver authenticates instead).
   */
  // UNVERIFIED: docs/vendors/dingshang.md §10 / §12 item 4 (callback authentication undocumented; a URL token is the spec's inference)
  urlToken: z.strictObject({ param: z.string().regex(/^[A-Za-z0-9_-]+$/).default('token'), value: z.string().min(16) }).nullable(),
  /** `section-2`: also require a §2 `sign` over the body with the AppKey. Default `none`: the §10 example is unsigned. */
  // UNVERIFIED: docs/vendors/dingshang.md §10 (callback signature)
  signature: z.enum(['none', 'section-2']).default('none'),
  /** Body of our 200 reply. Default empty: §10 asks only for "status 200 or other". */
  // UNVERIFIED: docs/vendors/dingshang.md §10 (expected reply body)
  ackBody: z.string().default(''),
});

export const dingshangConfigSchema = z.strictObject({
  /** Outbox destination name; also the log tag. Default `dingshang`. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/).default(DINGSHANG_DEFAULT_NAME),
  /** `{url}` of §1 (the docs' example: `https://www.awish.vip`); calls go to `{url}/api/openapi/v1/{action}`. No default: whether the Open API still runs is UNKNOWN (§0). */
  baseUrl: secureUrl('dingshang baseUrl'),
  /** 开发者ID, the `Appid` header (§1.1). */
  appId: z.string().min(1),
  /** 开发者密码, the `AppSecret` header (§1.1). Secret. */
  appSecret: z.string().min(1),
  /** 商户Key, the Open API signing key (§1.1, §2.1 step 6). Secret. */
  appKey: z.string().min(1),
  /** This cabinet's `machine_no` (§1: 8 digits; longer for special merchants). */
  machineNo: machineNoSchema,
  /**
   * Our `notify_url` (§5.1, §6.5, §7.3: required; receives §10). Must be
   * publicly reachable for the vendor (§10 kiosk note: a relay for a cabinet
   * behind NAT). The `callback.urlToken` is added to its query.
   */
  notifyUrl: secureUrl('dingshang notifyUrl'),
  callback: callbackSchema,
  /** §2.3: values joined raw (docs, PHP, Rust) or URL-encoded (current Go). Default `raw`. */
  // UNVERIFIED: docs/vendors/dingshang.md §2.3 (raw vs URL-encoded)
  signValueMode: z.enum(SIGN_VALUE_MODES).default(DEFAULT_SIGN_VALUE_MODE),
  /** `trade_id` from our UUIDv7 event id: `compact-uuid` (32 hex, like the §6.5 example) or `as-is` (36). */
  // UNVERIFIED: docs/vendors/dingshang.md §5.1/§6.5 (whether a 36-char trade_id is accepted)
  tradeIdFormat: z.enum(TRADE_ID_FORMATS).default(DEFAULT_TRADE_ID_FORMAT),
  /** Refusal codes of `/consumes` meaning "already used" (delivered, §6.5). Default `[10025]`. */
  // UNVERIFIED: docs/vendors/dingshang.md §9 (error family; whether 6033 carries data.order_id)
  alreadyUsedCodes: z.array(z.number().int()).min(1).default([...DEFAULT_ALREADY_USED_CODES]),
  /** A §6.3 code without `status`: `unused` (protobuf leaves zero values out, §1) or `skip`. Default `unused`. */
  // UNVERIFIED: docs/vendors/dingshang.md §6.3/§1 (omitted status)
  omittedStatus: z.enum(['unused', 'skip']).default('unused'),
  /** Vendor wall-clock dates, minutes east of UTC. Default 480 (GMT+8, §6.1). */
  // UNVERIFIED: docs/vendors/dingshang.md §6.1/§6.3 (zone of created_at)
  utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60).default(DEFAULT_UTC_OFFSET_MINUTES),
  /** One call's limit in ms, answer included. Default 10 000. */
  timeoutMs: durationMs({ min: 1, max: 5 * 60_000, default: 10_000 }),
  /**
   * Which of our compartments each §4.4 lane is (`channel.name`, e.g. "A21"
   * → "21"). The spec ties a code to a product's lane only (README question
   * 9), so the operator states the mapping; a code whose lane is not listed
   * cannot open a door and is left out of the cache (counted in the log).
   */
  lanes: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** §4.4 `cabinet_name` values to read products from (combined cabinets are `A`..`Z`, §4.3). Default `["A"]`, the documented default. */
  cabinetNames: z.array(z.string().regex(/^[A-Z]$/)).min(1).default(['A']),
  /** §4.4 `per_page`; absent = not sent (the server's default, "10"). The maximum is UNKNOWN (§1). */
  productsPerPage: z.number().int().min(1).max(1000).optional(),
  /** Most §4.4 pages one pull reads per cabinet before it gives up: a bound against paging that never ends. Default 1000. */
  maxProductPages: z.number().int().positive().default(1000),
});

export type DingshangConfig = z.output<typeof dingshangConfigSchema>;
export type DingshangConfigInput = z.input<typeof dingshangConfigSchema>;

/** The `notify_url` we send (§5.1, §6.5, §7.3): the configured URL with the callback token in its query. */
export function notifyUrlFor(config: Pick<DingshangConfig, 'notifyUrl' | 'callback'>): string {
  const token = config.callback.urlToken;
  return token === null ? config.notifyUrl : notifyUrlWithToken(config.notifyUrl, token.param, token.value);
}

/** What the receiver's §10 check (`verifyDeliveryCallback`) needs. */
export function callbackAuthFor(config: Pick<DingshangConfig, 'callback' | 'appKey' | 'signValueMode'>): CallbackAuth {
  const { urlToken, signature, ackBody } = config.callback;
  return {
    urlToken,
    signature: signature === 'section-2' ? { kind: 'section-2', appKey: config.appKey, signValues: config.signValueMode } : { kind: 'none' },
    ackBody,
  };
}

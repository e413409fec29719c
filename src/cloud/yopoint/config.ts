/**
 * Yopoint options: credentials plus every switch for a point the vendor
 * documents ambiguously. Each switch defaults to the documented reading
 * (docs/vendors/README.md §2); README.md lists them.
 */
import { z } from 'zod';
import { boundedMs, durationMs } from '../../shared/duration.js';
import { YOPOINT_GATEWAY_URL } from './schemas.js';

export const YOPOINT_TIMESTAMP_UNITS = ['s', 'ms'] as const;
export type YopointTimestampUnit = (typeof YOPOINT_TIMESTAMP_UNITS)[number];

export const yopointOptionsSchema = z.object({
  /** AppID from the operator back office (docs/vendors/yopoint.md §1.1, §3). */
  appid: z.string().min(1),
  /**
   * Open-platform appSecret (§2.1 step 5). Not the payment signing key of §2.3,
   * which only payment traffic uses and which this layer does not implement.
   */
  appSecret: z.string().min(1),
  /**
   * Unit of the envelope `timestamp`. Default `s`: the parameter table says
   * "unix 时间戳到秒"; the sign example and the unofficial client use ms.
   */
  // UNVERIFIED: docs/vendors/yopoint.md §2.4 (s vs ms; the docs contradict themselves)
  timestampUnit: z.enum(YOPOINT_TIMESTAMP_UNITS).default('s'),
  /**
   * Whether a parameter with an empty value takes part in the sign string.
   * Default `include`: §2.1 step 1 says "every request parameter except sign".
   */
  // UNVERIFIED: docs/vendors/yopoint.md §2.1 / §10.4 (handling of empty values not stated)
  emptyValues: z.enum(['include', 'omit']).default('include'),
  /**
   * Key casing inside `cabinet.order.list` biz_content. Default `apifox`
   * (`page`, `StartTime`, `EndTime`, `pageSize`), the current doc site;
   * `gitbook` sends `startTime` / `endTime`.
   */
  // UNVERIFIED: docs/vendors/yopoint.md §4.7 (apifox and GitBook pages disagree on casing)
  orderListKeys: z.enum(['apifox', 'gitbook']).default('apifox'),
  /**
   * Which notification fields are signed. Default `documented`: exactly the
   * five of §2.2 (`appid`, `biz_content`, `method`, `sign_type`, `timestamp`);
   * `all-received` signs every received field except `sign` (§9 design note).
   * They differ only if a notification ever carries an extra field.
   */
  // UNVERIFIED: docs/vendors/yopoint.md §2.2 (whether an extra field, if one ever arrives, is signed)
  notifySignedFields: z.enum(['documented', 'all-received']).default('documented'),
  /**
   * Largest accepted |now − notification timestamp| in ms, or null for no
   * check. Default null: no skew is documented for API calls or webhooks; the
   * only rule (±60 s) belongs to the vending payment redirect (§6.1).
   */
  // UNVERIFIED: docs/vendors/yopoint.md §2.4 / §10.3 (allowed skew for webhooks unknown)
  notifyMaxSkewMs: boundedMs({ min: 1, max: 24 * 3_600_000 }).nullable().default(null),
  /**
   * The gateway (§1: one URL for every method). Default the production
   * gateway; §1 names no sandbox (§10.10). The client refuses plain http
   * except to a loopback host (the local mock).
   */
  gatewayUrl: z.url({ protocol: /^https?$/ }).default(YOPOINT_GATEWAY_URL),
  /** One gateway call's limit in ms, answer included. Default 10 000. */
  timeoutMs: durationMs({ min: 1, max: 5 * 60_000, default: 10_000 }),
  /** Orders per `cabinet.order.list` page. Default 100, the apifox maximum (§4.7). */
  orderListPageSize: z.number().int().min(1).max(100).default(100),
  /**
   * Most pages one `cabinet.order.list` walk reads before it gives up
   * (`too-many-pages`): a bound against a gateway that ignores `page`. Default 1000.
   */
  orderListMaxPages: z.number().int().positive().default(1000),
  /**
   * The `error_code` read as "signature / appid refused" (→ `unauthorised`),
   * or null to read none that way. Default -1: the apifox cabinet.list page
   * says "-1 = signature error" (§1.2, §4.2). §1.2 also shows -1 with the
   * business error ERR_BARCODE_OUTSTOCK, so a -1 whose error_msg is one of the
   * documented business messages (§8) stays `refused` (errors.ts).
   */
  // UNVERIFIED: docs/vendors/yopoint.md §1.2 / §8 (-1 is "signature error" on one page, a business error on another)
  signErrorCode: z.number().int().nullable().default(-1),
  /**
   * This cabinet as Yopoint knows it, for the registration check at start
   * (`cabinet.list`, §4.2). Absent: not checked. `matchField` is the device
   * key compared with `deviceCode`; default `DeviceCode`, the key of the
   * cabinet object §5.4 pushes.
   */
  // UNVERIFIED: docs/vendors/yopoint.md §4.2 (per-device fields of cabinet.list unknown; the §5.4 cabinet shape is assumed)
  cabinet: z.object({ deviceCode: z.string().min(1), matchField: z.string().min(1).default('DeviceCode') }).strict().optional(),
  /**
   * The compartment whose door Yopoint's orders open (§4.4, §5.3 name no
   * door): a `notify.close.door` is compared with what supervision saw of
   * it. Absent: not compared (logged only).
   */
  doorCompartment: z.string().min(1).optional(),
  /** How far back a door report is compared with the door events seen here. Default 10 min. */
  doorWindowMs: durationMs({ min: 1000, max: 24 * 3_600_000, default: 600_000 }),
});

export type YopointOptions = z.output<typeof yopointOptionsSchema>;
export type YopointOptionsInput = z.input<typeof yopointOptionsSchema>;

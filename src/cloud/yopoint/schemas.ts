/**
 * zod schemas for the Yopoint gateway (docs/vendors/yopoint.md §1, §4) and its webhooks (§5).
 *
 * Only fields the spec names appear here. Vendor objects are `looseObject`s:
 * fields we do not name are kept, not stripped, so the raw payload survives
 * parsing (docs/vendors/README.md §2: keep raw payloads). Required flags follow the
 * spec; where it gives none, the field is optional so an undocumented
 * omission does not reject a genuine payload. Enumerations are parsed as
 * integers and interpreted in mapper.ts: §4.8 already shows values outside
 * the documented enums (PayType 202), so a strict enum would reject real data.
 */
import { z } from 'zod';

// ── §1.1 common request parameters (all strings on the form) ────────────────

export const YOPOINT_GATEWAY_URL = 'https://api.yopoint.com/api/gateway/index';
/** §1 "Use form-urlencoded" (the docs allow JSON; the unofficial client and the webhook use form). */
export const YOPOINT_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** §1.1 `version`: fixed. */
export const YOPOINT_VERSION = '1.0.0';

const digits = z.string().regex(/^\d+$/, 'decimal integer');

/** A signed gateway request as it goes on the wire (§1.1). */
export const yopointRequestParamsSchema = z.object({
  appid: z.string().min(1),
  method: z.string().min(1),
  biz_content: z.string(),
  version: z.literal(YOPOINT_VERSION),
  timestamp: digits,
  sign_type: z.literal('md5'),
  sign: z.string().regex(/^[0-9a-fA-F]{32}$/, '32 hex digits'),
});
export type YopointRequestParams = z.infer<typeof yopointRequestParamsSchema>;

// ── §1.2 common response envelope ───────────────────────────────────────────

/**
 * The envelope with `data` left unparsed: `data` is the method's payload on
 * success and "may carry a detail value" (e.g. a barcode string) on failure.
 */
export const yopointEnvelopeSchema = z.looseObject({
  /** 0 = success; -1 = signature error (apifox cabinet.list); other non-zero = failure. */
  error_code: z.number().int(),
  /** `SUCCESS`, or an upper-snake code such as `ERR_SYSTEM`. */
  error_msg: z.string(),
  /** null in every example; meaning UNKNOWN (§1.2, §10.5). */
  sub_error_code: z.unknown().optional(),
  sub_error_msg: z.unknown().optional(),
  data: z.unknown().optional(),
});
export type YopointEnvelope = z.infer<typeof yopointEnvelopeSchema>;

/** The paging block of §1.2 around `data: [...]`; only `data` is assumed present. */
function paged<T extends z.ZodType>(item: T) {
  return z.looseObject({
    total: z.number().int().optional(),
    per_page: z.number().int().optional(),
    current_page: z.number().int().optional(),
    last_page: z.number().int().optional(),
    from: z.number().int().nullable().optional(),
    to: z.number().int().nullable().optional(),
    data: z.array(item),
  });
}

/** A JSON object whose fields the spec does not document. */
const opaqueObject = z.record(z.string(), z.unknown());

// ── §4.2 cabinet.list ───────────────────────────────────────────────────────

/** biz_content keys as on the apifox page (capitalised); required flags not given. */
export const cabinetListBizSchema = z.object({
  Page: z.number().int().positive().optional(),
  PageSize: z.number().int().positive().optional(),
});

/**
 * `data`: only `total` is visible on the page (§4.2); the rest of the paging
 * block is inference and the per-device fields are UNKNOWN, so devices stay opaque.
 */
export const cabinetListDataSchema = z.looseObject({
  total: z.number().int(),
  per_page: z.number().int().optional(),
  current_page: z.number().int().optional(),
  last_page: z.number().int().optional(),
  from: z.number().int().nullable().optional(),
  to: z.number().int().nullable().optional(),
  data: z.array(opaqueObject).optional(),
});

// ── §4.7 / §4.8 orders ──────────────────────────────────────────────────────

/** A line of `Products[]` / `RefundsProducts[]` (§4.8). Money in fen (inference, §4.8). */
export const yopointOrderProductSchema = z.looseObject({
  Qty: z.number().optional(),
  BarCode: z.string().optional(),
  Name: z.string().optional(),
  Price: z.number().optional(),
  CostPrice: z.number().optional(),
  TotalPrice: z.number().optional(),
});

/**
 * The cabinet order of §4.8 (GitBook list example + apifox cabinet.order.get).
 * Only `ReceiptNo` and `CID` appear in every example; all else is optional.
 */
export const yopointOrderSchema = z.looseObject({
  CID: z.string(),
  OID: z.string().optional(),
  BID: z.string().optional(),
  DeviceCode: z.string().optional(),
  TerminalName: z.string().optional(),
  UserID: z.string().optional(),
  OpenID: z.string().optional(),
  /** 0, 1, 2, 201 documented; 202 seen (§4.8, §7). */
  PayType: z.number().int().optional(),
  /** `{AppID, SellerID, AgreementNo, CabinetCode}`, value types not given. */
  PayExtend: opaqueObject.optional(),
  ClientIPAddress: z.string().optional(),
  ScenesType: z.number().int().optional(),
  ServiceStatus: z.number().int().optional(),
  TradeNo: z.string().optional(),
  ThirdpartyAppID: z.string().optional(),
  ReceiptNo: z.string().min(1),
  /** -1 never opened, 0 closed, 1 open (§7). */
  DoorStatus: z.number().int().optional(),
  /** Raw payment-channel data (Alipay-style in the example). */
  TradeRawData: opaqueObject.optional(),
  /** Unix seconds. */
  PayTime: z.number().int().optional(),
  Products: z.array(yopointOrderProductSchema).optional(),
  /** Values UNKNOWN (§7). */
  TradeStatus: z.number().int().optional(),
  Price: z.number().optional(),
  IsSuspicious: z.number().int().optional(),
  RefundsProducts: z.array(yopointOrderProductSchema).optional(),
  RefundsPrice: z.number().optional(),
  RefundsRawData: opaqueObject.optional(),
  UserRefundsStatus: z.number().int().optional(),
  UserRefundsTime: z.number().int().optional(),
  UserRefundsReason: z.string().optional(),
});
export type YopointOrder = z.infer<typeof yopointOrderSchema>;

const unixSeconds = z.number().int().nonnegative();
/** apifox allows at most 100 per page (§4.7). */
const orderPageSize = z.number().int().positive().max(100);

/** `cabinet.order.list` biz_content as on the apifox page (§4.7). */
export const cabinetOrderListBizApifoxSchema = z.object({
  page: z.number().int().positive(),
  StartTime: unixSeconds,
  EndTime: unixSeconds,
  pageSize: orderPageSize,
});
/** `cabinet.order.list` biz_content as on the GitBook page (§4.7). */
export const cabinetOrderListBizGitbookSchema = z.object({
  page: z.number().int().positive(),
  startTime: unixSeconds,
  endTime: unixSeconds,
  pageSize: orderPageSize,
});
// UNVERIFIED: docs/vendors/yopoint.md §4.7 (key casing; the client picks one with `orderListKeys`)
export const cabinetOrderListBizSchema = z.union([cabinetOrderListBizApifoxSchema, cabinetOrderListBizGitbookSchema]);

/** GitBook returns `data` as an array; apifox is truncated (inference: the §1.2 paging block). */
// UNVERIFIED: docs/vendors/yopoint.md §4.7 (array vs paging block)
export const cabinetOrderListDataSchema = z.union([z.array(yopointOrderSchema), paged(yopointOrderSchema)]);

/** `cabinet.order.get`: `ReceiptNo` or `TradeNo`, one of the two required (§4.8). */
export const cabinetOrderGetBizSchema = z
  .object({ ReceiptNo: z.string().min(1).optional(), TradeNo: z.string().min(1).optional() })
  .refine((b) => b.ReceiptNo !== undefined || b.TradeNo !== undefined, 'ReceiptNo or TradeNo is required');

export const cabinetOrderGetDataSchema = yopointOrderSchema;

// ── §4.4 cabinet.open.door ──────────────────────────────────────────────────

/**
 * Parameters UNKNOWN (§4.4): the caller supplies the JSON object verbatim from
 * configuration or the vendor; we add no field of our own.
 */
// UNVERIFIED: docs/vendors/yopoint.md §4.4 (cabinet.open.door request and response unknown)
export const cabinetOpenDoorBizSchema = z.record(z.string(), z.json());
export const cabinetOpenDoorDataSchema = z.unknown();

// ── §5 webhooks ─────────────────────────────────────────────────────────────

/** The form fields of a notification (§5). Extra fields are kept. */
export const yopointNotifyFormSchema = z.looseObject({
  appid: z.string(),
  method: z.string().min(1),
  biz_content: z.string(),
  timestamp: z.string(),
  sign_type: z.string(),
  sign: z.string(),
});
export type YopointNotifyForm = z.infer<typeof yopointNotifyFormSchema>;

/** §5.1: a cabinet order finished payment. */
export const notifyCabinetOrderSimpleSchema = z.looseObject({
  ReceiptNo: z.string().min(1),
  CID: z.string(),
  /** Unix seconds (inference, §5.1). */
  PayTime: z.number().int(),
});

/** §5.3: the machine reported the door closed after `cabinet.open.door`. */
export const notifyCloseDoorSchema = z.looseObject({
  /** 1 the door was opened, 2 the door was not opened. */
  Status: z.number().int(),
  ReceiptNo: z.string().min(1),
  Msg: z.string(),
});

/** §5.4: a cabinet's configuration changed. Only `RequestID` is marked required. */
export const notifyCabinetChangedSchema = z.looseObject({
  /** Dedupe key across redeliveries. */
  RequestID: z.string().min(1),
  Name: z.string().optional(),
  DeviceCode: z.string().optional(),
  /** Production code, e.g. `108284445710`. */
  Code: z.string().optional(),
  /** Row / Col types are not documented. */
  CargoConfig: z
    .array(z.looseObject({ Row: z.union([z.number(), z.string()]).optional(), Col: z.union([z.number(), z.string()]).optional(), BarCode: z.string().optional() }))
    .optional(),
  EnableSell: z.boolean().optional(),
  /** 0 stopped, 1 selling, 2 awaiting deployment. */
  SellStatus: z.number().int().optional(),
  /** 0 offline, 1 online. */
  OnlineStatus: z.number().int().optional(),
  Province: z.string().optional(),
  City: z.string().optional(),
  District: z.string().optional(),
  ServicePhone: z.string().optional(),
  /** 0 power off, 1 power on. */
  ExtElectronicStatus: z.number().int().optional(),
  ReplenisherAccountID: z.string().optional(),
  /** Door count. */
  CabinetCount: z.number().int().optional(),
  /** `[lng, lat]`, Baidu map coordinates. */
  Location: z.tuple([z.number(), z.number()]).optional(),
});

/**
 * The receiver's reply (§5 "返回结果结构"): the API envelope's three fields,
 * `error_code` 0 = handled, non-zero = error. Exactly these keys.
 */
export const yopointNotifyAnswerSchema = z.strictObject({
  error_code: z.number().int(),
  error_msg: z.string(),
  data: z.strictObject({}),
});
export type YopointNotifyAnswer = z.infer<typeof yopointNotifyAnswerSchema>;

/**
 * The gateway methods and webhooks the agent uses (docs/vendors/README.md §1:
 * list / order / open, plus the `notify.*` receiver), as pure data. A client
 * validates what it sends and parses what it gets with these schemas; a mock
 * server does the reverse with the same table.
 */
export interface YopointMethodSpec {
  /** Spec section that documents the method. */
  readonly section: string;
  /** Schema of the object serialised into `biz_content`. */
  readonly request: z.ZodType;
  /** Schema of the envelope's `data` when `error_code` is 0. */
  readonly response: z.ZodType;
  /** True where the spec marks the request or response UNKNOWN. */
  readonly unverified: boolean;
}

export const yopointMethods = {
  'cabinet.list': { section: '§4.2', request: cabinetListBizSchema, response: cabinetListDataSchema, unverified: false },
  'cabinet.order.list': { section: '§4.7', request: cabinetOrderListBizSchema, response: cabinetOrderListDataSchema, unverified: false },
  'cabinet.order.get': { section: '§4.8', request: cabinetOrderGetBizSchema, response: cabinetOrderGetDataSchema, unverified: false },
  // UNVERIFIED: docs/vendors/yopoint.md §4.4 (parameters and response unknown; biz passed through verbatim)
  'cabinet.open.door': { section: '§4.4', request: cabinetOpenDoorBizSchema, response: cabinetOpenDoorDataSchema, unverified: true },
} as const satisfies Record<string, YopointMethodSpec>;

export type YopointMethod = keyof typeof yopointMethods;
export const YOPOINT_METHODS = Object.keys(yopointMethods) as YopointMethod[];
/** What a caller passes as biz_content for a method. */
export type YopointBizFor<M extends YopointMethod> = z.input<(typeof yopointMethods)[M]['request']>;
/** The parsed `data` of a successful response. */
export type YopointDataFor<M extends YopointMethod> = z.output<(typeof yopointMethods)[M]['response']>;

/** Webhook `method` → schema of its parsed `biz_content` (§5.1, §5.3, §5.4). */
export const yopointNotifications = {
  'notify.cabinet.order.simple': { section: '§5.1', biz: notifyCabinetOrderSimpleSchema },
  'notify.close.door': { section: '§5.3', biz: notifyCloseDoorSchema },
  'notify.cabinet.changed': { section: '§5.4', biz: notifyCabinetChangedSchema },
} as const;

export type YopointNotifyMethod = keyof typeof yopointNotifications;
export const YOPOINT_NOTIFY_METHODS = Object.keys(yopointNotifications) as YopointNotifyMethod[];
export type YopointNotifyBizFor<M extends YopointNotifyMethod> = z.output<(typeof yopointNotifications)[M]['biz']>;

export function isYopointNotifyMethod(method: string): method is YopointNotifyMethod {
  return Object.hasOwn(yopointNotifications, method);
}

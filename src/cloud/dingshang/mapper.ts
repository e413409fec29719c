/**
 * Dingshang ↔ cabinet-kiosk (docs/vendors/README.md §1):
 * - a used Dingshang code → `POST /consumes` with `trade_id` = our event id (§6.5);
 * - a service-mode cancel → `PUT /pickup_codes` (§6.4);
 * - the §6.3 code lists (per §4.4 product) → neutral codes for the local cache.
 * Pure. Nothing the spec does not name is sent; what our events lack is
 * returned as a typed refusal, never filled in.
 */
import { assertNever } from '../../shared/domain.js';
import type { OutboundEvent } from '../common/outbound-event.js';
import { consumeRequestSchema, DEFAULT_UTC_OFFSET_MINUTES, type DsPickupCode, type DsProduct, parseDsDateTime, pickupCodeCancelAllRequestSchema, pickupCodeCancelOneRequestSchema, type RequestOf, type ResponseOf } from './schemas.js';
import { DS_ERROR } from './errors.js';
import type { DsResponse } from './signer.js';

/** The `source` our code cache and `parcel.picked-up.codeSource` use for Dingshang codes. */
export const DINGSHANG_CODE_SOURCE = 'dingshang';

// ---------------------------------------------------------------- refusals

/** A field the spec requires that our domain data does not carry. */
export interface MissingField {
  /** The vendor field name (§6.5 etc.). */
  readonly field: 'code' | 'product_id';
  readonly why: string;
}
export type DsRefusal =
  /** The event has no Dingshang counterpart (another type, or a code from another source). */
  | { readonly reason: 'not-applicable'; readonly detail: string }
  | { readonly reason: 'missing-fields'; readonly missing: readonly MissingField[] }
  /** Our own data or config breaks the documented shape (e.g. `machine_no` not 8 digits). */
  | { readonly reason: 'invalid'; readonly detail: string };
export type MapResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: DsRefusal };

const refuse = (refusal: DsRefusal): { ok: false; refusal: DsRefusal } => ({ ok: false, refusal });

// ---------------------------------------------------------------- ids

/**
 * Our key for a Dingshang code: `{product_id}:{id}`. §6.3 `id` is what cancel
 * needs (§6.4) and `product_id` what consume needs (§6.5); the list is read
 * per product, so both are known when the code is cached, and a record id is
 * only documented as unique within that list.
 */
export function codeExternalId(productId: number, recordId: number): string {
  return `${productId}:${recordId}`;
}

export function parseCodeExternalId(externalId: string): { productId: number; recordId: number } | null {
  const m = /^([1-9]\d*):([1-9]\d*)$/.exec(externalId);
  if (m === null) return null;
  const productId = Number(m[1]);
  const recordId = Number(m[2]);
  return Number.isSafeInteger(productId) && Number.isSafeInteger(recordId) ? { productId, recordId } : null;
}

/**
 * - `compact-uuid`: a UUID event id without hyphens (32 hex digits), like the §6.5 request example.
 * - `as-is`: the event id unchanged (36 characters for a UUID).
 */
export const TRADE_ID_FORMATS = ['compact-uuid', 'as-is'] as const;
export type TradeIdFormat = (typeof TRADE_ID_FORMATS)[number];
// UNVERIFIED: docs/vendors/dingshang.md §5.1/§6.5 (trade_id length): "20–32 chars preferred, a uuid is fine"; whether a
// 36-char hyphenated uuid is accepted is not said, so the default keeps within 32 like the documented example.
export const DEFAULT_TRADE_ID_FORMAT: TradeIdFormat = 'compact-uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `trade_id` for an event id (docs/vendors/README.md §1: `trade_id` = the agent's event id). Non-UUID ids pass unchanged. */
export function tradeIdForEvent(eventId: string, format: TradeIdFormat = DEFAULT_TRADE_ID_FORMAT): string {
  return format === 'compact-uuid' && UUID.test(eventId) ? eventId.replaceAll('-', '').toLowerCase() : eventId;
}

/**
 * Whether an order's `trade_id` is this event's: the §6.5 response echoes the
 * 32-digit request value in hyphenated form, so compare hex digits only.
 * Used after 10025 to tell our earlier consume from someone else's (§5.2).
 */
export function tradeIdMatchesEvent(tradeId: string, eventId: string): boolean {
  const norm = (s: string): string => (UUID.test(s) || /^[0-9a-f]{32}$/i.test(s) ? s.replaceAll('-', '').toLowerCase() : s);
  return tradeId.length > 0 && norm(tradeId) === norm(eventId);
}

// ---------------------------------------------------------------- consume (§6.5)

export interface DsCallContext {
  /** `machine_no` of this cabinet (§1: 8 digits). */
  readonly machineNo: string;
  /** `timestamp`: Unix seconds as text, from the caller's clock (§1). */
  readonly timestamp: string;
}

export interface DsConsumeContext extends DsCallContext {
  /** Required by §6.5: where the dispense result is posted (§10). Our URL, including its token. */
  readonly notifyUrl: string;
  /** Default `compact-uuid`. */
  readonly tradeIdFormat?: TradeIdFormat;
}

/** What §6.5 needs beyond config. */
export interface ConsumeInput {
  /** The pickup code text. */
  readonly code: string;
  readonly productId: number;
  readonly tradeId: string;
}

/**
 * The code text of a picked-up parcel. Always null today: `parcel.picked-up`
 * carries `codeSource` and `codeExternalId` only, and the store keeps codes
 * as keyed hashes (docs/architecture.md §5, crash and power-loss rules).
 */
function plainCodeOf(_payload: Extract<OutboundEvent, { type: 'parcel.picked-up' }>['payload']): string | null {
  return null;
}

/** The §6.5 inputs from a `parcel.picked-up` event, or a refusal listing exactly what the event lacks. */
export function consumeInputFromEvent(event: OutboundEvent, format: TradeIdFormat = DEFAULT_TRADE_ID_FORMAT): MapResult<ConsumeInput> {
  if (event.type !== 'parcel.picked-up') return refuse({ reason: 'not-applicable', detail: `event type ${event.type} is not reported to Dingshang` });
  const p = event.payload;
  if (p.codeSource !== DINGSHANG_CODE_SOURCE) return refuse({ reason: 'not-applicable', detail: `code source ${p.codeSource} is not Dingshang` });
  const code = plainCodeOf(p);
  const ref = p.codeExternalId === null ? null : parseCodeExternalId(p.codeExternalId);
  const missing: MissingField[] = [];
  if (code === null) {
    missing.push({ field: 'code', why: 'parcel.picked-up carries no code text (codes are stored only as keyed hashes)' });
  }
  if (ref === null) {
    missing.push({ field: 'product_id', why: `codeExternalId ${JSON.stringify(p.codeExternalId)} is not a Dingshang cache id ({product_id}:{id})` });
  }
  if (code === null || ref === null) return refuse({ reason: 'missing-fields', missing });
  return { ok: true, value: { code, productId: ref.productId, tradeId: tradeIdForEvent(event.id, format) } };
}

/** The §6.5 request object (signed later by signer.ts `buildRequest`). */
export function consumeRequest(input: ConsumeInput, ctx: DsConsumeContext): MapResult<RequestOf<'consume'>> {
  const request = {
    machine_no: ctx.machineNo,
    method: 'event.consume.pickup_code',
    code: input.code,
    product_id: String(input.productId),
    notify_url: ctx.notifyUrl,
    trade_id: input.tradeId,
    timestamp: ctx.timestamp,
  } as const;
  const checked = consumeRequestSchema.safeParse(request);
  return checked.success ? { ok: true, value: request } : refuse({ reason: 'invalid', detail: checked.error.message });
}

/** `parcel.picked-up` → §6.5 request, or the refusal of `consumeInputFromEvent`. */
export function pickedUpToConsume(event: OutboundEvent, ctx: DsConsumeContext): MapResult<RequestOf<'consume'>> {
  const input = consumeInputFromEvent(event, ctx.tradeIdFormat);
  return input.ok ? consumeRequest(input.value, ctx) : input;
}

// UNVERIFIED: docs/vendors/dingshang.md §9 (error family): 10025 is documented with `data.order_id` (§6.5); 6033 "code used"
// of the newer table may mean the same but its body is undocumented, so it is not in the default.
/** Codes meaning "this code was already consumed" (docs/vendors/README.md §1: treat as delivered). Default `[10025]`. */
export const DEFAULT_ALREADY_USED_CODES: readonly number[] = [DS_ERROR.PICKUP_CODE_USED];

export type ConsumeOutcome =
  | { readonly kind: 'consumed'; readonly orderId: number; readonly tradeId: string; readonly recordIds: readonly number[]; readonly pickupCodeId: number }
  /** Delivered in effect; reconcile with `POST /orders/{order_id}` (§5.2) and `tradeIdMatchesEvent`. `orderId` null when absent. */
  | { readonly kind: 'already-consumed'; readonly code: number; readonly orderId: number | null }
  | { readonly kind: 'rejected'; readonly code: number; readonly message: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/** What a §6.5 response means for the outbox row. */
export function interpretConsume(res: DsResponse<ResponseOf<'consume'>>, alreadyUsedCodes: readonly number[] = DEFAULT_ALREADY_USED_CODES): ConsumeOutcome {
  switch (res.kind) {
    case 'ok':
      return { kind: 'consumed', orderId: res.data.order_id, tradeId: res.data.trade_id, recordIds: res.data.records.map((r) => r.id), pickupCodeId: res.data.pickup_code_id };
    case 'failure': {
      if (!alreadyUsedCodes.includes(res.code)) return { kind: 'rejected', code: res.code, message: res.message };
      const d = res.data;
      const orderId = typeof d === 'object' && d !== null && 'order_id' in d && Number.isSafeInteger(d.order_id) && Number(d.order_id) > 0 ? Number(d.order_id) : null;
      return { kind: 'already-consumed', code: res.code, orderId };
    }
    case 'malformed':
      return { kind: 'malformed', reason: res.reason };
    default:
      return assertNever(res, 'Dingshang response');
  }
}

// ---------------------------------------------------------------- cancel (§6.4)

/** Service mode: cancel one cached code by its cache id (`{product_id}:{id}`); §6.4 takes the record `id`. */
export function cancelCodeRequest(externalId: string, ctx: DsCallContext): MapResult<RequestOf<'pickupCodeCancelOne'>> {
  const ref = parseCodeExternalId(externalId);
  if (ref === null) return refuse({ reason: 'invalid', detail: `${JSON.stringify(externalId)} is not a Dingshang cache id ({product_id}:{id})` });
  const request = { machine_no: ctx.machineNo, method: 'pickup_code.delete.id', id: String(ref.recordId), timestamp: ctx.timestamp } as const;
  const checked = pickupCodeCancelOneRequestSchema.safeParse(request);
  return checked.success ? { ok: true, value: request } : refuse({ reason: 'invalid', detail: checked.error.message });
}

/** Service mode: cancel every code of the machine (§6.4 `pickup_code.delete.all`). */
export function cancelAllCodesRequest(ctx: DsCallContext): MapResult<RequestOf<'pickupCodeCancelAll'>> {
  const request = { machine_no: ctx.machineNo, method: 'pickup_code.delete.all', timestamp: ctx.timestamp } as const;
  const checked = pickupCodeCancelAllRequestSchema.safeParse(request);
  return checked.success ? { ok: true, value: request } : refuse({ reason: 'invalid', detail: checked.error.message });
}

// ---------------------------------------------------------------- code cache (§4.4 + §6.3)

/** The lane of a product (§4.4 `channel`), the only compartment reference the spec gives for a code. */
export interface DsLane {
  /** `channel.name`, e.g. "A21". */
  readonly name: string;
  /** `channel.cabinet_name`, "A" = main cabinet. */
  readonly cabinet: string;
  /** `channel.code`, the motor number, e.g. "020". */
  readonly motorCode: string;
  /** `channel.x`, 0-based; null when absent. */
  readonly row: number | null;
  /** `channel.y`, 0-based; null when absent. */
  readonly column: number | null;
  /** `channel.addr`, driver board, 1-based; null when absent. */
  readonly board: number | null;
}

/** A Dingshang code as the local cache needs it. src/main hashes `code` before storing and maps `lane` to a compartment. */
export interface DsCacheCode {
  /** `codeExternalId(productId, recordId)`. */
  readonly externalId: string;
  /** §6.3 `id`. */
  readonly recordId: number;
  /** §4.4 `id`. */
  readonly productId: number;
  /** §6.3 `code`, the text the customer types. Never log it. */
  readonly code: string;
  /** §6.3 `quantity`, items per code (default 1). */
  readonly quantity: number;
  readonly lane: DsLane;
  /** §6.3 `created_at` as epoch ms (inference: a code is valid once created); null when absent or unparseable. */
  readonly validFrom: number | null;
  /** §6.3 `expired_at` as epoch ms; null = never expires (empty or absent). */
  readonly validUntil: number | null;
}

export type CodeSkipReason = 'not-unused' | 'no-record-id' | 'no-code' | 'no-product-id' | 'bad-expired-at' | 'duplicate';

export interface CacheCodesOptions {
  /** Vendor wall-clock offset, minutes east of UTC. Default 480 (GMT+8, §6.1). */
  readonly utcOffsetMinutes?: number;
  /**
   * A code whose `status` is absent. `unused` (default): §6.3 returns only
   * unused, unexpired codes, and protobuf leaves zero values out (§1).
   * `skip`: drop it.
   */
  readonly omittedStatus?: 'unused' | 'skip';
}

const laneOf = (p: DsProduct): DsLane => {
  const index = (t: string): number | null => (/^\d+$/.test(t) ? Number(t) : null);
  const c = p.channel;
  return { name: c.name, cabinet: c.cabinet_name, motorCode: c.code, row: index(c.x), column: index(c.y), board: c.addr > 0 ? c.addr : null };
};

function skipReason(product: DsProduct, code: DsPickupCode, omittedStatus: 'unused' | 'skip'): CodeSkipReason | null {
  // UNVERIFIED: docs/vendors/dingshang.md §6.3/§1 (omitted `status`): absent status read as UNUSED unless `omittedStatus: 'skip'`.
  const unused = code.status === 'UNUSED' || (code.status === '' && omittedStatus === 'unused');
  if (!unused) return 'not-unused';
  if (product.id <= 0) return 'no-product-id';
  if (code.id <= 0) return 'no-record-id';
  if (code.code.length === 0) return 'no-code';
  return null;
}

/**
 * §6.3 lists (one per §4.4 product) → neutral cache codes. Codes that are
 * not usable are listed in `skipped` by ids only (never the code text).
 * An unparseable `expired_at` is skipped: a code with an unknown end must not
 * be treated as "never expires".
 */
export function cacheCodesFromProducts(
  lists: ReadonlyArray<{ readonly product: DsProduct; readonly codes: readonly DsPickupCode[] }>,
  opts: CacheCodesOptions = {},
): { codes: DsCacheCode[]; skipped: Array<{ productId: number; recordId: number; reason: CodeSkipReason }> } {
  const offset = opts.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const codes: DsCacheCode[] = [];
  const skipped: Array<{ productId: number; recordId: number; reason: CodeSkipReason }> = [];
  const seen = new Set<string>();
  for (const { product, codes: list } of lists) {
    for (const c of list) {
      const validUntil = c.expired_at === '' ? null : parseDsDateTime(c.expired_at, offset);
      const reason = skipReason(product, c, opts.omittedStatus ?? 'unused') ?? (c.expired_at !== '' && validUntil === null ? 'bad-expired-at' : null);
      const externalId = codeExternalId(product.id, c.id);
      if (reason === null && seen.has(externalId)) skipped.push({ productId: product.id, recordId: c.id, reason: 'duplicate' });
      else if (reason !== null) skipped.push({ productId: product.id, recordId: c.id, reason });
      else {
        seen.add(externalId);
        const validFrom = c.created_at === '' ? null : parseDsDateTime(c.created_at, offset);
        codes.push({ externalId, recordId: c.id, productId: product.id, code: c.code, quantity: c.quantity, lane: laneOf(product), validFrom, validUntil });
      }
    }
  }
  return { codes, skipped };
}

/**
 * Dingshang `device.delivery.response` callbacks (docs/vendors/dingshang.md §10) → the
 * neutral inbox record, the counterpart of yopoint/mapper.ts. Pure.
 *
 * §10 gives the callback no id of its own: `order_id` and `record_id` name
 * the order line, not the push, and one line can be pushed more than once
 * (a result, then the 120 s fallback, §7.1). So the dedupe key is derived
 * from the content: SHA-256 of the canonical JSON of every body field but
 * `sign`. A redelivery of the same push gets the same key; a push that says
 * something new gets a new one. Two genuinely separate pushes with identical
 * content collapse into one record, which says nothing the first did not.
 */
import type { DeliveryResult } from '../dingshang/callback.js';
import { contentKey } from './content-key.js';

export const DINGSHANG_SOURCE = 'dingshang';

export type DingshangInboundEvent =
  /** §10 `device.delivery.response`, read by dingshang/callback.ts `deliveryResultOf`. */
  | ({ type: 'delivery-result' } & DeliveryResult)
  /** Authentic JSON that is not a documented §10 body (expiry/invalidation pushes, §10); only `raw` says what it was. */
  | { type: 'unrecognised' };

export interface DingshangInbound {
  source: typeof DINGSHANG_SOURCE;
  /** `dingshang:sha256:<hex>` of the body without `sign` (see above). */
  commandId: string;
  /** The body's `method` when it is a string (§10: always `device.delivery.response`), else null. */
  vendorMethod: string | null;
  event: DingshangInboundEvent;
  /** The JSON body as received, `sign` included when present. */
  raw: Readonly<Record<string, unknown>>;
}

/** Throws TypeError only for a value JSON.parse cannot produce (never for a parsed body). */
export function mapDingshangCallback(raw: Readonly<Record<string, unknown>>, result: DeliveryResult | null): DingshangInbound {
  const signed = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'sign'));
  return {
    source: DINGSHANG_SOURCE,
    commandId: `${DINGSHANG_SOURCE}:${contentKey(signed)}`,
    vendorMethod: typeof raw.method === 'string' ? raw.method : null,
    event: result === null ? { type: 'unrecognised' } : { type: 'delivery-result', ...result },
    raw,
  };
}

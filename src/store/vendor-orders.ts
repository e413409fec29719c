/**
 * Orders a vendor told us about (Yopoint `notify.cabinet.order.simple`,
 * docs/vendors/yopoint.md §5.1), completed with the vendor's own record of
 * the order once it could be fetched (§4.8). Kept for service mode and
 * `status`; nothing in the cabinet acts on them.
 */
import { z } from 'zod';
import type { Db, ReadDb } from './db.js';
import { epochMs, fromJson, parseRows, toJson } from './rows.js';

export interface VendorOrder {
  source: string;
  orderRef: string;
  cabinetRef: string | null;
  paidAt: number | null;
  receivedAt: number;
  /** The vendor's record of the order as it answered (JSON), null until fetched. */
  detail: unknown;
  fetchedAt: number | null;
  /** Why the last fetch failed; null once fetched. */
  fetchError: string | null;
}

/** A notification: recorded once per (source, order); a redelivery refreshes nothing but the cabinet and payment time. */
export function recordNotifiedOrder(db: Db, o: { source: string; orderRef: string; cabinetRef: string | null; paidAt: number | null; receivedAt: number }): void {
  db.stmt(`INSERT INTO vendor_orders (source, order_ref, cabinet_ref, paid_at, received_at, updated_at)
           VALUES (@source, @orderRef, @cabinetRef, @paidAt, @receivedAt, @receivedAt)
           ON CONFLICT (source, order_ref) DO UPDATE SET cabinet_ref = excluded.cabinet_ref, paid_at = excluded.paid_at, updated_at = excluded.updated_at`).run(o);
}

/** The vendor's record of the order (what its order query answered). Throws TypeError for a value JSON cannot hold. */
export function completeVendorOrder(db: Db, source: string, orderRef: string, detail: unknown, now: number): void {
  db.stmt(`UPDATE vendor_orders SET detail = @detail, fetched_at = @now, fetch_error = NULL, updated_at = @now
           WHERE source = @source AND order_ref = @orderRef`).run({ source, orderRef, detail: toJson(detail), now });
}

/** The fetch failed: kept with the order so it shows, and tried again by the next notification. */
export function failVendorOrderFetch(db: Db, source: string, orderRef: string, error: string, now: number): void {
  db.stmt(`UPDATE vendor_orders SET fetch_error = @error, updated_at = @now WHERE source = @source AND order_ref = @orderRef`).run({ source, orderRef, error, now });
}

const Row = z.object({
  source: z.string(),
  order_ref: z.string(),
  cabinet_ref: z.string().nullable(),
  paid_at: epochMs.nullable(),
  received_at: epochMs,
  detail: z.string().nullable(),
  fetched_at: epochMs.nullable(),
  fetch_error: z.string().nullable(),
});

/** The newest orders first, at most `limit`. Throws StoreError('corrupt-row'). */
export function listVendorOrders(db: ReadDb, limit: number): VendorOrder[] {
  const raws = db.stmt(`SELECT source, order_ref, cabinet_ref, paid_at, received_at, detail, fetched_at, fetch_error FROM vendor_orders ORDER BY received_at DESC LIMIT ?`).all(limit);
  return parseRows(Row, raws, 'vendor_orders').map((r) => ({
    source: r.source,
    orderRef: r.order_ref,
    cabinetRef: r.cabinet_ref,
    paidAt: r.paid_at,
    receivedAt: r.received_at,
    detail: r.detail === null ? null : fromJson(r.detail, 'vendor_orders', r.order_ref),
    fetchedAt: r.fetched_at,
    fetchError: r.fetch_error,
  }));
}

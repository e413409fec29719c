/**
 * Yopoint webhooks → a vendor-neutral inbound record for the inbox
 * (src/store/inbox.ts: `commandId`, `source`, `type`; src/main records it).
 * Only the receiver role of docs/vendors/README.md §1 applies here: the gateway calls
 * return vendor data the flows do not consume as domain events yet.
 * Vendor field names stop at this file; `raw` keeps the payload as received.
 */
import { assertNever } from '../../shared/domain.js';
import type { YopointNotification } from './callback.js';

export const YOPOINT_SOURCE = 'yopoint';

/** §7 SellStatus. */
export type CabinetSellState = 'stopped' | 'selling' | 'awaiting-deployment' | 'unknown';

export type YopointInboundEvent =
  /** §5.1 notify.cabinet.order.simple: a cabinet order finished payment. */
  | { type: 'order-paid'; orderRef: string; cabinetRef: string; paidAtMs: number }
  /** §5.3 notify.close.door: the device reported the door closed; `doorOpened` null for an undocumented Status. */
  | { type: 'door-close-report'; orderRef: string; doorOpened: boolean | null; message: string }
  /** §5.4 notify.cabinet.changed. Absent fields are null. */
  | {
      type: 'cabinet-changed';
      name: string | null;
      deviceCode: string | null;
      productionCode: string | null;
      online: boolean | null;
      sellState: CabinetSellState | null;
      powered: boolean | null;
      doorCount: number | null;
    }
  /** Authentic but not understood; only `raw` says what it was. */
  | { type: 'unrecognised'; problem: string };

export interface YopointInbound {
  source: typeof YOPOINT_SOURCE;
  /**
   * Inbox dedupe key (§9: dedupe on method + ReceiptNo / RequestID). An
   * unrecognised notification falls back to its `sign`, which changes with
   * the timestamp, so only a byte-identical redelivery is caught.
   */
  commandId: string;
  vendorMethod: string;
  /** The notification's own timestamp in ms, null when unreadable. */
  sentAtMs: number | null;
  event: YopointInboundEvent;
  raw: Readonly<Record<string, string>>;
}

export function mapYopointNotification(n: YopointNotification): YopointInbound {
  const base = { source: YOPOINT_SOURCE, vendorMethod: n.method, sentAtMs: n.sentAtMs, raw: n.raw } as const;
  const key = (id: string): string => `${YOPOINT_SOURCE}:${n.method}:${id}`;
  if (!n.known) return { ...base, commandId: key(`sign:${n.raw.sign ?? ''}`), event: { type: 'unrecognised', problem: n.problem } };
  switch (n.method) {
    case 'notify.cabinet.order.simple':
      // UNVERIFIED: docs/vendors/yopoint.md §5.1 (PayTime unit: Unix seconds is inference, as on orders §4.8)
      return { ...base, commandId: key(n.biz.ReceiptNo), event: { type: 'order-paid', orderRef: n.biz.ReceiptNo, cabinetRef: n.biz.CID, paidAtMs: n.biz.PayTime * 1000 } };
    case 'notify.close.door':
      return {
        ...base,
        commandId: key(n.biz.ReceiptNo),
        event: { type: 'door-close-report', orderRef: n.biz.ReceiptNo, doorOpened: n.biz.Status === 1 ? true : n.biz.Status === 2 ? false : null, message: n.biz.Msg },
      };
    case 'notify.cabinet.changed': {
      const b = n.biz;
      return {
        ...base,
        commandId: key(b.RequestID),
        event: {
          type: 'cabinet-changed',
          name: b.Name ?? null,
          deviceCode: b.DeviceCode ?? null,
          productionCode: b.Code ?? null,
          online: flag(b.OnlineStatus),
          sellState: b.SellStatus === undefined ? null : sellState(b.SellStatus),
          powered: flag(b.ExtElectronicStatus),
          doorCount: b.CabinetCount ?? null,
        },
      };
    }
    default:
      return assertNever(n, 'yopoint notification');
  }
}

/** §7 OnlineStatus / ExtElectronicStatus: 0 / 1; anything else is unknown. */
function flag(v: number | undefined): boolean | null {
  return v === 1 ? true : v === 0 ? false : null;
}

function sellState(v: number): CabinetSellState {
  return v === 0 ? 'stopped' : v === 1 ? 'selling' : v === 2 ? 'awaiting-deployment' : 'unknown';
}

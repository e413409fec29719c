import { join } from 'node:path';
import type { z } from 'zod';
import { CONTRACT_VERSION, type CallName, type CallOutput, type calls, type DESTINATION_STATES, type PushedEvent, type StaffRole } from '../../shared/contract.js';
import { KioskError } from '../../shared/errors.js';
import type { Agent } from '../agent.js';
import { withTimeout } from '../util/with-timeout.js';
import * as store from '../../store/index.js';
import { cabinetMapView } from '../config/cabinet-map.js';
import { tailLog } from './log-tail.js';
import { cabinetOverview, healthOf } from './views.js';

/** What a handler may touch: the agent, and the role this connection logged in as. */
export interface HandlerContext {
  agent: Agent;
  shell: 'electron' | 'browser';
  role: StaffRole | null;
  setRole(role: StaffRole | null): void;
  recentErrors(): Array<{ at: number; message: string }>;
  /** Pushes an event to this connection only (not to every screen). */
  tell(event: PushedEvent): void;
}

type Handlers = {
  [N in CallName]: (ctx: HandlerContext, input: z.output<(typeof calls)[N]['input']>) => Promise<CallOutput<N>> | CallOutput<N>;
};

/** A drop-off's code waits for the door: long enough for a slow courier, short enough that a lost screen frees the call. */
const AWAIT_STORED_MS = 5 * 60_000;

/**
 * Each contract call as the story it tells, in the words of the Kiosk
 * use-cases. Inputs arrive parsed and the role already checked
 * (contract-session.ts); what a handler returns is checked against the
 * contract before it leaves.
 */
export const handlers: Handlers = {
  'session.info': ({ agent, shell }) => {
    const { cabinet, pickup, ui, staff } = agent.config;
    return {
      contractVersion: CONTRACT_VERSION,
      cabinetId: cabinet.id,
      cabinetName: cabinet.name ?? null,
      supportPhone: cabinet.supportPhone ?? null,
      supportQr: cabinet.supportQr ?? null,
      // Locally issued codes have `codeDigits`; vendor codes (issue 4) may be 6–8.
      codeLength: { min: Math.min(6, pickup.codeDigits), max: Math.max(8, pickup.codeDigits) },
      defaultLanguage: ui.defaultLanguage,
      idleResetMs: ui.idleResetMs,
      serviceIdleExitMs: staff.sessionIdleMs,
      outageAfterMs: ui.outageAfterMs,
      sound: ui.sound,
      voice: ui.voice,
      cabinetMap: agent.config.layout ? cabinetMapView(agent.config.layout) : null,
      shell,
    };
  },
  'keypad.activity': ({ agent }) => {
    agent.kiosk.customerActive();
    return null;
  },
  pickup: async ({ agent, tell }, { code }) => {
    const opened = await agent.kiosk.pickup(code, 'keypad', (compartmentId) => tell({ type: 'door-opening', compartmentId }));
    return { outcome: opened.outcome, compartmentId: opened.compartmentId, board: opened.board, lock: opened.lock, reopened: opened.reopened, opensLeft: opened.opensLeft };
  },
  'cabinet.overview': ({ agent }) => cabinetOverview(agent),
  'health.get': ({ agent }) => healthOf(agent),

  'staff.login': ({ agent, setRole }, { role, pin }) => {
    const { courierPin, technicianPin } = agent.config.staff;
    setRole(agent.kiosk.verifyStaffPin(role, pin, { courier: courierPin, technician: technicianPin }));
    return { role };
  },
  'staff.logout': ({ setRole }) => {
    setRole(null);
    return null;
  },

  'dropoff.start': async ({ agent, role }, { size, trackingNo }) => {
    const ticket = await agent.kiosk.startDropoff({ size, trackingNo: trackingNo ?? null, courier: null, actor: `${role}:keypad` });
    return { outcome: ticket.outcome, parcelId: ticket.parcelId, compartmentId: ticket.compartmentId, board: ticket.board, lock: ticket.lock, size: ticket.size };
  },
  'dropoff.awaitStored': async ({ agent }, { parcelId }) => {
    const stored = await withTimeout(agent.kiosk.whenStored(parcelId), AWAIT_STORED_MS, () => new KioskError('door-still-open', 'the door is still open; the code is issued when it closes', { parcelId }));
    return { parcelId: stored.parcelId, compartmentId: stored.compartmentId, code: stored.code, expiresAt: stored.expiresAt };
  },
  'return.list': ({ agent }) => {
    const sizes = new Map(agent.config.compartments.map((c) => [c.id, c.size]));
    return agent.kiosk.parcelsToReturn().map((p) => ({
      compartmentId: p.compartmentId,
      size: sizes.get(p.compartmentId) ?? 'M',
      state: p.state,
      trackingNo: p.trackingNo,
      storedAt: p.storedAt,
      expiresAt: p.expiresAt,
    }));
  },
  'check.list': ({ agent }) =>
    agent.kiosk.needsCheck().map((c) => ({ compartmentId: c.compartmentId, board: c.board, lock: c.lock, kind: c.kind, parcelExpected: c.parcelExpected, since: c.since })),
  'check.answer': async ({ agent, role }, { compartmentId, parcelInside }) => {
    const answered = await agent.kiosk.answerCheck(compartmentId, parcelInside, `${role}:keypad`);
    return { compartmentId: answered.compartmentId, resolution: answered.resolution, code: answered.code, expiresAt: answered.expiresAt };
  },
  'return.open': async ({ agent, role }, { compartmentId }) => {
    // The screen offers only what parcelsToReturn lists; a stored parcel goes back on the operator's word alone.
    if (!agent.kiosk.parcelsToReturn().some((p) => p.compartmentId === compartmentId)) {
      throw new KioskError('parcel-not-returnable', `compartment ${compartmentId} holds no expired or cancelled parcel`, { compartmentId });
    }
    return agent.kiosk.returnParcel(compartmentId, `${role}:keypad`);
  },

  'service.open': ({ agent }, { compartmentId }) => agent.kiosk.openCompartment(compartmentId, 'technician:keypad'),
  'service.openAll': ({ agent }) => agent.kiosk.openAll('technician:keypad'),
  'service.setOutOfService': ({ agent }, { compartmentId, outOfService, reason }) => {
    agent.kiosk.setOutOfService(compartmentId, outOfService, reason, 'technician:keypad');
    return null;
  },
  'service.outbox': ({ agent }) => {
    const now = Date.now();
    const stats = store.outboxStats(agent.db, now);
    return {
      pending: stats.pending,
      dead: stats.dead,
      delivered: stats.delivered,
      skipped: stats.skipped,
      oldestPendingAgeMs: stats.oldestPendingAgeMs,
      destinations: destinationRows(stats.byDestination, agent.cloud.destinations()),
      unsent: store.listUnsent(agent.db, now, UNSENT_LIST_LIMIT).map(({ eventId, eventType, destination, state, reason, ageMs }) => ({ eventId, eventType, destination, state, reason, ageMs })),
      vendorOrders: store.listVendorOrders(agent.db, VENDOR_LIST_LIMIT).map((o) => ({ source: o.source, orderRef: o.orderRef, receivedAt: o.receivedAt, paidAt: o.paidAt, fetched: o.fetchedAt !== null, fetchError: o.fetchError })),
      vendorResults: store.listVendorResults(agent.db, VENDOR_LIST_LIMIT).map((r) => ({ destination: r.destination, vendorRef: r.vendorRef, eventType: r.eventType, at: r.at, ...vendorWords(r.result) })),
    };
  },
  'service.cancelVendorCodes': ({ agent }, { compartmentId }) => agent.cloud.cancelVendorCodes(compartmentId, 'technician:keypad'),
  'service.retryDead': ({ agent }) => {
    agent.cloud.resumePaused();
    return { retried: agent.kiosk.retryDeadOutbox('technician:keypad') };
  },
  'service.diagnostics': ({ agent, recentErrors }) => {
    const d = agent.hardware.cabinet.diagnostics();
    return {
      port: d.path,
      baudRate: d.baudRate,
      connected: d.connected,
      boards: d.boards.map((b) => ({ address: b.address, protocol: b.protocol, locks: b.locks })),
      stats: { ...d.stats },
      lastFrames: d.lastFrames,
      recentErrors: recentErrors(),
    };
  },
  'commission.begin': ({ agent }) => agent.commissioning.begin(),
  'commission.scan': ({ agent, tell }) => agent.commissioning.scan((p) => tell({ type: 'commission-scan', baudRate: p.baudRate, protocol: p.protocol, found: p.found ?? null })),
  'commission.pulse': ({ agent }, { board, lock }) => agent.commissioning.pulse(board, lock),
  'commission.save': ({ agent }, { doors }) => agent.commissioning.save(doors),
  'commission.cancel': ({ agent }) => agent.commissioning.cancel(),
  'service.logTail': ({ agent }, { lines }) => tailLog(join(agent.config.dataDir, 'logs'), lines),
  'screen.reportCrash': ({ agent }, report) => {
    agent.health.recordScreenCrash(report);
    return null;
  },
};

/** Dead and skipped rows the service screen lists, of each: enough to see a pattern, small enough for one screen. */
const UNSENT_LIST_LIMIT = 50;
/** Vendor orders and vendor results the service screen lists, of each. */
const VENDOR_LIST_LIMIT = 20;

/**
 * A vendor result's outcome and reason, where the stored result names them
 * (a Dingshang delivery result: `outcome`, `failReason` or `laneStatus`);
 * null where it does not.
 */
export function vendorWords(result: unknown): { outcome: string | null; reason: string | null } {
  const r = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : null);
  return { outcome: text(r['outcome']), reason: text(r['failReason']) ?? text(r['laneStatus']) };
}

/** Each destination's queue beside its connection: configured ones first, in configuration order, then queues without a sender. */
export function destinationRows(
  queues: Record<string, { pending: number; dead: number; skipped: number }>,
  health: ReadonlyArray<{ name: string; state: 'online' | 'offline' | 'paused' | 'idle'; lastError: string | null }>,
) {
  const rows: Array<{ destination: string; pending: number; dead: number; skipped: number; state: (typeof DESTINATION_STATES)[number]; lastError: string | null }> = health.map((h) => ({
    destination: h.name,
    pending: queues[h.name]?.pending ?? 0,
    dead: queues[h.name]?.dead ?? 0,
    skipped: queues[h.name]?.skipped ?? 0,
    state: h.state,
    lastError: h.lastError,
  }));
  const known = new Set(rows.map((r) => r.destination));
  for (const [destination, n] of Object.entries(queues)) {
    if (!known.has(destination)) rows.push({ destination, pending: n.pending, dead: n.dead, skipped: n.skipped, state: 'queue-only', lastError: null });
  }
  return rows;
}

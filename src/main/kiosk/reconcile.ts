import type { DoorState } from '../../shared/domain.js';
import * as store from '../../store/index.js';
import type { OpenIntent } from '../../store/index.js';
import type { FlowContext, OpenRequest } from './context.js';
import { recordEvent, requireCompartment } from './door-open.js';
import { completePickup } from './pickup.js';
import { completeReturn } from './service.js';

export interface ReconcileReport {
  intentId: string;
  kind: OpenIntent['kind'];
  compartmentId: string;
  door: DoorState;
  result: 'opened' | 'unknown';
}

/**
 * After a restart, an open intent without a result is settled by READING the
 * door, never by pulsing it again (ARCHITECTURE.md, crash rules): an open door
 * means the pulse happened; a closed or unreadable one leaves the parcel as it
 * was, so the customer's code still works. A drop-off cut off mid-way parks its
 * compartment out of service for a technician to look inside.
 *
 * Returns the drop-offs still waiting for their door to close, and those whose
 * door opened and closed while the agent was down (the caller stores them).
 */
export async function reconcileOpenIntents(ctx: FlowContext): Promise<{ reports: ReconcileReport[]; awaitingClose: string[]; closedWhileDown: string[] }> {
  const reports: ReconcileReport[] = [];
  const awaitingClose: string[] = [];
  for (const intent of store.unresolvedIntents(ctx.db)) {
    const compartment = requireCompartment(ctx, intent.compartmentId);
    const door = await ctx.doors.readDoor(compartment.board, compartment.lock).catch((): DoorState => 'unknown');
    const opened = door === 'open';
    const at = ctx.clock();
    const req: OpenRequest = { kind: intent.kind, compartmentId: intent.compartmentId, parcelId: intent.parcelId, codeId: intent.codeId, actor: 'system:reconcile' };
    store.inTransaction(ctx.db, () => {
      store.resolveOpenIntent(ctx.db, intent.id, opened ? 'opened' : 'unknown', at, `reconciled: door ${door}`);
      if (opened) settleOpened(ctx, intent, req, at, awaitingClose);
      else settleUnconfirmed(ctx, intent, door, at);
      store.appendAudit(ctx.db, { at, actor: req.actor, action: 'intent.reconciled', compartmentId: intent.compartmentId, parcelId: intent.parcelId, detail: { intentId: intent.id, kind: intent.kind, door } });
    });
    reports.push({ intentId: intent.id, kind: intent.kind, compartmentId: intent.compartmentId, door, result: opened ? 'opened' : 'unknown' });
  }
  const closedWhileDown: string[] = [];
  for (const parcel of store.listParcels(ctx.db, { states: ['awaiting-dropoff'] })) {
    if (awaitingClose.includes(parcel.id)) continue;
    if (!dropoffDoorOpened(ctx, parcel.id)) {
      // Its door was never confirmed open (a database from before parcels were
      // created with their intent): nothing can be inside, so no code is issued.
      const at = ctx.clock();
      store.inTransaction(ctx.db, () => {
        store.transitionParcel(ctx.db, parcel.id, 'cancelled', at);
        store.appendAudit(ctx.db, { at, actor: 'system:reconcile', action: 'dropoff.cancelled-unopened', compartmentId: parcel.compartmentId, parcelId: parcel.id });
      });
      continue;
    }
    // Its open was confirmed before the restart: the door decides what happened since.
    const compartment = requireCompartment(ctx, parcel.compartmentId);
    const door = await ctx.doors.readDoor(compartment.board, compartment.lock).catch((): DoorState => 'unknown');
    if (door === 'closed') closedWhileDown.push(parcel.id);
    else awaitingClose.push(parcel.id);
  }
  return { reports, awaitingClose, closedWhileDown };
}

function settleOpened(ctx: FlowContext, intent: OpenIntent, req: OpenRequest, at: number, awaitingClose: string[]): void {
  const parcel = intent.parcelId ? store.getParcel(ctx.db, intent.parcelId) : undefined;
  switch (intent.kind) {
    case 'pickup': {
      const code = intent.codeId !== null ? store.getPickupCode(ctx.db, intent.codeId) : undefined;
      if (code && code.state === 'active' && (!parcel || parcel.state === 'stored')) completePickup(ctx, code, req, 'reconciled', at);
      return;
    }
    case 'dropoff':
      if (parcel?.state === 'awaiting-dropoff') awaitingClose.push(parcel.id);
      return;
    case 'return':
      if (parcel && parcel.state !== 'returned' && parcel.state !== 'picked-up') completeReturn(ctx, parcel, req.actor, at);
      return;
    case 'technician':
    case 'remote':
      return;
  }
}

function settleUnconfirmed(ctx: FlowContext, intent: OpenIntent, door: DoorState, at: number): void {
  const compartment = requireCompartment(ctx, intent.compartmentId);
  const ids = { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock };
  recordEvent(ctx, { type: 'door.open-unconfirmed', compartmentId: compartment.id, parcelId: intent.parcelId, payload: { ...ids, kind: intent.kind, door, at } }, at);
  const parcel = intent.parcelId ? store.getParcel(ctx.db, intent.parcelId) : undefined;
  if (intent.kind !== 'dropoff' || parcel?.state !== 'awaiting-dropoff') return;
  // We cannot tell whether the courier put the parcel in: nobody gets a code
  // for it, and nobody else gets this compartment until a technician looked.
  store.transitionParcel(ctx.db, parcel.id, 'cancelled', at);
  store.setOutOfService(ctx.db, compartment.id, true, 'drop-off interrupted by a restart: check inside', at);
  recordEvent(ctx, { type: 'parcel.dropoff-interrupted', parcelId: parcel.id, compartmentId: compartment.id, payload: { parcelId: parcel.id, ...ids, at } }, at);
}

function dropoffDoorOpened(ctx: FlowContext, parcelId: string): boolean {
  return store.intentsForParcel(ctx.db, parcelId).some((i) => i.kind === 'dropoff' && i.result === 'opened');
}

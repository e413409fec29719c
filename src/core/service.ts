import type { DoorOutcome } from '../shared/domain.js';
import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { Parcel } from '../store/index.js';
import type { Actor, FlowContext, OpenRequest } from './context.js';
import { pulseDoor, recordEvent, recordResult, requireCheck, requireCompartment } from './door-open.js';

export interface DoorOpened {
  outcome: DoorOutcome;
  compartmentId: string;
  board: number;
  lock: number;
}

/**
 * A technician (or a remote operator) opens any compartment, out of service or
 * not, parcel or not. Audited and queued like every other open. When the
 * outcome is `unknown` and a parcel should be inside, the compartment waits
 * for a check: nobody else saw whether the parcel is still there.
 * Must be called while holding `ctx.mutex`.
 */
export async function openCompartment(ctx: FlowContext, compartmentId: string, actor: Actor, kind: 'technician' | 'remote' = 'technician'): Promise<DoorOpened> {
  const req: OpenRequest = { kind, compartmentId, parcelId: store.occupantOf(ctx.db, compartmentId)?.id ?? null, actor };
  const attempt = await pulseDoor(ctx, req);
  const { at, compartment } = attempt;
  recordResult(ctx, req, attempt, () => {
    if (attempt.outcome === 'opened') {
      recordEvent(ctx, {
        type: 'door.opened',
        compartmentId: compartment.id,
        parcelId: req.parcelId ?? null,
        payload: { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, kind, actor, at },
      }, at);
      store.appendAudit(ctx.db, { at, actor, action: `${kind}.opened`, compartmentId: compartment.id, parcelId: req.parcelId ?? null });
    } else if (attempt.outcome === 'unknown') {
      recordEvent(ctx, { type: 'door.open-unconfirmed', compartmentId: compartment.id, parcelId: req.parcelId ?? null, payload: { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, kind, door: 'unknown', at } }, at);
      if (req.parcelId) requireCheck(ctx, { compartment, kind, parcelId: req.parcelId, intentId: attempt.intentId, reason: `${kind} open ${attempt.driver}` }, at);
    }
  });
  return { outcome: attempt.outcome, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock };
}

/** Parcels an employee may take back out: expired, cancelled while inside, or recalled while stored. */
const RETURNABLE: ReadonlyArray<Parcel['state']> = ['expired', 'cancelled', 'stored'];

/**
 * Employee return: opens the parcel's compartment and records it `returned`,
 * its codes cancelled, the event queued. `unknown`: the employee is asked
 * whether the parcel is still inside before anything changes.
 * Must be called while holding `ctx.mutex`.
 */
export async function returnParcel(ctx: FlowContext, compartmentId: string, actor: Actor): Promise<DoorOpened & { parcelId: string }> {
  const parcel = store.occupantOf(ctx.db, compartmentId);
  if (!parcel) throw new KioskError('parcel-not-found', `compartment ${compartmentId} holds no parcel`, { compartmentId });
  if (!RETURNABLE.includes(parcel.state)) {
    throw new KioskError('parcel-not-returnable', `parcel in compartment ${compartmentId} is ${parcel.state}`, { compartmentId, state: parcel.state });
  }
  const req: OpenRequest = { kind: 'return', compartmentId, parcelId: parcel.id, actor };
  const attempt = await pulseDoor(ctx, req);
  const { at, compartment } = attempt;
  recordResult(ctx, req, attempt, () => {
    if (attempt.outcome === 'opened') completeReturn(ctx, parcel, actor, at);
    else if (attempt.outcome === 'unknown') requireCheck(ctx, { compartment, kind: 'return', parcelId: parcel.id, intentId: attempt.intentId, reason: `return door ${attempt.driver}` }, at);
  });
  return { outcome: attempt.outcome, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, parcelId: parcel.id };
}

/** The state change of a return. Call inside the transaction that resolves the intent. */
export function completeReturn(ctx: FlowContext, parcel: Parcel, actor: Actor, at: number): void {
  const compartment = requireCompartment(ctx, parcel.compartmentId);
  store.transitionParcel(ctx.db, parcel.id, 'returned', at);
  store.cancelCodesForParcel(ctx.db, parcel.id, at);
  recordEvent(ctx, {
    type: 'parcel.returned',
    parcelId: parcel.id,
    compartmentId: compartment.id,
    payload: { parcelId: parcel.id, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, previousState: parcel.state, returnedAt: at, actor },
  }, at);
  store.appendAudit(ctx.db, { at, actor, action: 'return.completed', compartmentId: compartment.id, parcelId: parcel.id, detail: { previousState: parcel.state } });
}

export function setOutOfService(ctx: FlowContext, compartmentId: string, outOfService: boolean, reason: string | null, actor: Actor): void {
  requireCompartment(ctx, compartmentId);
  const at = ctx.clock();
  store.inTransaction(ctx.db, () => {
    store.setOutOfService(ctx.db, compartmentId, outOfService, reason, at);
    recordEvent(ctx, { type: 'compartment.service-changed', compartmentId, payload: { compartmentId, outOfService, reason, actor, at } }, at);
    store.appendAudit(ctx.db, { at, actor, action: outOfService ? 'compartment.out-of-service' : 'compartment.in-service', compartmentId, detail: { reason } });
  });
}

/**
 * Stored parcels past their time become `expired`. Their codes are left alone:
 * they carry the same validity end, so a late customer is told "expired", not "wrong code".
 */
export function expireDueParcels(ctx: FlowContext): number {
  const at = ctx.clock();
  return store.inTransaction(ctx.db, () => {
    const expired = store.expireDueParcels(ctx.db, at);
    for (const parcel of expired) {
      recordEvent(ctx, { type: 'parcel.expired', parcelId: parcel.id, compartmentId: parcel.compartmentId, payload: { parcelId: parcel.id, compartmentId: parcel.compartmentId, expiredAt: at } }, at);
      store.appendAudit(ctx.db, { at, actor: 'system', action: 'parcel.expired', compartmentId: parcel.compartmentId, parcelId: parcel.id });
    }
    return expired.length;
  });
}

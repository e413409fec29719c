import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { Actor, FlowContext, OpenRequest } from './context.js';
import { MAX_OPENS_PER_CODE } from '../shared/domain.js';
import { pulseDoor, recordEvent, requireCompartment } from './door-open.js';
import { recordPickup } from './pickup.js';
import type { DoorOpened } from './service.js';

/**
 * What the operator's cloud may do to a parcel from afar (command channel).
 * Each runs the same store steps as its keypad twin, so the audit log and the
 * outbox cannot tell a remote pickup from a typed one except by `via`.
 */

/**
 * The operator opens a stored parcel's door for a customer (the customer lost
 * the code and phoned in): the pickup completes as if the code was typed.
 * Must be called while holding `ctx.mutex`.
 */
export async function remotePickup(ctx: FlowContext, parcelId: string, actor: Actor): Promise<DoorOpened & { parcelId: string }> {
  const parcel = requireStoredParcel(ctx, parcelId);
  const code = store.codesForParcel(ctx.db, parcel.id).find((c) => c.state === 'active');
  if (!code) throw new KioskError('internal', `parcel ${parcel.id} is stored without an active code`, { parcelId });
  const compartment = requireCompartment(ctx, parcel.compartmentId);
  if (compartment.outOfService) {
    throw new KioskError('compartment-out-of-service', `compartment ${compartment.id} is out of service`, { compartmentId: compartment.id });
  }
  if (code.opens >= MAX_OPENS_PER_CODE) throw new KioskError('code-open-limit', `parcel ${parcel.id}'s code has caused its two opens: use a technician open`, { parcelId });
  const req: OpenRequest = { kind: 'pickup', compartmentId: compartment.id, parcelId: parcel.id, codeId: code.id, actor };
  const attempt = await pulseDoor(ctx, req);
  // No guess to count: the operator named the parcel, nobody typed its code.
  recordPickup(ctx, { attempt, req, code, source: 'remote', reopened: false });
  return { outcome: attempt.outcome, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, parcelId: parcel.id };
}

/**
 * The operator cancels a stored parcel: its codes stop working at once and it
 * waits behind its door for an employee return. No door opens.
 */
export function cancelParcel(ctx: FlowContext, parcelId: string, reason: string | null, actor: Actor): { parcelId: string; compartmentId: string; codesCancelled: number } {
  const at = ctx.clock();
  return store.inTransaction(ctx.db, () => {
    const parcel = requireStoredParcel(ctx, parcelId);
    store.transitionParcel(ctx.db, parcel.id, 'cancelled', at);
    const codesCancelled = store.cancelCodesForParcel(ctx.db, parcel.id, at);
    recordEvent(ctx, { type: 'parcel.cancelled', parcelId: parcel.id, compartmentId: parcel.compartmentId, payload: { parcelId: parcel.id, compartmentId: parcel.compartmentId, reason, actor, at } }, at);
    store.appendAudit(ctx.db, { at, actor, action: 'parcel.cancelled', compartmentId: parcel.compartmentId, parcelId: parcel.id, detail: { reason, codesCancelled } });
    return { parcelId: parcel.id, compartmentId: parcel.compartmentId, codesCancelled };
  });
}

/**
 * The operator gives a stored parcel a new code (the recipient asked for one
 * they can remember, or the first was leaked): the old codes are cancelled
 * and the new one works offline from now. The code is stored hashed only.
 */
export function setParcelCode(
  ctx: FlowContext,
  p: { parcelId: string; code: string; validUntil: number | null; source: string; externalId: string },
  actor: Actor,
): { parcelId: string; codesCancelled: number } {
  if (!/^\d{4,12}$/.test(p.code)) throw new KioskError('bad-request', 'a pickup code is 4 to 12 digits');
  const at = ctx.clock();
  return store.inTransaction(ctx.db, () => {
    const parcel = requireStoredParcel(ctx, p.parcelId);
    const hash = store.hashPickupCode(ctx.secret, p.code);
    if (store.isActiveHash(ctx.db, hash)) throw new KioskError('code-in-use', 'that code is already in use in this cabinet; choose another');
    const codesCancelled = store.cancelCodesForParcel(ctx.db, parcel.id, at);
    store.insertPickupCode(ctx.db, { hash, parcelId: parcel.id, compartmentId: parcel.compartmentId, source: p.source, externalId: p.externalId, validFrom: at, validUntil: p.validUntil, now: at });
    store.appendAudit(ctx.db, { at, actor, action: 'parcel.code-set', compartmentId: parcel.compartmentId, parcelId: parcel.id, detail: { codesCancelled, validUntil: p.validUntil } });
    return { parcelId: parcel.id, codesCancelled };
  });
}

function requireStoredParcel(ctx: FlowContext, parcelId: string): store.Parcel {
  const parcel = store.getParcel(ctx.db, parcelId);
  if (!parcel) throw new KioskError('parcel-not-found', `no parcel ${parcelId}`, { parcelId });
  if (parcel.state !== 'stored') throw new KioskError('parcel-not-stored', `parcel ${parcelId} is ${parcel.state}, not stored`, { parcelId, state: parcel.state });
  return parcel;
}

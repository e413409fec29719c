import type { CheckKind, DoorState } from '../shared/domain.js';
import * as store from '../store/index.js';
import type { OpenIntent } from '../store/index.js';
import type { FlowContext, OpenRequest } from './context.js';
import { opensLeft, recordEvent, requireCheck, requireCompartment } from './door-open.js';
import { completePickup, recordUnconfirmed } from './pickup.js';

export interface ReconcileReport {
  intentId: string;
  kind: OpenIntent['kind'];
  compartmentId: string;
  door: DoorState;
  result: 'opened' | 'unknown';
  /** The compartment now waits for a person's answer. */
  needsCheck: boolean;
}

/**
 * After a restart, an open intent without a result is settled by READING the
 * door, never by pulsing it again. Its pulse was counted when the intent was
 * committed, so a pickup code keeps only what is left of its two opens:
 * - pickup: a door read open completes the pickup; otherwise the open is
 *   `unknown` (`pickup.unconfirmed` for the operator) and the customer's retry
 *   is the code's one re-open;
 * - drop-off, return, technician or remote open: nobody can say what is inside
 *   now, so the compartment waits for a person's answer (needs-check), whatever
 *   the door shows.
 * A drop-off whose door opened before the restart but was never seen closing
 * is not stored silently either: it waits for the same answer.
 */
export async function reconcileOpenIntents(ctx: FlowContext): Promise<ReconcileReport[]> {
  const reports: ReconcileReport[] = [];
  for (const intent of store.unresolvedIntents(ctx.db)) {
    const compartment = requireCompartment(ctx, intent.compartmentId);
    const door = await ctx.doors.readDoor(compartment.board, compartment.lock).catch((): DoorState => 'unknown');
    const opened = door === 'open';
    const at = ctx.clock();
    const needsCheck = store.inTransaction(ctx.db, () => {
      store.resolveOpenIntent(ctx.db, intent.id, opened ? 'opened' : 'unknown', at, `reconciled: door ${door}`);
      store.appendAudit(ctx.db, { at, actor: 'system:reconcile', action: 'intent.reconciled', compartmentId: intent.compartmentId, parcelId: intent.parcelId, detail: { intentId: intent.id, kind: intent.kind, door } });
      if (!opened) {
        const ids = { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock };
        recordEvent(ctx, { type: 'door.open-unconfirmed', compartmentId: compartment.id, parcelId: intent.parcelId, payload: { ...ids, kind: intent.kind, door, at } }, at);
      }
      if (intent.kind !== 'pickup') return checkAfterCrash(ctx, intent, intent.kind, door, at);
      settlePickup(ctx, intent, opened, at);
      return false;
    });
    reports.push({ intentId: intent.id, kind: intent.kind, compartmentId: intent.compartmentId, door, result: opened ? 'opened' : 'unknown', needsCheck });
  }
  for (const parcel of store.listParcels(ctx.db, { states: ['awaiting-dropoff'], occupying: true })) {
    // Already waiting for its answer (an `unknown` open, or settled just above).
    if (store.getCompartmentCheck(ctx.db, parcel.compartmentId)) continue;
    const at = ctx.clock();
    store.inTransaction(ctx.db, () => {
      const compartment = requireCompartment(ctx, parcel.compartmentId);
      const opened = store.intentsForParcel(ctx.db, parcel.id).find((i) => i.kind === 'dropoff' && i.result === 'opened');
      if (!opened) {
        // Its door never opened on record (a not-opened drop-off whose cancel did not land): nothing can be inside.
        store.transitionParcel(ctx.db, parcel.id, 'cancelled', at);
        store.appendAudit(ctx.db, { at, actor: 'system:reconcile', action: 'dropoff.cancelled-unopened', compartmentId: parcel.compartmentId, parcelId: parcel.id });
        return;
      }
      requireCheck(ctx, { compartment, kind: 'dropoff', parcelId: parcel.id, intentId: opened.id, reason: 'drop-off interrupted by a restart before its door was seen closing' }, at);
    });
  }
  return reports;
}

function settlePickup(ctx: FlowContext, intent: OpenIntent, opened: boolean, at: number): void {
  const code = intent.codeId !== null ? store.getPickupCode(ctx.db, intent.codeId) : undefined;
  if (!code) return;
  const parcel = intent.parcelId ? store.getParcel(ctx.db, intent.parcelId) : undefined;
  const pending = code.state === 'active' && (!parcel || parcel.state === 'stored');
  if (!pending) return;
  const req: OpenRequest = { kind: 'pickup', compartmentId: intent.compartmentId, parcelId: intent.parcelId, codeId: intent.codeId, actor: 'system:reconcile' };
  const left = opensLeft(code.opens);
  if (opened) completePickup(ctx, code, req, 'reconciled', at, { graceMs: left > 0 ? ctx.policy.graceMs : 0 });
  else recordUnconfirmed(ctx, code, requireCompartment(ctx, intent.compartmentId), intent.parcelId, { opensUsed: code.opens, opensLeft: left, reason: 'restart between pulse and result' }, at);
}

/** A non-pickup open cut off by a crash: the compartment waits for a person, if a parcel is (or may be) at stake. */
function checkAfterCrash(ctx: FlowContext, intent: OpenIntent, kind: CheckKind, door: DoorState, at: number): boolean {
  const compartment = requireCompartment(ctx, intent.compartmentId);
  const parcel = intent.parcelId ? store.getParcel(ctx.db, intent.parcelId) : undefined;
  const atStake = kind === 'dropoff' ? parcel?.state === 'awaiting-dropoff' : store.occupantOf(ctx.db, compartment.id) !== undefined;
  if (!atStake) return false;
  const reason = `${kind} interrupted by a restart (door ${door} after it)`;
  requireCheck(ctx, { compartment, kind, parcelId: intent.parcelId, intentId: intent.id, reason }, at);
  if (kind === 'dropoff' && parcel) {
    const ids = { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock };
    recordEvent(ctx, { type: 'parcel.dropoff-interrupted', parcelId: parcel.id, compartmentId: compartment.id, payload: { parcelId: parcel.id, ...ids, at } }, at);
  }
  return true;
}

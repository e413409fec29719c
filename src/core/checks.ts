import type { CheckKind } from '../shared/domain.js';
import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { Actor, FlowContext } from './context.js';
import { recordEvent, requireCompartment } from './door-open.js';
import { storeDroppedParcel } from './dropoff.js';
import { completeReturn } from './service.js';

export interface CheckItem {
  compartmentId: string;
  board: number;
  lock: number;
  kind: CheckKind;
  parcelId: string | null;
  /** Whether our records say a parcel should be inside. */
  parcelExpected: boolean;
  since: number;
}

export type CheckResolution = 'stored' | 'freed' | 'kept' | 'removed';

export interface CheckAnswer {
  compartmentId: string;
  resolution: CheckResolution;
  /** An interrupted drop-off stored on a "yes": its pickup code, shown to the person who answered (only its hash is kept). */
  code: string | null;
  expiresAt: number | null;
}

/** Compartments waiting for "is a parcel inside?", oldest first. */
export function listChecks(ctx: FlowContext): CheckItem[] {
  return store.listCompartmentChecks(ctx.db).map((c) => {
    const compartment = requireCompartment(ctx, c.compartmentId);
    return {
      compartmentId: c.compartmentId,
      board: compartment.board,
      lock: compartment.lock,
      kind: c.kind,
      parcelId: c.parcelId,
      parcelExpected: store.occupantOf(ctx.db, c.compartmentId) !== undefined,
      since: c.createdAt,
    };
  });
}

/**
 * A courier or technician looked inside and answers. One transaction: the
 * parcel's fate, the check removed, `compartment.check-answered` queued and
 * audited.
 * - drop-off: yes stores the parcel and issues its code (returned here, once);
 *   no cancels it, which frees the compartment;
 * - return: yes keeps the parcel as it was; no completes the return;
 * - technician or remote open: yes keeps the parcel; no records it as taken
 *   out (returned) by the person who opened the door.
 * Throws `compartment-not-found` when nothing waits there.
 */
export function answerCheck(ctx: FlowContext, compartmentId: string, parcelInside: boolean, actor: Actor): CheckAnswer {
  const at = ctx.clock();
  return store.inTransaction(ctx.db, () => {
    const check = store.getCompartmentCheck(ctx.db, compartmentId);
    if (!check) throw new KioskError('compartment-not-found', `compartment ${compartmentId} waits for no check`, { compartmentId });
    const parcel = check.parcelId ? store.getParcel(ctx.db, check.parcelId) : store.occupantOf(ctx.db, compartmentId);
    let answer: CheckAnswer = { compartmentId, resolution: parcelInside ? 'kept' : 'freed', code: null, expiresAt: null };
    // The check row goes first: storing a drop-off allocates nothing, but its compartment must read as settled.
    store.removeCompartmentCheck(ctx.db, compartmentId);
    if (check.kind === 'dropoff') {
      if (parcel?.state === 'awaiting-dropoff') {
        if (parcelInside) {
          const stored = storeDroppedParcel(ctx, parcel.id, actor);
          answer = { compartmentId, resolution: 'stored', code: stored.code, expiresAt: stored.expiresAt };
        } else {
          store.transitionParcel(ctx.db, parcel.id, 'cancelled', at);
        }
      }
    } else if (!parcelInside && parcel && store.occupantOf(ctx.db, compartmentId)?.id === parcel.id) {
      completeReturn(ctx, parcel, actor, at);
      answer = { ...answer, resolution: 'removed' };
    }
    recordEvent(ctx, {
      type: 'compartment.check-answered',
      compartmentId,
      parcelId: parcel?.id ?? null,
      payload: { compartmentId, kind: check.kind, parcelId: parcel?.id ?? null, parcelInside, resolution: answer.resolution, actor, at },
    }, at);
    store.appendAudit(ctx.db, { at, actor, action: 'compartment.check-answered', compartmentId, parcelId: parcel?.id ?? null, detail: { kind: check.kind, parcelInside, resolution: answer.resolution } });
    return answer;
  });
}

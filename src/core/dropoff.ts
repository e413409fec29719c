import { randomInt } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { CompartmentSize, DoorOutcome } from '../shared/domain.js';
import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { Compartment } from '../store/index.js';
import { sealCode } from './sealed-code.js';
import type { Actor, FlowContext, OpenRequest } from './context.js';
import { pulseDoor, recordEvent, recordResult, requireCheck, requireCompartment } from './door-open.js';

export interface DropoffRequest {
  /** Ask for a size (next size up when full) or name a compartment. */
  size?: CompartmentSize | undefined;
  compartmentId?: string | undefined;
  courier?: string | null | undefined;
  trackingNo?: string | null | undefined;
  actor: Actor;
}

export interface DropoffOpened {
  outcome: DoorOutcome;
  parcelId: string;
  compartmentId: string;
  board: number;
  lock: number;
  size: CompartmentSize;
}

export interface DropoffStored extends DropoffOpened {
  /** The plain code, returned once to whoever waits on the drop-off; only its keyed hash is stored. */
  code: string;
  expiresAt: number | null;
}

/**
 * Courier drop-off, first half: pick a compartment, commit the parcel as
 * `awaiting-dropoff` with the open intent, pulse the door. `opened`: the
 * second half (`storeDroppedParcel`) runs when the supervisor sees the door
 * closed. `not-opened`: the parcel is cancelled, nothing was inside.
 * `unknown`: nobody can say whether the courier put a parcel in, so the
 * compartment waits for the courier's (or a technician's) answer.
 * Must be called while holding `ctx.mutex`.
 */
export async function openForDropoff(ctx: FlowContext, req: DropoffRequest): Promise<DropoffOpened> {
  const compartment = req.compartmentId ? requireUsable(ctx, req.compartmentId) : chooseFree(ctx, req.size ?? 'M');
  const parcelId = uuidv7();
  const open: OpenRequest = {
    kind: 'dropoff',
    compartmentId: compartment.id,
    parcelId,
    actor: req.actor,
    withIntent: (now) =>
      store.createParcel(ctx.db, { id: parcelId, compartmentId: compartment.id, state: 'awaiting-dropoff', courier: req.courier ?? null, trackingNo: req.trackingNo ?? null, now }),
  };
  const attempt = await pulseDoor(ctx, open);
  recordResult(ctx, open, attempt, () => {
    if (attempt.outcome === 'opened') store.appendAudit(ctx.db, { at: attempt.at, actor: req.actor, action: 'dropoff.door-opened', compartmentId: compartment.id, parcelId });
    else if (attempt.outcome === 'not-opened') store.transitionParcel(ctx.db, parcelId, 'cancelled', attempt.at);
    else if (attempt.outcome === 'unknown') requireCheck(ctx, { compartment, kind: 'dropoff', parcelId, intentId: attempt.intentId, reason: `drop-off door ${attempt.driver}` }, attempt.at);
  });
  return { outcome: attempt.outcome, parcelId, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, size: compartment.size };
}

/** Codes this cabinet issued itself (the operator learns them from `parcel.stored`). */
export const LOCAL_CODE_SOURCE = 'local';

/**
 * Drop-off, second half: the door closed on the parcel. Stores it, issues a
 * locally unique code (works offline), queues `parcel.stored` with the code
 * sealed for the operator, audits — one transaction.
 */
export function storeDroppedParcel(ctx: FlowContext, parcelId: string, actor: Actor): DropoffStored {
  const at = ctx.clock();
  const expiresAt = at + ctx.policy.parcelTtlMs;
  return store.inTransaction(ctx.db, () => {
    const parcel = store.transitionParcel(ctx.db, parcelId, 'stored', at, { expiresAt });
    const compartment = requireCompartment(ctx, parcel.compartmentId);
    const code = issueUniqueCode(ctx);
    store.insertPickupCode(ctx.db, {
      hash: store.hashPickupCode(ctx.secret, code),
      parcelId,
      compartmentId: compartment.id,
      source: LOCAL_CODE_SOURCE,
      validFrom: at,
      validUntil: expiresAt,
    });
    recordEvent(ctx, {
      type: 'parcel.stored',
      parcelId,
      compartmentId: compartment.id,
      payload: {
        parcelId, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, size: compartment.size,
        courier: parcel.courier, trackingNo: parcel.trackingNo, storedAt: at, expiresAt, sealedCode: sealCode(ctx.secret, code),
      },
    }, at);
    store.appendAudit(ctx.db, { at, actor, action: 'dropoff.stored', compartmentId: compartment.id, parcelId });
    return { outcome: 'opened' as const, parcelId, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, size: compartment.size, code, expiresAt };
  });
}

function requireUsable(ctx: FlowContext, id: string): Compartment {
  const compartment = requireCompartment(ctx, id);
  if (compartment.outOfService) throw new KioskError('compartment-out-of-service', `compartment ${id} is out of service`, { compartmentId: id });
  if (store.occupantOf(ctx.db, id)) throw new KioskError('compartment-occupied', `compartment ${id} already holds a parcel`, { compartmentId: id });
  if (compartment.reservedFor !== null) throw new KioskError('compartment-occupied', `compartment ${id} is kept for ${compartment.reservedFor} codes`, { compartmentId: id, reservedFor: compartment.reservedFor });
  if (store.getCompartmentCheck(ctx.db, id)) throw new KioskError('compartment-needs-check', `compartment ${id} waits for someone to look inside`, { compartmentId: id });
  return compartment;
}

/**
 * The asked size, else the next size up; never a smaller one. A compartment
 * whose door still stands open (the last customer has just taken a parcel
 * out, maybe a hand still inside) is taken only when no shut one is free.
 */
function chooseFree(ctx: FlowContext, size: CompartmentSize): Compartment {
  const sizes = ctx.policy.sizes.slice(ctx.policy.sizes.indexOf(size));
  const open = doorsStandingOpen(ctx);
  for (const avoid of open.length ? [open, []] : [[]]) {
    for (const candidate of sizes) {
      const free = store.findFreeCompartment(ctx.db, candidate, { avoid });
      if (free) return free;
    }
  }
  throw new KioskError('no-free-compartment', `no free compartment of size ${size} or larger`, { size });
}

function doorsStandingOpen(ctx: FlowContext): string[] {
  const states = ctx.doors.doorStates?.() ?? [];
  const open = new Set(states.filter((d) => d.door === 'open').map((d) => `${d.board}/${d.lock}`));
  if (open.size === 0) return [];
  return store.listCompartments(ctx.db).filter((c) => open.has(`${c.board}/${c.lock}`)).map((c) => c.id);
}

const MAX_CODE_TRIES = 50;

/** A random code no active code shares (the partial unique index is the final word). */
function issueUniqueCode(ctx: FlowContext): string {
  const digits = ctx.policy.codeDigits;
  for (let i = 0; i < MAX_CODE_TRIES; i++) {
    const code = String(randomInt(10 ** (digits - 1), 10 ** digits));
    if (!store.isActiveHash(ctx.db, store.hashPickupCode(ctx.secret, code))) return code;
  }
  throw new KioskError('internal', `no free ${digits}-digit code after ${MAX_CODE_TRIES} tries; raise pickup.codeDigits`);
}

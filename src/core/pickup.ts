import { MAX_OPENS_PER_CODE, type DoorOutcome } from '../shared/domain.js';
import { KioskError, type KioskErrorCode } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { Compartment, Parcel, PickupCode } from '../store/index.js';
import type { FlowContext, OpenRequest } from './context.js';
import { opensLeft, pulseDoor, recordEvent, recordResult, requireCompartment, type DoorAttempt } from './door-open.js';
import { LOCAL_CODE_SOURCE } from './dropoff.js';
import { sealCode } from './sealed-code.js';
import { assertNotLockedOut, countRightGuess, countWrongGuess, type GuessScope } from './lockout.js';

export type PickupSource = 'keypad' | 'cli' | 'remote';

export interface PickupResult {
  outcome: DoorOutcome;
  compartmentId: string;
  board: number;
  lock: number;
  parcelId: string | null;
  /** True when this was the one grace re-open of a door already collected from. */
  reopened: boolean;
  /** Pulses this code may still cause: 1 after a first open (or an unconfirmed one), 0 after the second. */
  opensLeft: number;
}

const CODE_PATTERN = /^\d{4,12}$/;

/**
 * A customer types a code. The story (call it holding the door mutex, so two
 * taps of the same code see each other's commit):
 * lockout check → lookup (one index probe on the keyed hash) → the code must
 * point at the compartment holding its parcel and have a pulse left → intent
 * committed with the pulse counted → door pulsed once → the result recorded
 * and told as it is: `opened`, `not-opened` (the code keeps its pulse when the
 * frame never left) or `unknown` (the customer checks the door; typing the
 * code again is the one re-open, after which staff must help).
 * Every refusal counts as a wrong guess (README "Custody", invariant 6).
 */
export async function pickup(ctx: FlowContext, rawCode: string, source: PickupSource, onOpening?: (compartmentId: string) => void): Promise<PickupResult> {
  return pickupNow(ctx, rawCode.trim(), source, onOpening);
}

/**
 * Runs a pickup and answers a refusal no sooner than the refusal floor,
 * whatever made it: a miss and a hit in the wrong state take the same time.
 * Waits outside the door mutex, so a guesser holds up no other door.
 */
export async function withRefusalFloor<T>(ctx: FlowContext, run: () => Promise<T>): Promise<T> {
  const started = ctx.clock();
  try {
    return await run();
  } catch (err) {
    if (err instanceof KioskError && REFUSALS.has(err.code)) {
      const wait = started + ctx.policy.refusalFloorMs - ctx.clock();
      if (wait > 0) await ctx.sleep(wait);
    }
    throw err;
  }
}

/** Answers about the code itself: all take the same time (the floor). */
const REFUSALS: ReadonlySet<KioskErrorCode> = new Set(['code-invalid', 'code-expired', 'code-used', 'code-open-limit', 'compartment-out-of-service', 'locked-out']);

async function pickupNow(ctx: FlowContext, code: string, source: PickupSource, onOpening?: (compartmentId: string) => void): Promise<PickupResult> {
  const guess = customerGuess(source);
  assertNotLockedOut(ctx, guess);
  const hit = CODE_PATTERN.test(code) ? store.findCodeByHash(ctx.db, store.hashPickupCode(ctx.secret, code), ctx.clock()) : undefined;
  if (!hit) throw refuse(ctx, source, 'code-invalid');
  switch (hit.verdict) {
    case 'valid':
    case 'in-grace':
      break;
    case 'expired':
      throw refuse(ctx, source, 'code-expired');
    case 'used':
      // Collected: the door opened for it. (A code whose two pulses were never confirmed stays active: open-limit below.)
      throw refuse(ctx, source, 'code-used');
    case 'cancelled':
    case 'not-yet-valid':
      // Answered like an unknown code: it reveals nothing.
      throw refuse(ctx, source, 'code-invalid');
  }
  const { parcel, compartment } = doorOf(ctx, hit.code, hit.verdict, source);
  // Both pulses spent: a collected parcel is simply "used"; one never confirmed needs staff.
  if (hit.code.opens >= MAX_OPENS_PER_CODE) throw refuse(ctx, source, hit.code.state === 'used' ? 'code-used' : 'code-open-limit');
  const reopened = hit.verdict === 'in-grace';
  const req: OpenRequest = { kind: 'pickup', compartmentId: compartment.id, parcelId: parcel?.id ?? null, codeId: hit.code.id, actor: `customer:${source}`, ...(onOpening ? { onOpening } : {}) };
  if (!reopened && hit.code.opens > 0) {
    // A retry after an open nobody confirmed: a door found open needs no pulse.
    const settled = await settleIfDoorOpen(ctx, hit.code, req, compartment, source, code);
    if (settled) return settled;
  }
  const attempt = await pulseDoor(ctx, req);
  const left = recordPickup(ctx, { attempt, req, code: hit.code, typed: code, source, reopened, guess });
  return result(attempt, parcel?.id ?? null, reopened, left);
}

/**
 * The one transaction after a pickup's pulse (retried until it lands), for a
 * typed code and the operator's remote pickup alike: the intent resolved, the
 * guess counted right (a typed code only: `guess`), and the pickup completed,
 * the grace re-open spent, or the open recorded as unconfirmed. Returns the
 * pulses the code has left. Exported so the benchmark measures exactly this commit.
 */
export function recordPickup(
  ctx: FlowContext,
  p: { attempt: DoorAttempt; req: OpenRequest; code: PickupCode; typed?: string; source: PickupSource; reopened: boolean; guess?: GuessScope },
): number {
  const { attempt, req, code } = p;
  const left = opensLeft(code.opens + (attempt.sent ? 1 : 0));
  recordResult(ctx, req, attempt, () => {
    if (p.guess) countRightGuess(ctx, p.guess, attempt.at);
    if (p.reopened && attempt.sent) {
      // Spent whether it opened or not: the second pulse is the last.
      store.consumeGrace(ctx.db, code.id);
      if (attempt.outcome === 'opened') store.appendAudit(ctx.db, { at: attempt.at, actor: req.actor, action: 'pickup.grace-reopen', compartmentId: req.compartmentId, parcelId: req.parcelId ?? null });
      else if (attempt.outcome === 'unknown') recordUnconfirmed(ctx, code, attempt.compartment, req.parcelId ?? null, { opensUsed: MAX_OPENS_PER_CODE - left, opensLeft: left, reason: `grace re-open ${attempt.driver}` }, attempt.at);
      return;
    }
    if (attempt.outcome === 'opened') completePickup(ctx, code, req, p.source, attempt.at, { ...(p.typed === undefined ? {} : { typed: p.typed }), graceMs: left > 0 ? ctx.policy.graceMs : 0 });
    else if (attempt.outcome === 'unknown') recordUnconfirmed(ctx, code, attempt.compartment, req.parcelId ?? null, { opensUsed: MAX_OPENS_PER_CODE - left, opensLeft: left, reason: attempt.driver }, attempt.at);
  });
  return left;
}

/**
 * The compartment this code may open: the one holding its parcel, or for a
 * code a vendor bound to a compartment, that compartment while it holds no
 * parcel of anyone else (README "Custody", invariant 1). Out of service or
 * waiting for a check: refused without naming the compartment.
 */
function doorOf(ctx: FlowContext, code: PickupCode, verdict: store.CodeVerdict, source: PickupSource): { parcel: Parcel | undefined; compartment: Compartment } {
  let parcel: Parcel | undefined;
  let compartmentId: string;
  if (code.parcelId !== null) {
    parcel = store.getParcel(ctx.db, code.parcelId);
    if (!parcel) throw new KioskError('internal', `pickup code ${code.id} names a missing parcel`);
    if (verdict === 'valid' && parcel.state !== 'stored') throw refuse(ctx, source, parcel.state === 'picked-up' ? 'code-used' : 'code-invalid');
    compartmentId = parcel.compartmentId;
    // The grace re-open of a collected parcel: a courier may have filled the compartment since.
    const occupant = store.occupantOf(ctx.db, compartmentId);
    if (occupant && occupant.id !== parcel.id) throw refuse(ctx, source, 'code-used');
  } else if (code.compartmentId !== null) {
    compartmentId = code.compartmentId;
    const occupant = store.occupantOf(ctx.db, compartmentId);
    if (occupant) {
      ctx.log.warn({ codeId: code.id, compartmentId, occupant: occupant.id }, 'a vendor code is bound to a compartment that holds another parcel: refused');
      throw refuse(ctx, source, 'compartment-out-of-service');
    }
  } else {
    throw new KioskError('internal', `pickup code ${code.id} names no compartment`);
  }
  const compartment = requireCompartment(ctx, compartmentId);
  if (compartment.outOfService || store.getCompartmentCheck(ctx.db, compartment.id)) throw refuse(ctx, source, 'compartment-out-of-service');
  return { parcel, compartment };
}

/**
 * The retry after `unknown`: the door is read first. Open means the earlier
 * pulse did open it; the pickup completes on that pulse, and the code keeps
 * its one re-open. Anything else returns undefined and the caller pulses.
 */
async function settleIfDoorOpen(ctx: FlowContext, code: PickupCode, req: OpenRequest, compartment: Compartment, source: PickupSource, typed: string): Promise<PickupResult | undefined> {
  const door = await ctx.doors.readDoor(compartment.board, compartment.lock).catch(() => 'unknown' as const);
  if (door !== 'open') return undefined;
  const at = ctx.clock();
  const earlier = store.lastIntentForCode(ctx.db, code.id);
  const left = opensLeft(code.opens);
  ctx.commits.commit(`pickup ${compartment.id} found open`, () => {
    if (earlier?.result === 'unknown') store.resolveOpenIntent(ctx.db, earlier.id, 'opened', at, 'door found open on the retry');
    countRightGuess(ctx, customerGuess(source), at);
    completePickup(ctx, code, req, source, at, { typed, graceMs: left > 0 ? ctx.policy.graceMs : 0 });
  });
  return { outcome: 'opened', compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, parcelId: req.parcelId ?? null, reopened: false, opensLeft: left };
}

function result(attempt: DoorAttempt, parcelId: string | null, reopened: boolean, left: number): PickupResult {
  const { compartment } = attempt;
  return { outcome: attempt.outcome, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, parcelId, reopened, opensLeft: left };
}

/**
 * The state change of a successful pickup. Call inside the transaction that
 * resolves the intent. `graceMs` 0 when the code has no pulse left.
 */
export function completePickup(
  ctx: FlowContext,
  code: PickupCode,
  req: OpenRequest,
  via: PickupSource | 'reconciled',
  at: number,
  opts: { typed?: string; graceMs: number },
): void {
  const compartment = requireCompartment(ctx, req.compartmentId);
  const parcel = req.parcelId ? store.transitionParcel(ctx.db, req.parcelId, 'picked-up', at) : undefined;
  store.markCodeUsed(ctx.db, code.id, at, opts.graceMs);
  recordEvent(ctx, {
    type: 'parcel.picked-up',
    parcelId: parcel?.id ?? null,
    compartmentId: compartment.id,
    payload: {
      parcelId: parcel?.id ?? null,
      compartmentId: compartment.id,
      board: compartment.board,
      lock: compartment.lock,
      codeSource: code.source,
      codeExternalId: code.externalId,
      externalRef: parcel?.externalRef ?? null,
      pickedUpAt: at,
      via,
      ...(opts.typed !== undefined && code.source !== LOCAL_CODE_SOURCE ? { sealedCode: sealCode(ctx.secret, opts.typed) } : {}),
    },
  }, at);
  store.appendAudit(ctx.db, { at, actor: req.actor, action: 'pickup.completed', compartmentId: compartment.id, parcelId: parcel?.id ?? null, detail: { codeId: code.id, via } });
}

/**
 * A pickup pulse nobody saw land: the parcel stays `stored`, the code keeps
 * what is left of its pulses, and the operator hears of it to follow up.
 * Call inside a transaction.
 */
export function recordUnconfirmed(
  ctx: FlowContext,
  code: PickupCode,
  compartment: Compartment,
  parcelId: string | null,
  p: { opensUsed: number; opensLeft: number; reason: string },
  at: number,
): void {
  recordEvent(ctx, {
    type: 'pickup.unconfirmed',
    parcelId,
    compartmentId: compartment.id,
    payload: {
      parcelId, compartmentId: compartment.id, board: compartment.board, lock: compartment.lock,
      codeSource: code.source, codeExternalId: code.externalId, opensUsed: Math.max(1, p.opensUsed), opensLeft: p.opensLeft, reason: p.reason, at,
    },
  }, at);
}

/** Customer codes: every source counts towards one keypad lockout. */
function customerGuess(source: PickupSource): GuessScope {
  return { source, scope: undefined, actor: `customer:${source}`, what: 'codes' };
}

/** Every answer about a code that opens nothing counts like a wrong code: no state of a code is cheaper to probe than a miss. */
function refuse(ctx: FlowContext, source: PickupSource, code: KioskErrorCode): KioskError {
  return countWrongGuess(ctx, customerGuess(source), new KioskError(code, REFUSAL_TEXT[code] ?? 'pickup code not accepted'), 'pickup.refused');
}

const REFUSAL_TEXT: Partial<Record<KioskErrorCode, string>> = {
  'code-invalid': 'pickup code not accepted',
  'code-expired': 'pickup code has expired',
  'code-used': 'pickup code was already used',
  'code-open-limit': 'this code has opened its door twice already: staff must help',
  'compartment-out-of-service': 'this compartment cannot be opened now',
};

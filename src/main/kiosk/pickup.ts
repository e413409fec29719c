import { KioskError } from '../../shared/errors.js';
import * as store from '../../store/index.js';
import type { PickupCode } from '../../store/index.js';
import type { FlowContext, OpenRequest } from './context.js';
import { openOrThrow, recordEvent, requireCompartment } from './door-open.js';
import { LOCAL_CODE_SOURCE } from './dropoff.js';
import { sealCode } from '../secrets.js';
import { assertNotLockedOut, countRightGuess, countWrongGuess, type GuessScope } from './lockout.js';

export type PickupSource = 'keypad' | 'cli' | 'remote';

export interface PickupResult {
  compartmentId: string;
  board: number;
  lock: number;
  parcelId: string | null;
  /** True when this was the one grace re-open of a door already collected from. */
  reopened: boolean;
}

const CODE_PATTERN = /^\d{4,12}$/;

/**
 * A customer types a code: lockout check → lookup (offline, one index probe on
 * the keyed hash) → intent committed → door pulsed → pickup, code use, outbox
 * event and audit committed together. The code stays valid when the door did
 * not open, so the customer can simply try again.
 */
export function pickup(ctx: FlowContext, rawCode: string, source: PickupSource): Promise<PickupResult> {
  // The whole story runs under the door mutex: two taps of the same code must
  // see each other's commit, or one code could open a door twice.
  return ctx.mutex.run(() => pickupNow(ctx, rawCode.trim(), source));
}

async function pickupNow(ctx: FlowContext, code: string, source: PickupSource): Promise<PickupResult> {
  assertNotLockedOut(ctx, customerGuess(source));
  const hit = CODE_PATTERN.test(code) ? store.findCodeByHash(ctx.db, store.hashPickupCode(ctx.secret, code), ctx.clock()) : undefined;
  if (!hit) throw wrongCode(ctx, source);
  switch (hit.verdict) {
    case 'valid':
    case 'in-grace':
      break;
    case 'expired':
      throw new KioskError('code-expired', 'pickup code has expired');
    case 'used':
      throw new KioskError('code-used', 'pickup code was already used');
    case 'cancelled':
    case 'not-yet-valid':
      // A cancelled code is answered like an unknown one: it reveals nothing.
      throw wrongCode(ctx, source);
  }
  const parcel = hit.code.parcelId ? store.getParcel(ctx.db, hit.code.parcelId) : undefined;
  if (hit.verdict === 'valid' && parcel && parcel.state !== 'stored') {
    throw parcel.state === 'picked-up' ? new KioskError('code-used', 'parcel already collected') : wrongCode(ctx, source);
  }
  const compartmentId = hit.code.compartmentId ?? parcel?.compartmentId;
  if (!compartmentId) throw new KioskError('internal', `pickup code ${hit.code.id} names no compartment`);
  const compartment = requireCompartment(ctx, compartmentId);
  if (compartment.outOfService) {
    throw new KioskError('compartment-out-of-service', `compartment ${compartment.id} is out of service`, { compartmentId });
  }
  const reopened = hit.verdict === 'in-grace';
  const req: OpenRequest = { kind: 'pickup', compartmentId, parcelId: parcel?.id ?? null, codeId: hit.code.id, actor: `customer:${source}` };
  const attempt = await openOrThrow(ctx, req);
  const { at } = attempt;
  commitPickup(ctx, { intentId: attempt.intentId, outcome: attempt.outcome.outcome, code: hit.code, typed: code, req, source, reopened }, at);
  return { compartmentId, board: compartment.board, lock: compartment.lock, parcelId: parcel?.id ?? null, reopened };
}

/**
 * The one transaction after the door opened: intent resolved, and either the
 * grace re-open used up or the pickup completed (parcel, code, event, audit).
 * Exported so the benchmark measures exactly what a pickup commits.
 */
export function commitPickup(
  ctx: FlowContext,
  p: { intentId: string; outcome: string; code: PickupCode; typed?: string; req: OpenRequest; source: PickupSource; reopened: boolean },
  at: number,
): void {
  store.inTransaction(ctx.db, () => {
    store.resolveOpenIntent(ctx.db, p.intentId, 'opened', at, p.outcome);
    countRightGuess(ctx, customerGuess(p.source), at);
    if (p.reopened) {
      store.consumeGrace(ctx.db, p.code.id);
      store.appendAudit(ctx.db, { at, actor: p.req.actor, action: 'pickup.grace-reopen', compartmentId: p.req.compartmentId, parcelId: p.req.parcelId ?? null });
    } else {
      completePickup(ctx, p.code, p.req, p.source, at, p.typed);
    }
  });
}

/** The state change of a successful pickup. Call inside the transaction that resolves the intent. */
export function completePickup(
  ctx: FlowContext,
  code: PickupCode,
  req: OpenRequest,
  via: PickupSource | 'reconciled',
  at: number,
  /** The code as the customer typed it; sealed into the event when a vendor issued it. */
  typed?: string,
): void {
  const compartment = requireCompartment(ctx, req.compartmentId);
  const parcel = req.parcelId ? store.transitionParcel(ctx.db, req.parcelId, 'picked-up', at) : undefined;
  store.markCodeUsed(ctx.db, code.id, at, ctx.policy.graceMs);
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
      ...(typed !== undefined && code.source !== LOCAL_CODE_SOURCE ? { sealedCode: sealCode(ctx.secret, typed) } : {}),
    },
  }, at);
  store.appendAudit(ctx.db, { at, actor: req.actor, action: 'pickup.completed', compartmentId: compartment.id, parcelId: parcel?.id ?? null, detail: { codeId: code.id, via } });
}

/** Customer codes: every source counts towards one keypad lockout. */
function customerGuess(source: PickupSource): GuessScope {
  return { source, scope: undefined, actor: `customer:${source}`, what: 'codes' };
}

function wrongCode(ctx: FlowContext, source: PickupSource): KioskError {
  return countWrongGuess(ctx, customerGuess(source), new KioskError('code-invalid', 'pickup code not accepted'));
}

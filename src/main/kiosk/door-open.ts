import { KioskError } from '../../shared/errors.js';
import * as store from '../../store/index.js';
import type { Compartment } from '../../store/index.js';
import type { EventInput, FlowContext, OpenOutcome, OpenRequest } from './context.js';

export interface OpenAttempt {
  intentId: string;
  compartment: Compartment;
  outcome: OpenOutcome;
  /** The board pulsed and the door is (or is taken to be) open. */
  opened: boolean;
}

/** Queues one domain event for every configured destination. Call inside a transaction. */
export function recordEvent(ctx: FlowContext, event: EventInput, at: number): void {
  store.recordEvent(
    ctx.db,
    {
      type: event.type,
      parcelId: event.parcelId ?? null,
      compartmentId: event.compartmentId ?? null,
      payload: event.payload,
      occurredAt: at,
    },
    ctx.destinations(event.type),
  );
  ctx.eventQueued?.();
}

export function requireCompartment(ctx: FlowContext, id: string): Compartment {
  const compartment = store.getCompartment(ctx.db, id);
  if (!compartment) throw new KioskError('compartment-not-found', `no compartment "${id}"`, { compartmentId: id });
  return compartment;
}

/**
 * The one way a door is opened: the intent is committed first, then the board
 * is pulsed exactly once. A lost reply is never answered by pulsing again; the
 * driver reads the door instead and says what it saw (ARCHITECTURE.md, crash rules).
 * Must be called while holding `ctx.mutex`.
 */
async function openWithIntent(ctx: FlowContext, req: OpenRequest): Promise<OpenAttempt> {
  const compartment = requireCompartment(ctx, req.compartmentId);
  const now = ctx.clock();
  const intent = store.inTransaction(ctx.db, () => {
    req.withIntent?.(now);
    const created = store.createOpenIntent(ctx.db, {
      kind: req.kind,
      compartmentId: compartment.id,
      parcelId: req.parcelId ?? null,
      codeId: req.codeId ?? null,
      actor: req.actor,
      now,
    });
    store.appendAudit(ctx.db, {
      at: now,
      actor: req.actor,
      action: `${req.kind}.open-requested`,
      compartmentId: compartment.id,
      parcelId: req.parcelId ?? null,
      detail: { intentId: created.id, board: compartment.board, lock: compartment.lock },
    });
    return created;
  });
  let outcome: OpenOutcome;
  try {
    outcome = await ctx.doors.open(compartment.board, compartment.lock);
  } catch (err) {
    // Port gone or not connected: nothing was pulsed that we know of.
    ctx.log.warn({ err, compartmentId: compartment.id }, 'door open failed at the driver');
    outcome = { outcome: 'no-reply-unknown', door: 'unknown' };
  }
  const opened = outcome.outcome === 'opened' || outcome.outcome === 'no-reply-door-open';
  return { intentId: intent.id, compartment, outcome, opened };
}

/** Records a failed open: intent resolved, `door.open-failed` queued, audited. Call inside a transaction. */
function recordOpenFailure(ctx: FlowContext, req: OpenRequest, attempt: OpenAttempt, at: number): void {
  const { compartment, outcome } = attempt;
  const result = outcome.outcome === 'still-locked' ? 'failed' : 'unknown';
  store.resolveOpenIntent(ctx.db, attempt.intentId, result, at, outcome.outcome);
  recordEvent(ctx, {
    type: 'door.open-failed',
    compartmentId: compartment.id,
    parcelId: req.parcelId ?? null,
    payload: { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, kind: req.kind, reason: outcome.outcome, at },
  }, at);
  store.appendAudit(ctx.db, {
    at,
    actor: req.actor,
    action: `${req.kind}.open-failed`,
    compartmentId: compartment.id,
    parcelId: req.parcelId ?? null,
    detail: { intentId: attempt.intentId, outcome: outcome.outcome },
  });
}

/**
 * `openWithIntent`, and when the door did not open: the failure recorded (plus
 * whatever `alsoOnFailure` must undo, in the same transaction) and a
 * KioskError thrown. On success the caller commits the result with its own
 * state change. Must be called while holding `ctx.mutex`.
 */
export async function openOrThrow(ctx: FlowContext, req: OpenRequest, alsoOnFailure?: (at: number) => void): Promise<OpenAttempt & { at: number }> {
  const attempt = await openWithIntent(ctx, req);
  const at = ctx.clock();
  if (!attempt.opened) {
    store.inTransaction(ctx.db, () => {
      recordOpenFailure(ctx, req, attempt, at);
      alsoOnFailure?.(at);
    });
    throw doorDidNotOpen(attempt);
  }
  return { ...attempt, at };
}

function doorDidNotOpen(attempt: OpenAttempt): KioskError {
  const hardware = attempt.outcome.outcome === 'no-reply-unknown';
  return new KioskError(
    hardware ? 'hardware-unavailable' : 'door-did-not-open',
    `compartment ${attempt.compartment.id} did not open (${attempt.outcome.outcome})`,
    { compartmentId: attempt.compartment.id, outcome: attempt.outcome.outcome },
  );
}

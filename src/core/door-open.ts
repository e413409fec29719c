import { MAX_OPENS_PER_CODE, type CheckKind, type DoorOutcome } from '../shared/domain.js';
import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { Compartment } from '../store/index.js';
import type { EventInput, FlowContext, OpenOutcome, OpenRequest } from './context.js';

/** One pulse and how it ended. */
export interface DoorAttempt {
  intentId: string;
  compartment: Compartment;
  outcome: DoorOutcome;
  /** What the driver said, for the audit trail. */
  driver: OpenOutcome['outcome'];
  /** False only when the frame provably never left: then no pulse is counted. */
  sent: boolean;
  at: number;
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

/** The driver's word, told the way a person must hear it (README "Custody", invariant 3). */
export function classify(driver: OpenOutcome['outcome']): { outcome: DoorOutcome; sent: boolean } {
  switch (driver) {
    case 'opened':
    case 'no-reply-door-open':
      return { outcome: 'opened', sent: true };
    case 'still-locked':
      return { outcome: 'not-opened', sent: true };
    case 'not-sent':
      return { outcome: 'not-opened', sent: false };
    case 'no-reply-door-closed':
    case 'no-reply-unknown':
      // The board may have pulsed and the door been pushed shut again, or the feedback may lie: nobody saw it stay locked.
      return { outcome: 'unknown', sent: true };
  }
}

/**
 * Before any pulse: the result must be recordable. Refuses (`storage-full`)
 * while door results wait for the disk or free space is under the reserve,
 * with the `storage-low` alarm and, on the way down, one `cabinet.storage-low`
 * event (README "Custody", invariant 5).
 */
export function assertStorage(ctx: FlowContext): void {
  if (ctx.commits.pending > 0 && ctx.commits.flush() > 0) {
    throw new KioskError('storage-full', `${ctx.commits.pending} door result(s) still wait for the disk; no door opens until they are recorded`);
  }
  const reserve = ctx.policy.storageReserveBytes;
  const free = reserve > 0 ? ctx.freeBytes?.() : undefined;
  if (free === undefined || free >= reserve) {
    if (storageLow.has(ctx)) {
      storageLow.delete(ctx);
      ctx.alarm('storage-low', false, null);
    }
    return;
  }
  const detail = `${Math.floor(free / 1048576)} MiB free, ${Math.round(reserve / 1048576)} MiB kept in reserve`;
  ctx.alarm('storage-low', true, detail);
  if (!storageLow.has(ctx)) {
    storageLow.add(ctx);
    const at = ctx.clock();
    try {
      store.inTransaction(ctx.db, () => recordEvent(ctx, { type: 'cabinet.storage-low', payload: { freeBytes: free, reserveBytes: reserve, at } }, at));
    } catch (err) {
      ctx.log.error({ err }, 'could not queue cabinet.storage-low');
    }
  }
  throw new KioskError('storage-full', `cabinet storage full: ${detail}`, { freeBytes: free, reserveBytes: reserve });
}

/** Contexts whose last storage check was below the reserve (one event per crossing). */
const storageLow = new WeakSet<FlowContext>();

/**
 * The one way a door is opened: storage checked, the intent committed (with
 * the pulse counted against its code, and whatever `withIntent` must write
 * with it), the board pulsed exactly once, the answer classified. A lost
 * reply is never answered by pulsing again. The caller records the result
 * with `recordResult`. Must be called while holding `ctx.mutex`.
 */
export async function pulseDoor(ctx: FlowContext, req: OpenRequest): Promise<DoorAttempt> {
  const compartment = requireCompartment(ctx, req.compartmentId);
  assertStorage(ctx);
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
    if (req.codeId != null) store.countCodeOpen(ctx.db, req.codeId, 1);
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
  try {
    req.onOpening?.(compartment.id);
  } catch (err) {
    // A screen that went away must not stop the pulse the intent promised.
    ctx.log.warn({ err, compartmentId: compartment.id }, 'opening notice failed');
  }
  let driver: OpenOutcome['outcome'];
  try {
    driver = (await ctx.doors.open(compartment.board, compartment.lock)).outcome;
  } catch (err) {
    // The driver resolves every fate it can name; anything else may have happened after the write.
    ctx.log.warn({ err, compartmentId: compartment.id }, 'door open failed at the driver: the door may have opened');
    driver = 'no-reply-unknown';
  }
  return { intentId: intent.id, compartment, driver, ...classify(driver), at: ctx.clock() };
}

/**
 * Records how an attempt ended, in one transaction that is retried until it
 * lands (result-commits.ts): the intent resolved, the audit row, and
 * `record` (the flow's own state change). `not-opened` also queues
 * `door.open-failed` and, when the frame never left, gives the code its pulse
 * back. Returns whether the result is on disk now.
 */
export function recordResult(ctx: FlowContext, req: OpenRequest, attempt: DoorAttempt, record: () => void): boolean {
  const { compartment, at } = attempt;
  return ctx.commits.commit(`${req.kind} ${compartment.id} ${attempt.outcome}`, () => {
    store.resolveOpenIntent(ctx.db, attempt.intentId, INTENT_RESULT[attempt.outcome], at, attempt.sent ? attempt.driver : 'not-sent');
    if (attempt.outcome === 'not-opened') {
      if (!attempt.sent && req.codeId != null) store.countCodeOpen(ctx.db, req.codeId, -1);
      recordEvent(ctx, {
        type: 'door.open-failed',
        compartmentId: compartment.id,
        parcelId: req.parcelId ?? null,
        payload: { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, kind: req.kind, reason: attempt.driver, at },
      }, at);
    }
    // An opened door is audited by the flow's own record (pickup.completed, return.completed…): one row, not two.
    if (attempt.outcome !== 'opened') {
      store.appendAudit(ctx.db, {
        at,
        actor: req.actor,
        action: `${req.kind}.${AUDIT_VERB[attempt.outcome]}`,
        compartmentId: compartment.id,
        parcelId: req.parcelId ?? null,
        detail: { intentId: attempt.intentId, driver: attempt.driver },
      });
    }
    record();
  });
}

const INTENT_RESULT = { opened: 'opened', 'not-opened': 'failed', unknown: 'unknown' } as const satisfies Record<DoorOutcome, store.OpenResult>;
const AUDIT_VERB = { 'not-opened': 'open-failed', unknown: 'open-unknown' } as const satisfies Record<Exclude<DoorOutcome, 'opened'>, string>;

/**
 * A compartment whose door may have opened with nobody to say what happened
 * to its contents waits for a person's answer (README "Custody", invariant 4):
 * it is not allocated, and the next staff login asks first. Call inside a
 * transaction. Returns whether a new check was added.
 */
export function requireCheck(ctx: FlowContext, c: { compartment: Compartment; kind: CheckKind; parcelId: string | null; intentId: string | null; reason: string }, at: number): boolean {
  const added = store.addCompartmentCheck(ctx.db, { compartmentId: c.compartment.id, kind: c.kind, parcelId: c.parcelId, intentId: c.intentId, reason: c.reason, now: at });
  if (!added) return false;
  const { compartment } = c;
  recordEvent(ctx, {
    type: 'compartment.needs-check',
    compartmentId: compartment.id,
    parcelId: c.parcelId,
    payload: { compartmentId: compartment.id, board: compartment.board, lock: compartment.lock, kind: c.kind, parcelId: c.parcelId, reason: c.reason, at },
  }, at);
  store.appendAudit(ctx.db, { at, actor: 'system', action: 'compartment.needs-check', compartmentId: compartment.id, parcelId: c.parcelId, detail: { kind: c.kind, reason: c.reason } });
  return true;
}

/** How many more pulses a code may cause after `opens`. */
export function opensLeft(opens: number): number {
  return Math.max(0, MAX_OPENS_PER_CODE - opens);
}

import { KioskError } from '../../shared/errors.js';
import * as store from '../../store/index.js';
import type { LockoutState } from '../../store/index.js';
import type { FlowContext } from './context.js';
import { recordEvent } from './door-open.js';

/**
 * Who is guessing, for the persisted attempt log: customer codes count
 * together across keypad, CLI and remote (`scope` undefined = every customer
 * source), staff PINs count apart (`scope` = STAFF_PIN_SOURCE).
 */
export interface GuessScope {
  /** The attempt log's source for this try. */
  source: string;
  /** Which attempts count towards the lockout; undefined: all customer sources. */
  scope: string | undefined;
  /** For the audit row and the refusal's log message. */
  actor: string;
  what: string;
}

/** Throws `locked-out` (with the seconds left) while the keypad waits. */
export function assertNotLockedOut(ctx: FlowContext, g: GuessScope): void {
  const now = ctx.clock();
  const state = store.lockoutState(ctx.db, now, ctx.policy.lockout, g.scope);
  if (state.lockedUntil !== null && state.lockedUntil > now) throw lockedOut(g, state.lockedUntil - now);
}

/**
 * Counts a wrong guess. The one that crosses the limit also queues
 * `keypad.locked-out` and audits it, in the same transaction. Returns the
 * error to show: `locked-out` when this guess locked the keypad, else `wrong`.
 */
export function countWrongGuess(ctx: FlowContext, g: GuessScope, wrong: KioskError, audit?: string): KioskError {
  const at = ctx.clock();
  const state: LockoutState = store.inTransaction(ctx.db, () => {
    const before = store.lockoutState(ctx.db, at, ctx.policy.lockout, g.scope);
    store.recordCodeAttempt(ctx.db, { at, ok: false, source: g.source });
    if (audit) store.appendAudit(ctx.db, { at, actor: g.actor, action: audit });
    const after = store.lockoutState(ctx.db, at, ctx.policy.lockout, g.scope);
    if (after.lockedUntil !== null && after.lockedUntil !== before.lockedUntil) {
      recordEvent(ctx, { type: 'keypad.locked-out', payload: { failures: after.failures, lockedUntil: after.lockedUntil, source: g.source, at } }, at);
      store.appendAudit(ctx.db, { at, actor: g.actor, action: 'keypad.locked-out', detail: { failures: after.failures, lockedUntil: after.lockedUntil } });
    }
    return after;
  });
  return state.lockedUntil !== null && state.lockedUntil > at ? lockedOut(g, state.lockedUntil - at) : wrong;
}

/**
 * A right guess resets the count, but is logged only when failures could
 * still count: otherwise it would cost every pickup two page writes and grow
 * the log the lockout check replays. Call inside the caller's transaction.
 */
export function countRightGuess(ctx: FlowContext, g: GuessScope, at: number): void {
  const { windowMs, maxDelayMs } = ctx.policy.lockout;
  if (store.failedAttemptsSince(ctx.db, at - windowMs - maxDelayMs, g.scope) > 0) store.recordCodeAttempt(ctx.db, { at, ok: true, source: g.source });
}

function lockedOut(g: GuessScope, retryAfterMs: number): KioskError {
  return new KioskError('locked-out', `too many wrong ${g.what}; keypad waits`, { retryAfterMs, source: g.source });
}

import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
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
  const state = ctx.guesses.state(g.scope, now);
  if (state.lockedUntil !== null && state.lockedUntil > now) throw lockedOut(g, state.lockedUntil - now);
}

/**
 * Counts a wrong guess. The one that crosses the limit also queues
 * `keypad.locked-out` and audits it, in the same transaction as the attempt. Returns the
 * error to show: `locked-out` when this guess locked the keypad, else `wrong`.
 */
export function countWrongGuess(ctx: FlowContext, g: GuessScope, wrong: KioskError, audit?: string): KioskError {
  const at = ctx.clock();
  const before = ctx.guesses.state(g.scope, at);
  const after = ctx.guesses.after(g.scope, { at, ok: false });
  const lockedNow = after.lockedUntil !== null && after.lockedUntil !== before.lockedUntil ? after.lockedUntil : null;
  // One transaction: a crash cannot keep the attempt and lose the lockout it caused.
  store.inTransaction(ctx.db, () => {
    store.recordCodeAttempt(ctx.db, { at, ok: false, source: g.source });
    if (audit) store.appendAudit(ctx.db, { at, actor: g.actor, action: audit, detail: { refused: wrong.code } });
    if (lockedNow !== null) {
      recordEvent(ctx, { type: 'keypad.locked-out', payload: { failures: after.failures, lockedUntil: lockedNow, source: g.source, at } }, at);
      store.appendAudit(ctx.db, { at, actor: g.actor, action: 'keypad.locked-out', detail: { failures: after.failures, lockedUntil: lockedNow } });
    }
  });
  ctx.guesses.add(g.scope, { at, ok: false });
  return after.lockedUntil !== null && after.lockedUntil > at ? lockedOut(g, after.lockedUntil - at) : wrong;
}

/**
 * A right guess resets the count, but is logged only when there is something
 * to reset: otherwise it would cost every pickup a page write and grow the
 * log. Call inside the caller's transaction: a result commit that fails is
 * retried until it lands (door-open.ts), so the ledger may learn of it first.
 */
export function countRightGuess(ctx: FlowContext, g: GuessScope, at: number): void {
  if (ctx.guesses.settled(g.scope, at)) return;
  store.recordCodeAttempt(ctx.db, { at, ok: true, source: g.source });
  ctx.guesses.add(g.scope, { at, ok: true });
}

function lockedOut(g: GuessScope, retryAfterMs: number): KioskError {
  return new KioskError('locked-out', `too many wrong ${g.what}; keypad waits`, { retryAfterMs, source: g.source });
}

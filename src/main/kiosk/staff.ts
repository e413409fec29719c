import { createHash, timingSafeEqual } from 'node:crypto';
import type { StaffRole } from '../../shared/contract.js';
import { KioskError } from '../../shared/errors.js';
import * as store from '../../store/index.js';
import type { FlowContext } from './context.js';
import { recordEvent } from './door-open.js';

/** null: no PIN configured for that role, so nobody can log in as it. */
export type StaffPins = Readonly<Record<StaffRole, string | null>>;

/**
 * A courier or technician types a PIN on the kiosk keypad. Guessing is
 * throttled like pickup codes (same policy, persisted, so a power cycle does
 * not reset it) but counted apart: customers cannot lock a technician out.
 * Success and failure are both audited; the PIN itself never is.
 */
export function verifyStaffPin(ctx: FlowContext, role: StaffRole, pin: string, pins: StaffPins): StaffRole {
  const expected = pins[role];
  if (expected === null) throw new KioskError('not-authorised', `no ${role} PIN is configured (staff.${role}Pin)`, { needs: role });
  const at = ctx.clock();
  const state = store.lockoutState(ctx.db, at, ctx.policy.lockout, store.STAFF_PIN_SOURCE);
  if (state.lockedUntil !== null && state.lockedUntil > at) {
    throw new KioskError('locked-out', 'too many wrong staff PINs; keypad waits', { retryAfterMs: state.lockedUntil - at, source: store.STAFF_PIN_SOURCE });
  }
  if (pinMatches(pin, expected)) {
    store.inTransaction(ctx.db, () => {
      if (state.failures > 0) store.recordCodeAttempt(ctx.db, { at, ok: true, source: store.STAFF_PIN_SOURCE });
      store.appendAudit(ctx.db, { at, actor: `${role}:keypad`, action: 'staff.login' });
    });
    return role;
  }
  const after = store.inTransaction(ctx.db, () => {
    store.recordCodeAttempt(ctx.db, { at, ok: false, source: store.STAFF_PIN_SOURCE });
    store.appendAudit(ctx.db, { at, actor: `${role}:keypad`, action: 'staff.login-failed' });
    const next = store.lockoutState(ctx.db, at, ctx.policy.lockout, store.STAFF_PIN_SOURCE);
    if (next.lockedUntil !== null && next.lockedUntil !== state.lockedUntil) {
      recordEvent(ctx, { type: 'keypad.locked-out', payload: { failures: next.failures, lockedUntil: next.lockedUntil, source: store.STAFF_PIN_SOURCE, at } }, at);
    }
    return next;
  });
  if (after.lockedUntil !== null && after.lockedUntil > at) {
    throw new KioskError('locked-out', 'too many wrong staff PINs; keypad waits', { retryAfterMs: after.lockedUntil - at, source: store.STAFF_PIN_SOURCE });
  }
  throw new KioskError('pin-invalid', `wrong ${role} PIN`);
}

/** Compares digests, not strings: the time taken says nothing about how many digits were right. */
function pinMatches(typed: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(typed), digest(expected));
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { StaffRole } from '../shared/contract.js';
import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { FlowContext } from './context.js';
import { assertNotLockedOut, countRightGuess, countWrongGuess, type GuessScope } from './lockout.js';

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
  const guess: GuessScope = { source: store.STAFF_PIN_SOURCE, scope: store.STAFF_PIN_SOURCE, actor: `${role}:keypad`, what: 'staff PINs' };
  assertNotLockedOut(ctx, guess);
  if (!pinMatches(pin, expected)) throw countWrongGuess(ctx, guess, new KioskError('pin-invalid', `wrong ${role} PIN`), 'staff.login-failed');
  const at = ctx.clock();
  store.inTransaction(ctx.db, () => {
    countRightGuess(ctx, guess, at);
    store.appendAudit(ctx.db, { at, actor: guess.actor, action: 'staff.login' });
  });
  return role;
}

/** Compares digests, not strings: the time taken says nothing about how many digits were right. */
function pinMatches(typed: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(typed), digest(expected));
}

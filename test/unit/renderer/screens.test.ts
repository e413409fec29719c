import { describe, expect, it } from 'vitest';
import { errorBackTarget, errorButton, idlePolicy, isCustomerScreen, isDoorScreen, isStaffScreen, type Screen } from '../../../src/renderer/logic/screens.js';

const settings = { idleResetMs: 45_000, serviceIdleExitMs: 120_000 };

describe('screen rules', () => {
  it('customer screens go home after idleResetMs, staff screens log out after serviceIdleExitMs', () => {
    const cases: Array<[Screen, ReturnType<typeof idlePolicy>]> = [
      [{ name: 'attract' }, { action: 'none' }],
      [{ name: 'code', initial: '' }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'opening', code: '123456' }, { action: 'none' }],
      // A pickup's door screen never times out under a door not known closed (see the test below).
      [{ name: 'open', compartmentId: '3', reopened: false, retryCode: null }, { action: 'none' }],
      [{ name: 'pickup-unknown' }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'thanks' }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'staff-login', role: 'courier' }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'courier-menu' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'dropoff-size' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'dropoff-open', compartmentId: '3', parcelId: 'p' }, { action: 'none' }],
      [{ name: 'dropoff-code', compartmentId: '3', code: '123456', expiresAt: null }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'return-list' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'return-open', compartmentId: '3', outcome: 'opened' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'pickup-outcome', compartmentId: '3', outcome: 'unknown', opensLeft: 1 }, { action: 'none' }],
      [{ name: 'door-not-opened', compartmentId: '3', back: { name: 'dropoff-size' } }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'check', queue: [], liveId: null, then: { name: 'courier-menu' } }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'service' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'error', error: { code: 'code-invalid' }, back: { name: 'code', initial: '' } }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'error', error: { code: 'no-free-compartment' }, back: { name: 'dropoff-size' } }, { action: 'logout', afterMs: 120_000 }],
    ];
    for (const [screen, policy] of cases) expect(idlePolicy(screen, settings), screen.name).toEqual(policy);
  });

  it('a pickup door screen times out only once its door is known closed; other screens ignore the door', () => {
    const open: Screen = { name: 'open', compartmentId: '3', reopened: false, retryCode: '123456' };
    const outcome: Screen = { name: 'pickup-outcome', compartmentId: '3', outcome: 'not-opened', opensLeft: 1 };
    expect(idlePolicy(open, settings, false)).toEqual({ action: 'none' });
    expect(idlePolicy(open, settings, true)).toEqual({ action: 'reset', afterMs: 45_000 });
    expect(idlePolicy(outcome, settings, true)).toEqual({ action: 'reset', afterMs: 45_000 });
    expect(idlePolicy({ name: 'code', initial: '' }, settings, true)).toEqual({ action: 'reset', afterMs: 45_000 });
    expect(idlePolicy({ name: 'dropoff-open', compartmentId: '3', parcelId: 'p' }, settings, true)).toEqual({ action: 'none' });
  });

  it('door screens (a door is or may be open) carry no "cabinet unavailable" banner; the start and the keypad do', () => {
    expect(isDoorScreen({ name: 'opening', code: '123456' })).toBe(true);
    expect(isDoorScreen({ name: 'open', compartmentId: '3', reopened: false, retryCode: null })).toBe(true);
    expect(isDoorScreen({ name: 'pickup-outcome', compartmentId: '3', outcome: 'unknown', opensLeft: 0 })).toBe(true);
    expect(isDoorScreen({ name: 'pickup-unknown' })).toBe(true);
    expect(isDoorScreen({ name: 'attract' })).toBe(false);
    expect(isDoorScreen({ name: 'code', initial: '' })).toBe(false);
    expect(isCustomerScreen({ name: 'pickup-unknown' })).toBe(true);
  });

  it('tells staff screens from customer screens (an error belongs to where it came from)', () => {
    expect(isStaffScreen({ name: 'service' })).toBe(true);
    expect(isStaffScreen({ name: 'code', initial: '' })).toBe(false);
    expect(isStaffScreen({ name: 'error', error: { code: 'door-did-not-open' }, back: { name: 'return-list' } })).toBe(true);
    expect(isCustomerScreen({ name: 'error', error: { code: 'code-used' }, back: { name: 'code', initial: '' } })).toBe(true);
    expect(isCustomerScreen({ name: 'staff-login', role: 'technician' })).toBe(false);
  });

  it('the pickup outcome is a customer screen; a needs-check question and a shut courier door are staff screens', () => {
    expect(isCustomerScreen({ name: 'pickup-outcome', compartmentId: '7', outcome: 'unknown', opensLeft: 0 })).toBe(true);
    expect(isStaffScreen({ name: 'check', queue: [], liveId: null, then: { name: 'service' } })).toBe(true);
    expect(isStaffScreen({ name: 'door-not-opened', compartmentId: '7', back: { name: 'dropoff-size' } })).toBe(true);
    expect(isCustomerScreen({ name: 'check', queue: [], liveId: null, then: { name: 'service' } })).toBe(false);
  });

  it('offers "Try again" only where a second try can help', () => {
    const code: Screen = { name: 'code', initial: '' };
    // cabinet-in-setup: no door opens until a technician finishes setup, so the keypad again cannot help.
    for (const c of ['code-open-limit', 'code-used', 'code-expired', 'storage-full', 'cabinet-in-setup'] as const) {
      expect(errorButton({ code: c }, code), c).toEqual({ target: { name: 'attract' }, label: 'backToStart' });
    }
    for (const c of ['code-invalid', 'locked-out', 'agent-busy', 'hardware-unavailable'] as const) {
      expect(errorButton({ code: c }, code), c).toEqual({ target: code, label: 'tryAgain' });
    }
    expect(errorButton({ code: 'storage-full' }, { name: 'dropoff-size' })).toEqual({ target: { name: 'dropoff-size' }, label: 'back' });
  });

  it('a lost staff session leads back to the start', () => {
    expect(errorBackTarget({ code: 'not-authorised' }, { name: 'service' })).toEqual({ name: 'attract' });
    expect(errorBackTarget({ code: 'pin-invalid' }, { name: 'staff-login', role: 'courier' })).toEqual({ name: 'staff-login', role: 'courier' });
  });
});

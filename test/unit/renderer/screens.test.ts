import { describe, expect, it } from 'vitest';
import { errorBackTarget, idlePolicy, isCustomerScreen, isStaffScreen, type Screen } from '../../../src/renderer/logic/screens.js';

const settings = { idleResetMs: 45_000, serviceIdleExitMs: 120_000 };

describe('screen rules', () => {
  it('customer screens go home after idleResetMs, staff screens log out after serviceIdleExitMs', () => {
    const cases: Array<[Screen, ReturnType<typeof idlePolicy>]> = [
      [{ name: 'attract' }, { action: 'none' }],
      [{ name: 'code', initial: '' }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'opening', code: '123456' }, { action: 'none' }],
      [{ name: 'open', compartmentId: '3', reopened: false }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'thanks' }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'staff-login', role: 'courier' }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'courier-menu' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'dropoff-size' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'dropoff-open', compartmentId: '3', parcelId: 'p' }, { action: 'none' }],
      [{ name: 'dropoff-code', compartmentId: '3', code: '123456', expiresAt: null }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'return-list' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'return-open', compartmentId: '3' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'service' }, { action: 'logout', afterMs: 120_000 }],
      [{ name: 'error', error: { code: 'code-invalid' }, back: { name: 'code', initial: '' } }, { action: 'reset', afterMs: 45_000 }],
      [{ name: 'error', error: { code: 'no-free-compartment' }, back: { name: 'dropoff-size' } }, { action: 'logout', afterMs: 120_000 }],
    ];
    for (const [screen, policy] of cases) expect(idlePolicy(screen, settings), screen.name).toEqual(policy);
  });

  it('tells staff screens from customer screens (an error belongs to where it came from)', () => {
    expect(isStaffScreen({ name: 'service' })).toBe(true);
    expect(isStaffScreen({ name: 'code', initial: '' })).toBe(false);
    expect(isStaffScreen({ name: 'error', error: { code: 'door-did-not-open' }, back: { name: 'return-list' } })).toBe(true);
    expect(isCustomerScreen({ name: 'error', error: { code: 'code-used' }, back: { name: 'code', initial: '' } })).toBe(true);
    expect(isCustomerScreen({ name: 'staff-login', role: 'technician' })).toBe(false);
  });

  it('a lost staff session leads back to the start', () => {
    expect(errorBackTarget({ code: 'not-authorised' }, { name: 'service' })).toEqual({ name: 'attract' });
    expect(errorBackTarget({ code: 'pin-invalid' }, { name: 'staff-login', role: 'courier' })).toEqual({ name: 'staff-login', role: 'courier' });
  });
});

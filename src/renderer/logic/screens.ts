import type { ContractError, StaffRole } from '../../shared/contract.js';

/**
 * Every screen the kiosk shows; `name` is the `data-screen` attribute of
 * `<main id="app">` that the end-to-end tests read.
 */
export type Screen =
  | { name: 'attract' }
  | { name: 'code'; initial: string }
  | { name: 'opening'; code: string }
  | { name: 'open'; compartmentId: string; reopened: boolean }
  | { name: 'thanks' }
  | { name: 'error'; error: ContractError; back: Screen }
  | { name: 'staff-login'; role: StaffRole }
  | { name: 'courier-menu' }
  | { name: 'dropoff-size' }
  | { name: 'dropoff-open'; compartmentId: string; parcelId: string }
  | { name: 'dropoff-code'; compartmentId: string; code: string; expiresAt: number | null }
  | { name: 'return-list' }
  | { name: 'return-open'; compartmentId: string }
  | { name: 'service' };

export type ScreenName = Screen['name'];

/** Screens behind a staff PIN: idle there logs out; a `staff-ended` event leaves them. */
const STAFF_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>([
  'courier-menu',
  'dropoff-size',
  'dropoff-open',
  'dropoff-code',
  'return-list',
  'return-open',
  'service',
]);

/** Screens a customer sees: they carry the "cabinet unavailable" banner when the lock bus is down. */
const CUSTOMER_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>(['attract', 'code', 'opening', 'open', 'thanks', 'error']);

export function isStaffScreen(screen: Screen): boolean {
  if (screen.name === 'error') return isStaffScreen(screen.back);
  return STAFF_SCREENS.has(screen.name);
}

export function isCustomerScreen(screen: Screen): boolean {
  return CUSTOMER_SCREENS.has(screen.name) && !isStaffScreen(screen);
}

export interface IdleSettings {
  idleResetMs: number;
  serviceIdleExitMs: number;
}

/** What an idle timeout does on a screen, and after how long. */
export type IdlePolicy = { action: 'none' } | { action: 'reset' | 'logout'; afterMs: number };

/**
 * Customer screens go back to the start after `idleResetMs`; staff screens
 * log out after `serviceIdleExitMs`. No timeout while the attract screen is
 * up, while a pickup is opening, or while a courier fills a compartment.
 */
export function idlePolicy(screen: Screen, settings: IdleSettings): IdlePolicy {
  switch (screen.name) {
    case 'attract':
    case 'opening':
    case 'dropoff-open':
      return { action: 'none' };
    case 'code':
    case 'open':
    case 'thanks':
    case 'staff-login':
      return { action: 'reset', afterMs: settings.idleResetMs };
    case 'error':
      return isStaffScreen(screen) ? { action: 'logout', afterMs: settings.serviceIdleExitMs } : { action: 'reset', afterMs: settings.idleResetMs };
    case 'courier-menu':
    case 'dropoff-size':
    case 'dropoff-code':
    case 'return-list':
    case 'return-open':
    case 'service':
      return { action: 'logout', afterMs: settings.serviceIdleExitMs };
    default:
      return assertNeverScreen(screen);
  }
}

/** Where the error screen's back button leads: a lost staff session goes to the start. */
export function errorBackTarget(error: ContractError, back: Screen): Screen {
  if (error.code === 'not-authorised') return { name: 'attract' };
  return back;
}

function assertNeverScreen(screen: never): never {
  throw new Error(`unexpected screen: ${JSON.stringify(screen)}`);
}

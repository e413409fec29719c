import type { CheckView, ContractError, StaffRole } from '../../shared/contract.js';
import { assertNever } from '../../shared/domain.js';
import type { KioskErrorCode } from '../../shared/errors.js';

/**
 * Every screen the kiosk shows; `name` is the `data-screen` attribute of
 * `<main id="app">` that the end-to-end tests read.
 */
export type Screen =
  | { name: 'attract' }
  | { name: 'code'; initial: string }
  /** `door`: the compartment, when it is known before the answer (the re-open from "Door didn't open?"). */
  | { name: 'opening'; code: string; door?: string }
  /** `retryCode`: the code, kept while it has an open left, for "Door didn't open?" (null: none left). */
  | { name: 'open'; compartmentId: string; reopened: boolean; retryCode: string | null }
  /** The link to the agent dropped while a pickup was in flight: a door may have opened, nobody can say which. */
  | { name: 'pickup-unknown' }
  /** The pickup's door did not open, or may have: say which, and whether the code may try once more. */
  | { name: 'pickup-outcome'; compartmentId: string; outcome: 'not-opened' | 'unknown'; opensLeft: number }
  | { name: 'thanks' }
  | { name: 'error'; error: ContractError; back: Screen }
  | { name: 'staff-login'; role: StaffRole }
  | { name: 'courier-menu' }
  | { name: 'dropoff-size' }
  | { name: 'dropoff-open'; compartmentId: string; parcelId: string }
  /** `then`: shown after an answered check (the remaining checks or the staff home) instead of "next parcel". */
  | { name: 'dropoff-code'; compartmentId: string; code: string; expiresAt: number | null; then?: Screen }
  | { name: 'return-list' }
  | { name: 'return-open'; compartmentId: string; outcome: 'opened' | 'unknown' }
  /** A courier's door stayed shut; `back` is where to choose again. */
  | { name: 'door-not-opened'; compartmentId: string; back: Screen }
  /** "Is a parcel inside?" for `queue[0]`, one at a time, then `then`; `liveId` is the compartment whose door just answered `unknown`. */
  | { name: 'check'; queue: CheckView[]; liveId: string | null; then: Screen }
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
  'door-not-opened',
  'check',
  'service',
]);

/** Screens a customer sees: they carry the "cabinet unavailable" banner when the lock bus is down. */
const CUSTOMER_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>(['attract', 'code', 'opening', 'open', 'pickup-outcome', 'pickup-unknown', 'thanks', 'error']);

/**
 * Screens showing a door that is or may be open: they carry no "cabinet
 * unavailable" banner (the door may have opened, whatever the bus says now),
 * and idle never sends them to the start under an open door.
 */
const DOOR_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>(['opening', 'open', 'pickup-outcome', 'pickup-unknown']);

export function isDoorScreen(screen: Screen): boolean {
  return DOOR_SCREENS.has(screen.name);
}

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
 * up, while a pickup is opening, or while a courier fills a compartment. A
 * pickup's door screen times out only once its door is known closed
 * (`doorClosed`); until then the screen itself reminds the customer to close
 * it and leaves only after saying so (door-wait.ts).
 */
export function idlePolicy(screen: Screen, settings: IdleSettings, doorClosed = false): IdlePolicy {
  switch (screen.name) {
    case 'attract':
    case 'opening':
    case 'dropoff-open':
      return { action: 'none' };
    case 'open':
    case 'pickup-outcome':
      return doorClosed ? { action: 'reset', afterMs: settings.idleResetMs } : { action: 'none' };
    case 'code':
    case 'pickup-unknown':
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
    case 'door-not-opened':
    case 'check':
    case 'service':
      return { action: 'logout', afterMs: settings.serviceIdleExitMs };
    default:
      return assertNever(screen, 'screen');
  }
}

/** Where the error screen's back button leads: a lost staff session goes to the start. */
export function errorBackTarget(error: ContractError, back: Screen): Screen {
  if (error.code === 'not-authorised') return { name: 'attract' };
  return back;
}

/**
 * Codes a second try cannot change: the customer is sent to the start (and to
 * support), not back to the keypad. `cabinet-in-setup` lasts until a
 * technician finishes: typing the code again at once cannot help.
 */
const NO_RETRY: ReadonlySet<KioskErrorCode> = new Set<KioskErrorCode>(['code-open-limit', 'code-used', 'code-expired', 'storage-full', 'cabinet-in-setup']);

/** The error screen's one button: "Try again" only where trying again can help. */
export function errorButton(error: ContractError, back: Screen): { target: Screen; label: 'tryAgain' | 'back' | 'backToStart' } {
  if (back.name !== 'code') return { target: back, label: 'back' };
  if (NO_RETRY.has(error.code)) return { target: { name: 'attract' }, label: 'backToStart' };
  return { target: back, label: 'tryAgain' };
}

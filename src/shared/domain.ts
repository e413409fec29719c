/**
 * Pure domain vocabulary shared by every layer. No I/O, no node:, no DOM:
 * drivers, store, cloud and the renderer all speak these words.
 */

export const COMPARTMENT_SIZES = ['S', 'M', 'L', 'XL'] as const;
export type CompartmentSize = (typeof COMPARTMENT_SIZES)[number];

/** `awaiting-dropoff → stored → picked-up | returned | expired | cancelled` */
export const PARCEL_STATES = [
  'awaiting-dropoff',
  'stored',
  'picked-up',
  'returned',
  'expired',
  'cancelled',
] as const;
export type ParcelState = (typeof PARCEL_STATES)[number];

/** What the feedback contact says about a door, after polarity is applied. */
export const DOOR_STATES = ['open', 'closed', 'unknown'] as const;
export type DoorState = (typeof DOOR_STATES)[number];

export const BOARD_PROTOCOLS = ['xor-8a', 'kerong-cu', 'modbus-relay'] as const;
export type BoardProtocol = (typeof BOARD_PROTOCOLS)[number];

/** Why a door was opened; every open is audited with one of these. */
export const OPEN_KINDS = ['pickup', 'dropoff', 'return', 'technician', 'remote'] as const;
export type OpenKind = (typeof OPEN_KINDS)[number];

/**
 * How every door open ends. `not-opened`: the board said the lock stayed shut,
 * or the frame never left. `unknown`: the frame may have left and nobody can
 * say what the door did (no reply, a garbled reply, the adapter gone after the
 * write); it counts as an open, and a customer is told to check the door.
 */
export const DOOR_OUTCOMES = ['opened', 'not-opened', 'unknown'] as const;
export type DoorOutcome = (typeof DOOR_OUTCOMES)[number];

/** How many pulses one pickup code may cause: the open and the one grace re-open (or the retry after `unknown`). */
export const MAX_OPENS_PER_CODE = 2;

/** Why a compartment waits for a person to look inside before it is used again. */
export const CHECK_KINDS = ['dropoff', 'return', 'technician', 'remote'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * Conditions a technician or the operator must act on. Raised and cleared by
 * the agent, shown in `status`, the screen's health and the heartbeat.
 */
export const ALARM_CODES = [
  /** Free space under the data directory is below `storage.reserveMb`: doors are refused until it is freed. */
  'storage-low',
  /** A door result could not be committed yet (disk full or I/O error after the pulse); it is being retried. */
  'commit-pending',
  /** The vendor callback receiver could not bind its port; it keeps retrying. Pickups are unaffected. */
  'receiver-down',
  /** A compartment waits for a person to say whether a parcel is inside (an interrupted drop-off, return or technician open). */
  'needs-check',
  /** Yopoint's `cabinet.list` does not list this cabinet under the configured appid: its orders and notifications will not be ours. */
  'vendor-unregistered',
  /** Yopoint reported a door opened (or not) that supervision here saw otherwise (`yopoint.doorCompartment`): check the door. */
  'vendor-door-mismatch',
] as const;
export type AlarmCode = (typeof ALARM_CODES)[number];

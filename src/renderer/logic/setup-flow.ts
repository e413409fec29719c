import type { CallOutput, CommissionBus, MappedDoorView, PULSE_OUTCOMES } from '../../shared/contract.js';
import { assertNever, type CompartmentSize } from '../../shared/domain.js';

/**
 * The Setup tab of service mode as a story (ui/service/setup-tab.tsx):
 * intro → the line (begin, scan) → one lock after another (pulse, say which
 * compartment opened) → review → written, or left. Pure, so the order of the
 * locks, what a field starts with and what an id may be are tested apart
 * from the screen.
 */

export type SetupStart = CallOutput<'commission.begin'>;
export type SetupSaved = CallOutput<'commission.save'>;
export type PulseOutcome = (typeof PULSE_OUTCOMES)[number];

export interface LockRef {
  board: number;
  lock: number;
}

export type SetupStep = 'intro' | 'line' | 'mapping' | 'review' | 'saved' | 'left';

export interface SetupState {
  step: SetupStep;
  /** What `commission.begin` said: port, config file, the door map in use now. */
  start: SetupStart | null;
  /** The last successful scan. */
  bus: CommissionBus | null;
  /** The lock being mapped: an index into `lockOrder(bus)`. */
  at: number;
  /** Doors given an id in this session, in lock order. */
  mapped: MappedDoorView[];
  saved: SetupSaved | null;
}

export type SetupEvent =
  | { type: 'begun'; start: SetupStart }
  | { type: 'scanned'; bus: CommissionBus }
  /** From the line to the first lock. */
  | { type: 'map' }
  /** "Save this door & next". */
  | { type: 'door'; door: MappedDoorView }
  /** "Skip this lock": it is left out (an id given to it before is taken back). */
  | { type: 'skip' }
  | { type: 'finish' }
  | { type: 'back-to-mapping' }
  | { type: 'saved'; saved: SetupSaved }
  | { type: 'left' };

export const SETUP_START: SetupState = { step: 'intro', start: null, bus: null, at: 0, mapped: [], saved: null };

/** Setup has begun and has not ended: the cabinet is closed to customers meanwhile. */
export function setupRunning(state: SetupState): boolean {
  return state.step === 'line' || state.step === 'mapping' || state.step === 'review';
}

/** Every lock of the scanned line in the order the technician walks it: board ascending, lock 1 … locks. */
export function lockOrder(bus: Pick<CommissionBus, 'boards'> | null): LockRef[] {
  if (!bus) return [];
  return [...bus.boards].sort((a, b) => a.address - b.address).flatMap((b) => Array.from({ length: b.locks }, (_, i) => ({ board: b.address, lock: i + 1 })));
}

const sameLock = (a: LockRef, b: LockRef): boolean => a.board === b.board && a.lock === b.lock;
const orderOf = (a: LockRef, b: LockRef): number => a.board - b.board || a.lock - b.lock;

/** The mapped doors with `door` set for its lock (replacing an earlier answer), in lock order. */
export function withDoor(mapped: readonly MappedDoorView[], door: MappedDoorView): MappedDoorView[] {
  return [...mapped.filter((d) => !sameLock(d, door)), door].sort(orderOf);
}

/** What the id field and size start with at a lock: this session's answer, else the door map in use now, else empty and M. */
export function proposedDoor(at: LockRef, current: readonly MappedDoorView[], mapped: readonly MappedDoorView[]): { compartment: string; size: CompartmentSize } {
  const known = mapped.find((d) => sameLock(d, at)) ?? current.find((d) => sameLock(d, at));
  return known ? { compartment: known.compartment, size: known.size } : { compartment: '', size: 'M' };
}

/** The contract's compartment id: 1 to 32 characters. */
export const MAX_ID_LENGTH = 32;

export type IdProblem = { kind: 'empty' } | { kind: 'too-long' } | { kind: 'taken'; board: number; lock: number };

/** Why `id` (trimmed) cannot be given to the lock `at`; null when it can. */
export function idProblem(id: string, at: LockRef, mapped: readonly MappedDoorView[]): IdProblem | null {
  const trimmed = id.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.length > MAX_ID_LENGTH) return { kind: 'too-long' };
  const other = mapped.find((d) => d.compartment === trimmed && !sameLock(d, at));
  return other ? { kind: 'taken', board: other.board, lock: other.lock } : null;
}

/** How a pulse's outcome reads: the board said opened or the door reads open; stayed shut or unclear; nothing was sent. */
export function pulseTone(outcome: PulseOutcome): 'ok' | 'warn' | 'error' {
  switch (outcome) {
    case 'opened':
    case 'no-reply-door-open':
      return 'ok';
    case 'still-locked':
    case 'no-reply-door-closed':
    case 'no-reply-unknown':
      return 'warn';
    case 'not-sent':
      return 'error';
    default:
      return assertNever(outcome, 'pulse outcome');
  }
}

function advance(state: SetupState): SetupState {
  const next = state.at + 1;
  return next >= lockOrder(state.bus).length ? { ...state, at: next, step: 'review' } : { ...state, at: next };
}

export function setupReducer(state: SetupState, event: SetupEvent): SetupState {
  switch (event.type) {
    case 'begun':
      return { ...SETUP_START, step: 'line', start: event.start };
    case 'scanned': {
      // A new scan may find another line: answers for locks no longer on it are dropped.
      const locks = lockOrder(event.bus);
      return { ...state, bus: event.bus, at: 0, mapped: state.mapped.filter((d) => locks.some((l) => sameLock(l, d))) };
    }
    case 'map':
      return lockOrder(state.bus).length ? { ...state, step: 'mapping', at: 0 } : state;
    case 'door':
      return advance({ ...state, mapped: withDoor(state.mapped, event.door) });
    case 'skip': {
      const at = lockOrder(state.bus)[state.at];
      return advance({ ...state, mapped: at ? state.mapped.filter((d) => !sameLock(d, at)) : state.mapped });
    }
    case 'finish':
      return { ...state, step: 'review' };
    case 'back-to-mapping':
      return { ...state, step: 'mapping', at: Math.max(0, Math.min(state.at, lockOrder(state.bus).length - 1)) };
    case 'saved':
      return { ...state, step: 'saved', saved: event.saved };
    case 'left':
      return { ...state, step: 'left' };
    default:
      return assertNever(event, 'setup event');
  }
}

import type { OpenOutcome } from '../drivers/index.js';
import type { AlarmCode, CompartmentSize, DoorState, OpenKind } from '../shared/domain.js';
import type { DomainEventType, EventPayload } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/index.js';
import type { GuessLedger } from './guess-ledger.js';
import type { Mutex } from './mutex.js';
import type { ResultCommits } from './result-commits.js';

export type { OpenOutcome };

/** The narrow slice of the lock hardware the flows need. */
export interface Doors {
  /** Pulses once. Resolves for every fate of the frame (`not-sent` when it never left); a rejection is taken as `unknown`. */
  open(board: number, lock: number): Promise<OpenOutcome>;
  readDoor(board: number, lock: number): Promise<DoorState>;
  /** Keep door-supervision polls off the bus for `ms`: a person is about to ask for a door. */
  holdPolls?(ms: number): void;
  /** What supervision last saw of each door (no bus traffic). */
  doorStates?(): ReadonlyArray<{ board: number; lock: number; door: DoorState }>;
}

export interface FlowPolicy {
  graceMs: number;
  codeDigits: number;
  parcelTtlMs: number;
  lockout: { maxFailures: number; windowMs: number; baseDelayMs: number; factor: number; maxDelayMs: number };
  sizes: readonly CompartmentSize[];
  /** No door opens while less than this is free where the database lives (0: no check). */
  storageReserveBytes: number;
  /** Every refusal of a typed code takes at least this long, so timing tells a miss from a hit in the wrong state no better than the text does. */
  refusalFloorMs: number;
}

/** Free bytes on the filesystem of the database (statfs); undefined when it cannot be read. */
export type FreeBytes = () => number | undefined;

/** Everything a flow needs, passed in by the composition root. */
export interface FlowContext {
  db: Db;
  doors: Doors;
  secret: Buffer;
  policy: FlowPolicy;
  /** Outbox destinations an event of this type is queued for (a vendor takes only the types it maps). */
  destinations: (type: DomainEventType) => readonly string[];
  /** Called after an event was queued, so the sync engine looks now instead of at its next poll. It runs inside the caller's transaction: it must only schedule work. */
  eventQueued?: () => void;
  clock: () => number;
  log: Logger;
  /** Serialises door opens and the state changes around them. */
  mutex: Mutex;
  /** The lockout of each guess scope, kept as a running fold of the attempt log. */
  guesses: GuessLedger;
  /** Door results that the disk refused, retried until they land. */
  commits: ResultCommits;
  freeBytes?: FreeBytes;
  /** Raises or clears an alarm (src/main/alarms.ts). */
  alarm: (code: AlarmCode, up: boolean, detail: string | null) => void;
  /** Waits `ms` (the refusal floor); tests may pass a fake. */
  sleep: (ms: number) => Promise<void>;
}

export interface EventInput<T extends DomainEventType = DomainEventType> {
  type: T;
  payload: EventPayload<T>;
  parcelId?: string | null;
  compartmentId?: string | null;
}

/** Who asked: shown in the audit log. */
export type Actor = string;

export interface OpenRequest {
  kind: OpenKind;
  compartmentId: string;
  parcelId?: string | null;
  codeId?: number | null;
  actor: Actor;
  /**
   * State that must exist exactly when the intent does (a drop-off's new
   * parcel): written first, inside the intent's own transaction, so a crash
   * can never leave one without the other.
   */
  withIntent?: (at: number) => void;
  /**
   * Told the compartment once its intent is committed, just before the pulse:
   * the screen that asked shows "Opening door N…" while the board works.
   */
  onOpening?: (compartmentId: string) => void;
}

import type { OpenOutcome } from '../../drivers/index.js';
import type { CompartmentSize, DoorState, OpenKind } from '../../shared/domain.js';
import type { DomainEventType, EventPayload } from '../../shared/events.js';
import type { Logger } from '../../shared/logger.js';
import type { Db } from '../../store/index.js';
import type { Mutex } from './mutex.js';

export type { OpenOutcome };

/** The narrow slice of the lock hardware the flows need. */
export interface Doors {
  open(board: number, lock: number): Promise<OpenOutcome>;
  readDoor(board: number, lock: number): Promise<DoorState>;
  /** Keep door-supervision polls off the bus for `ms`: a person is about to ask for a door. */
  holdPolls?(ms: number): void;
}

export interface FlowPolicy {
  graceMs: number;
  codeDigits: number;
  parcelTtlMs: number;
  lockout: { maxFailures: number; windowMs: number; baseDelayMs: number; factor: number; maxDelayMs: number };
  sizes: readonly CompartmentSize[];
}

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
}

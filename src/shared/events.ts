import { z } from 'zod';
import { CHECK_KINDS, COMPARTMENT_SIZES, MAX_OPENS_PER_CODE, OPEN_KINDS } from './domain.js';

/**
 * Domain events the cabinet records in its outbox. The payload is frozen at
 * enqueue; vendor mappers (src/cloud) turn these into each vendor's shape.
 * Adding a field is fine; renaming one breaks rows already queued.
 */
const at = z.number().int();
const ids = { compartmentId: z.string(), board: z.number().int(), lock: z.number().int() };

export const eventPayloadSchemas = {
  'parcel.stored': z.object({
    parcelId: z.string(), ...ids, size: z.enum(COMPARTMENT_SIZES), courier: z.string().nullable(),
    trackingNo: z.string().nullable(), storedAt: at, expiresAt: at.nullable(),
    /** The issued pickup code, sealed with the cabinet secret (src/main/secrets.ts): the operator must text it to the recipient. */
    sealedCode: z.string(),
  }),
  'parcel.picked-up': z.object({
    parcelId: z.string().nullable(), ...ids, codeSource: z.string(), codeExternalId: z.string().nullable(),
    externalRef: z.string().nullable(), pickedUpAt: at, via: z.enum(['keypad', 'cli', 'remote', 'reconciled']),
    /**
     * A vendor-issued code as typed, sealed with the cabinet secret: the vendor's
     * report needs its text (Dingshang /consumes §6.5). Absent for local codes
     * and when the pickup was settled without the typed code (remote, reconciled).
     */
    sealedCode: z.string().optional(),
  }),
  'parcel.returned': z.object({ parcelId: z.string(), ...ids, previousState: z.string(), returnedAt: at, actor: z.string() }),
  /** The operator cancelled a stored parcel (remote command): its codes are void and it waits for an employee return. */
  'parcel.cancelled': z.object({ parcelId: z.string(), compartmentId: z.string(), reason: z.string().nullable(), actor: z.string(), at }),
  'parcel.expired': z.object({ parcelId: z.string(), compartmentId: z.string(), expiredAt: at }),
  'parcel.dropoff-interrupted': z.object({ parcelId: z.string(), ...ids, at }),
  /**
   * A pickup whose door may have opened: no reply, a garbled one, the adapter
   * gone after the write, or a restart between pulse and result. The customer
   * was told to check the door; `opensLeft` 0 means they were sent to staff.
   * The parcel stays `stored` until a re-open or a person settles it.
   */
  'pickup.unconfirmed': z.object({
    parcelId: z.string().nullable(), ...ids, codeSource: z.string(), codeExternalId: z.string().nullable(),
    opensUsed: z.number().int().min(1).max(MAX_OPENS_PER_CODE), opensLeft: z.number().int().min(0), reason: z.string(), at,
  }),
  /** A compartment waits for a person to say whether a parcel is inside (README "Custody", invariant 4). */
  'compartment.needs-check': z.object({ ...ids, kind: z.enum(CHECK_KINDS), parcelId: z.string().nullable(), reason: z.string(), at }),
  /** A person answered the check: `resolution` says what became of the parcel. */
  'compartment.check-answered': z.object({
    compartmentId: z.string(), kind: z.enum(CHECK_KINDS), parcelId: z.string().nullable(), parcelInside: z.boolean(),
    resolution: z.enum(['stored', 'freed', 'kept', 'removed']), actor: z.string(), at,
  }),
  /** Free space fell below the reserve: doors are refused until it is freed. */
  'cabinet.storage-low': z.object({ freeBytes: z.number().int().nonnegative(), reserveBytes: z.number().int().nonnegative(), at }),
  'door.opened': z.object({ ...ids, kind: z.enum(OPEN_KINDS), actor: z.string(), at }),
  'door.open-failed': z.object({ ...ids, kind: z.enum(OPEN_KINDS), reason: z.string(), at }),
  'door.open-unconfirmed': z.object({ ...ids, kind: z.enum(OPEN_KINDS), door: z.string(), at }),
  'door.closed': z.object({ ...ids, openMs: z.number().nullable(), at }),
  'door.left-open': z.object({ ...ids, openMs: z.number(), at }),
  'door.forced': z.object({ ...ids, at }),
  'keypad.locked-out': z.object({ failures: z.number().int(), lockedUntil: at, source: z.string(), at }),
  'compartment.service-changed': z.object({ compartmentId: z.string(), outOfService: z.boolean(), reason: z.string().nullable(), actor: z.string(), at }),
  /**
   * The agent process died on an uncaught exception or unhandled rejection
   * (src/main/health/crash-record.ts); recorded by the next start, `at` is the
   * crash, `reportedAt` that start. No stack: it may hold paths and data.
   */
  'agent.crashed': z.object({ origin: z.enum(['uncaughtException', 'unhandledRejection']), name: z.string(), message: z.string(), version: z.string(), pid: z.number().int(), at, reportedAt: at }),
  /**
   * A process of the kiosk screen died (Electron's renderer, GPU or another
   * child), as the screen reported it through the contract; `recovery` is
   * what the screen did about it (src/main/electron/screen-recovery.ts).
   */
  'screen.crashed': z.object({
    process: z.string(), reason: z.string(), exitCode: z.number().int().nullable(),
    recovery: z.enum(['reload', 'relaunch', 'software-rendering', 'none']), dumpFiles: z.number().int().nonnegative(), at,
  }),
} as const;

export type DomainEventType = keyof typeof eventPayloadSchemas;
export type EventPayload<T extends DomainEventType> = z.infer<(typeof eventPayloadSchemas)[T]>;
export const DOMAIN_EVENT_TYPES = Object.keys(eventPayloadSchemas) as DomainEventType[];

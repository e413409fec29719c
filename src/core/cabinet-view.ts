import type { CompartmentSize, DoorState } from '../shared/domain.js';
import * as store from '../store/index.js';

/**
 * The cabinet as a technician reads it: each compartment with its door (as
 * read or last seen), service flag, reservation, pending check and the
 * parcel occupying it. The screen's overview and `status` both derive from it.
 */
export interface CompartmentStatus {
  id: string;
  board: number;
  lock: number;
  size: CompartmentSize;
  door: DoorState;
  outOfService: boolean;
  outOfServiceReason: string | null;
  /** The vendor code source it is kept for (never offered to couriers), or null. */
  reservedFor: string | null;
  /** Waits for a person to say whether a parcel is inside: what was interrupted, and why. */
  needsCheck: { kind: string; reason: string; since: number } | null;
  parcel: { id: string; state: string; expiresAt: number | null } | null;
}

/** Doors keyed `board/lock`, from a board read or from what supervision saw last. */
export function doorMap(doors: ReadonlyArray<{ board: number; lock: number; door: DoorState }>): Map<string, DoorState> {
  return new Map(doors.map((d) => [`${d.board}/${d.lock}`, d.door]));
}

/** Every compartment with its door, service flag and the parcel occupying it. */
export function compartmentStatuses(db: store.ReadDb, doors: ReadonlyMap<string, DoorState>): CompartmentStatus[] {
  const checks = new Map(store.listCompartmentChecks(db).map((k) => [k.compartmentId, k]));
  return store.listCompartments(db).map((c) => {
    const parcel = store.occupantOf(db, c.id);
    const check = checks.get(c.id);
    return {
      id: c.id,
      board: c.board,
      lock: c.lock,
      size: c.size,
      door: doors.get(`${c.board}/${c.lock}`) ?? 'unknown',
      outOfService: c.outOfService,
      outOfServiceReason: c.outOfServiceReason,
      reservedFor: c.reservedFor,
      needsCheck: check ? { kind: check.kind, reason: check.reason, since: check.createdAt } : null,
      parcel: parcel ? { id: parcel.id, state: parcel.state, expiresAt: parcel.expiresAt } : null,
    };
  });
}


import { describe, expect, it } from 'vitest';
import { PARCEL_STATES, type ParcelState } from '../../../src/shared/domain.js';
import {
  activeParcelIn,
  canTransition,
  createParcel,
  expireDueParcels,
  getParcel,
  inTransaction,
  listParcels,
  occupantOf,
  StoreError,
  transitionParcel,
  type Db,
} from '../../../src/store/index.js';
import { memoryDb, seedCompartments, T0 } from './helpers.js';

const ALLOWED: Array<[ParcelState, ParcelState]> = [
  ['awaiting-dropoff', 'stored'],
  ['awaiting-dropoff', 'cancelled'],
  ['stored', 'picked-up'],
  ['stored', 'returned'],
  ['stored', 'expired'],
  ['stored', 'cancelled'],
  ['expired', 'returned'],
  ['cancelled', 'returned'], // only after drop-off
];

/** Drives a new parcel to `state` along the allowed path. */
function parcelIn(db: Db, state: ParcelState, compartmentId: string): string {
  const path: Record<ParcelState, ParcelState[]> = {
    'awaiting-dropoff': [],
    stored: ['stored'],
    'picked-up': ['stored', 'picked-up'],
    returned: ['stored', 'returned'],
    expired: ['stored', 'expired'],
    cancelled: ['stored', 'cancelled'],
  };
  const p = createParcel(db, { compartmentId, state: 'awaiting-dropoff', now: T0 });
  path[state].forEach((s, i) => transitionParcel(db, p.id, s, T0 + i + 1));
  return p.id;
}

describe('parcel state machine', () => {
  it.each(PARCEL_STATES.flatMap((from) => PARCEL_STATES.map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const id = parcelIn(db, from, 'C1');
    const allowed = ALLOWED.some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to, true)).toBe(allowed);
    if (allowed) {
      const moved = transitionParcel(db, id, to, T0 + 100);
      expect(moved.state).toBe(to);
      expect(moved.updatedAt).toBe(T0 + 100);
      if (to === 'stored') expect(moved).toMatchObject({ storedAt: T0 + 100, closedAt: null });
      else expect(moved.closedAt).toBe(T0 + 100);
    } else {
      const before = getParcel(db, id);
      expect(() => transitionParcel(db, id, to, T0 + 100)).toThrow(
        expect.objectContaining({ name: 'StoreError', code: 'invalid-transition', meta: expect.objectContaining({ from, to }) }),
      );
      expect(getParcel(db, id)).toEqual(before);
    }
  });

  it('refuses cancelled → returned for a parcel never dropped off', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const p = createParcel(db, { compartmentId: 'C1', state: 'awaiting-dropoff', now: T0 });
    transitionParcel(db, p.id, 'cancelled', T0 + 1);
    expect(() => transitionParcel(db, p.id, 'returned', T0 + 2)).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
  });

  it('sets expiresAt on a transition when asked', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const p = createParcel(db, { compartmentId: 'C1', state: 'awaiting-dropoff', now: T0 });
    expect(transitionParcel(db, p.id, 'stored', T0 + 1, { expiresAt: T0 + 99 }).expiresAt).toBe(T0 + 99);
    expect(() => transitionParcel(db, 'nope', 'stored', T0)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });
});

describe('createParcel', () => {
  it('creates with a UUIDv7 id and all fields', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const p = createParcel(db, {
      compartmentId: 'C1',
      state: 'stored',
      trackingNo: 'TN1',
      courier: 'dhl',
      externalRef: 'X-1',
      expiresAt: T0 + 1000,
      now: T0,
    });
    expect(p.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(p).toMatchObject({
      compartmentId: 'C1',
      state: 'stored',
      trackingNo: 'TN1',
      courier: 'dhl',
      externalRef: 'X-1',
      createdAt: T0,
      storedAt: T0,
      closedAt: null,
      expiresAt: T0 + 1000,
      updatedAt: T0,
    });
  });

  it('allows one active parcel per compartment, history unlimited', () => {
    const db = memoryDb();
    seedCompartments(db, 2);
    const first = createParcel(db, { compartmentId: 'C1', state: 'stored', now: T0 });
    const err = (() => {
      try {
        createParcel(db, { compartmentId: 'C1', state: 'awaiting-dropoff', now: T0 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'duplicate', meta: { compartmentId: 'C1', reason: 'compartment-occupied' } });
    expect(activeParcelIn(db, 'C1')?.id).toBe(first.id);
    transitionParcel(db, first.id, 'picked-up', T0 + 1);
    expect(activeParcelIn(db, 'C1')).toBeUndefined();
    const second = createParcel(db, { compartmentId: 'C1', state: 'awaiting-dropoff', now: T0 + 2 });
    expect(activeParcelIn(db, 'C1')?.id).toBe(second.id);
    expect(listParcels(db, { compartmentId: 'C1' }).map((p) => p.id)).toEqual([second.id, first.id]);
  });

  it('reports an expired parcel as occupant but not as active', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const p = createParcel(db, { compartmentId: 'C1', state: 'stored', now: T0 });
    transitionParcel(db, p.id, 'expired', T0 + 1);
    expect(activeParcelIn(db, 'C1')).toBeUndefined();
    expect(occupantOf(db, 'C1')?.id).toBe(p.id);
    expect(() => createParcel(db, { compartmentId: 'C1', state: 'stored', now: T0 + 2 })).toThrow(expect.objectContaining({ code: 'duplicate' }));
  });

  it('maps an unknown compartment, a repeated id and a bad initial state', () => {
    const db = memoryDb();
    seedCompartments(db, 2);
    expect(() => createParcel(db, { compartmentId: 'nope', state: 'stored', now: T0 })).toThrow(expect.objectContaining({ code: 'not-found' }));
    createParcel(db, { id: 'same', compartmentId: 'C1', state: 'stored', now: T0 });
    expect(() => createParcel(db, { id: 'same', compartmentId: 'C2', state: 'stored', now: T0 })).toThrow(
      expect.objectContaining({ code: 'duplicate', meta: { parcelId: 'same' } }),
    );
    expect(() => createParcel(db, { compartmentId: 'C2', state: 'picked-up' as 'stored', now: T0 })).toThrow(RangeError);
  });
});

describe('listParcels and expireDueParcels', () => {
  it('filters by state, pages newest first', () => {
    const db = memoryDb();
    seedCompartments(db, 3);
    const a = createParcel(db, { compartmentId: 'C1', state: 'stored', now: T0 });
    const b = createParcel(db, { compartmentId: 'C2', state: 'awaiting-dropoff', now: T0 + 1 });
    const c = createParcel(db, { compartmentId: 'C3', state: 'stored', now: T0 + 2 });
    expect(listParcels(db).map((p) => p.id)).toEqual([c.id, b.id, a.id]);
    expect(listParcels(db, { states: ['stored'] }).map((p) => p.id)).toEqual([c.id, a.id]);
    expect(listParcels(db, { states: ['stored', 'awaiting-dropoff'], limit: 2 }).map((p) => p.id)).toEqual([c.id, b.id]);
    expect(listParcels(db, { states: [] })).toEqual([]);
  });

  it('expires only stored parcels past expiresAt, in the caller transaction', () => {
    const db = memoryDb();
    seedCompartments(db, 3);
    const due = createParcel(db, { compartmentId: 'C1', state: 'stored', expiresAt: T0 + 10, now: T0 });
    createParcel(db, { compartmentId: 'C2', state: 'stored', expiresAt: T0 + 1000, now: T0 });
    createParcel(db, { compartmentId: 'C3', state: 'awaiting-dropoff', expiresAt: T0 + 10, now: T0 });
    const expired = inTransaction(db, () => expireDueParcels(db, T0 + 10));
    expect(expired.map((p) => [p.id, p.state, p.closedAt])).toEqual([[due.id, 'expired', T0 + 10]]);
    expect(expireDueParcels(db, T0 + 10)).toEqual([]);
  });
});

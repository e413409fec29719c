import { describe, expect, it } from 'vitest';
import {
  createParcel,
  createOpenIntent,
  findFreeCompartment,
  freeCountsBySize,
  getCompartment,
  listCompartments,
  naturalSortKey,
  setOutOfService,
  syncCompartments,
  transitionParcel,
} from '../../../src/store/index.js';
import { memoryDb, queryPlan, seedCompartments, T0 } from './helpers.js';

describe('syncCompartments', () => {
  it('inserts, updates, deletes unused and keeps used ones as removed', () => {
    const db = memoryDb();
    expect(
      syncCompartments(db, [
        { id: 'A1', board: 1, lock: 1, size: 'S' },
        { id: 'A2', board: 1, lock: 2, size: 'M' },
        { id: 'A3', board: 1, lock: 3, size: 'L' },
      ], T0),
    ).toEqual({ added: 3, updated: 0, removed: 0, deleted: 0 });
    createParcel(db, { id: 'p1', compartmentId: 'A2', state: 'stored', now: T0 });
    transitionParcel(db, 'p1', 'picked-up', T0 + 1); // history only

    const result = syncCompartments(db, [{ id: 'A1', board: 2, lock: 7, size: 'XL' }], T0 + 2);
    expect(result).toEqual({ added: 0, updated: 1, removed: 1, deleted: 1 });
    expect(getCompartment(db, 'A1')).toMatchObject({ board: 2, lock: 7, size: 'XL', removed: false, outOfService: false });
    expect(getCompartment(db, 'A3')).toBeUndefined();
    expect(getCompartment(db, 'A2')).toMatchObject({ removed: true, outOfService: true, outOfServiceReason: 'removed-from-config' });
    expect(listCompartments(db).map((c) => c.id)).toEqual(['A1']);
    expect(listCompartments(db, { includeRemoved: true }).map((c) => c.id)).toEqual(['A1', 'A2']);

    // Back in the config: in service again, the technician's flag untouched.
    syncCompartments(db, [{ id: 'A1', board: 2, lock: 7, size: 'XL' }, { id: 'A2', board: 1, lock: 2, size: 'M' }], T0 + 3);
    expect(getCompartment(db, 'A2')).toMatchObject({ removed: false, outOfService: false, outOfServiceReason: null });
  });

  it('also keeps a compartment referenced only by an open intent', () => {
    const db = memoryDb();
    seedCompartments(db, 2);
    createOpenIntent(db, { kind: 'technician', compartmentId: 'C2', actor: 'tech', now: T0 });
    expect(syncCompartments(db, [{ id: 'C1', board: 1, lock: 1, size: 'S' }], T0)).toMatchObject({ removed: 1, deleted: 0 });
  });

  it('refuses duplicate ids and board/lock pairs without writing anything', () => {
    const db = memoryDb();
    expect(() =>
      syncCompartments(db, [{ id: 'A', board: 1, lock: 1, size: 'S' }, { id: 'A', board: 1, lock: 2, size: 'S' }]),
    ).toThrow(expect.objectContaining({ code: 'duplicate' }));
    expect(() =>
      syncCompartments(db, [{ id: 'A', board: 1, lock: 1, size: 'S' }, { id: 'B', board: 1, lock: 1, size: 'S' }]),
    ).toThrow(expect.objectContaining({ code: 'duplicate', meta: expect.objectContaining({ board: 1, lock: 1 }) }));
    expect(() => syncCompartments(db, [{ id: '', board: 1, lock: 1, size: 'S' }])).toThrow(RangeError);
    expect(listCompartments(db)).toEqual([]);
  });

  it('lets two compartments swap locks in one sync', () => {
    const db = memoryDb();
    syncCompartments(db, [{ id: 'A', board: 1, lock: 1, size: 'S' }, { id: 'B', board: 1, lock: 2, size: 'S' }]);
    syncCompartments(db, [{ id: 'A', board: 1, lock: 2, size: 'S' }, { id: 'B', board: 1, lock: 1, size: 'S' }]);
    expect(listCompartments(db).map((c) => [c.id, c.lock])).toEqual([['A', 2], ['B', 1]]);
  });
});

describe('free compartments', () => {
  it('orders ids naturally (ties broken by id)', () => {
    const byKey = (a: string, b: string): number => {
      const [ka, kb] = [naturalSortKey(a), naturalSortKey(b)];
      return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : 1;
    };
    expect(['A10', 'A2', 'B1', 'A1', 'A02', 'box-10-1', 'box-2-10', '9', '10'].sort(byKey)).toEqual([
      '9',
      '10',
      'A1',
      'A02',
      'A2',
      'A10',
      'B1',
      'box-2-10',
      'box-10-1',
    ]);
  });

  it('finds the first free one of a size in natural order, skipping occupied and out-of-service ones', () => {
    const db = memoryDb();
    syncCompartments(db, [...['10', '9', '2', '1'].map((id, i) => ({ id, board: 1, lock: i + 1, size: 'M' as const })), { id: '3', board: 1, lock: 9, size: 'L' }], T0);
    expect(findFreeCompartment(db, 'M')?.id).toBe('1');
    createParcel(db, { compartmentId: '1', state: 'awaiting-dropoff', now: T0 });
    setOutOfService(db, '2', true, 'door sticks', T0);
    expect(getCompartment(db, '2')).toMatchObject({ outOfService: true, outOfServiceReason: 'door sticks' });
    expect(findFreeCompartment(db, 'M')?.id).toBe('9');
    expect(freeCountsBySize(db)).toEqual({ S: 0, M: 2, L: 1, XL: 0 });
    expect(findFreeCompartment(db, 'S')).toBeUndefined();
    expect(findFreeCompartment(db, 'S', { orLarger: true })?.id).toBe('9');
    expect(findFreeCompartment(db, 'XL', { orLarger: true })).toBeUndefined();
    expect(findFreeCompartment(db, 'M', { avoid: ['9'] })?.id).toBe('10');
    expect(findFreeCompartment(db, 'M', { avoid: ['9', '10'] })).toBeUndefined();
    setOutOfService(db, '2', false, 'ignored when back in service', T0);
    expect(getCompartment(db, '2')).toMatchObject({ outOfService: false, outOfServiceReason: null });
  });

  it('treats an expired parcel, and one cancelled after drop-off, as still occupying', () => {
    const db = memoryDb();
    seedCompartments(db, 2, ['M']);
    createParcel(db, { id: 'e', compartmentId: 'C1', state: 'stored', now: T0 });
    createParcel(db, { id: 'c', compartmentId: 'C2', state: 'stored', now: T0 });
    transitionParcel(db, 'e', 'expired', T0 + 1);
    transitionParcel(db, 'c', 'cancelled', T0 + 1);
    expect(findFreeCompartment(db, 'M')).toBeUndefined();
    transitionParcel(db, 'e', 'returned', T0 + 2);
    expect(findFreeCompartment(db, 'M')?.id).toBe('C1');
  });

  it('throws not-found for an unknown compartment', () => {
    const db = memoryDb();
    expect(() => setOutOfService(db, 'nope', true, 'x', T0)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('uses indices, not a scan of parcels', () => {
    const db = memoryDb();
    const plan = queryPlan(
      db,
      `SELECT id FROM compartments c WHERE c.size_rank BETWEEN 1 AND 1 AND c.out_of_service = 0 AND c.removed = 0
       AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.compartment_id = c.id AND p.occupies = 1)
       ORDER BY c.size_rank, c.sort_key, c.id LIMIT 1`,
    );
    expect(plan.join('\n')).toMatch(/SEARCH c USING INDEX compartments_by_order/);
    expect(plan.join('\n')).toMatch(/SEARCH p USING INDEX parcels_one_occupant/);
  });
});

import { describe, expect, it, vi } from 'vitest';
import {
  eventsForParcel,
  getEvent,
  getOutboxRow,
  listUnsent,
  markDead,
  markSkipped,
  recordVendorResult,
  markDelivered,
  markFailed,
  nextDeliverable,
  outboxStats,
  pruneDeliveredOutbox,
  recordEvent,
  retryDead,
  type Db,
} from '../../../src/store/index.js';
import { NEXT_DELIVERABLE_SQL } from '../../../src/store/outbox.js';
import { memoryDb, queryPlan, T0 } from './helpers.js';

function event(db: Db, id: string, parcelId: string | null, at: number, destinations = ['cloud']) {
  return recordEvent(db, { id, type: 'test.event', parcelId, payload: { id }, occurredAt: at }, destinations);
}
const ids = (db: Db, dest: string, now: number, limit = 100): string[] => nextDeliverable(db, dest, now, limit).map((r) => r.eventId);

describe('recordEvent', () => {
  it('records the event once and one pending row per distinct destination', () => {
    const db = memoryDb();
    const payload = { nested: { n: 1 }, list: [1, 2] };
    const e = recordEvent(db, { type: 'parcel.stored', parcelId: 'p1', compartmentId: 'C1', payload, occurredAt: T0 }, ['a', 'b', 'a']);
    payload.nested.n = 2; // frozen at enqueue
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(getEvent(db, e.id)).toEqual({ id: e.id, type: 'parcel.stored', parcelId: 'p1', compartmentId: 'C1', payload: { nested: { n: 1 }, list: [1, 2] }, occurredAt: T0 });
    expect(getOutboxRow(db, e.id, 'a')).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0, createdAt: T0, lastError: null, deliveredAt: null });
    expect(getOutboxRow(db, e.id, 'b')?.event.payload).toEqual({ nested: { n: 1 }, list: [1, 2] });
    expect(outboxStats(db, T0).pending).toBe(2);
    expect(eventsForParcel(db, 'p1').map((x) => x.id)).toEqual([e.id]);
  });

  it('refuses a duplicate id and an unserialisable payload, writing nothing', () => {
    const db = memoryDb();
    event(db, 'e1', null, T0);
    expect(() => event(db, 'e1', null, T0)).toThrow(expect.objectContaining({ code: 'duplicate' }));
    expect(() => recordEvent(db, { type: 't', payload: { n: 1n }, occurredAt: T0 }, ['cloud'])).toThrow(TypeError);
    expect(outboxStats(db, T0).pending).toBe(1);
  });
});

describe('nextDeliverable', () => {
  it('is oldest first per parcel: a failed row of parcel A blocks later rows of A only', () => {
    const db = memoryDb();
    event(db, 'a1', 'A', T0);
    event(db, 'b1', 'B', T0 + 1);
    event(db, 'a2', 'A', T0 + 2);
    event(db, 'n1', null, T0 + 3);
    event(db, 'b2', 'B', T0 + 4);
    expect(ids(db, 'cloud', T0 + 10)).toEqual(['a1', 'b1', 'n1']);

    markFailed(db, 'a1', 'cloud', { error: 'HTTP 503', retryAt: T0 + 1000 });
    markDelivered(db, 'b1', 'cloud', T0 + 11);
    expect(ids(db, 'cloud', T0 + 12)).toEqual(['n1', 'b2']); // a1 not due, a2 waits behind it
    expect(getOutboxRow(db, 'a1', 'cloud')).toMatchObject({ attempts: 1, lastError: 'HTTP 503', nextAttemptAt: T0 + 1000 });
    expect(ids(db, 'cloud', T0 + 1000)).toEqual(['a1', 'n1', 'b2']);

    markDead(db, 'a1', 'cloud', 'HTTP 422', T0 + 1001);
    expect(ids(db, 'cloud', T0 + 2000)).toEqual(['n1', 'b2']); // dead a1 still blocks a2
    expect(retryDead(db, 'cloud', T0 + 2000)).toBe(1);
    expect(getOutboxRow(db, 'a1', 'cloud')).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 2000, deadAt: null });
    markDelivered(db, 'a1', 'cloud', T0 + 2001);
    expect(ids(db, 'cloud', T0 + 2001)).toEqual(['a2', 'n1', 'b2']);
  });

  it('keeps destinations independent', () => {
    const db = memoryDb();
    event(db, 'a1', 'A', T0, ['x', 'y']);
    event(db, 'a2', 'A', T0 + 1, ['x', 'y']);
    markDead(db, 'a1', 'x', 'bad', T0);
    expect(ids(db, 'x', T0 + 5)).toEqual([]);
    expect(ids(db, 'y', T0 + 5)).toEqual(['a1']);
  });

  it('pages with limit and returns the event with each row', () => {
    const db = memoryDb();
    for (let i = 0; i < 25; i += 1) event(db, `e${String(i).padStart(2, '0')}`, `P${i}`, T0 + i);
    const page = nextDeliverable(db, 'cloud', T0 + 100, 10);
    expect(page).toHaveLength(10);
    expect(page[0]).toMatchObject({ eventId: 'e00', destination: 'cloud', event: { id: 'e00', type: 'test.event', parcelId: 'P0', payload: { id: 'e00' } } });
    for (const r of page) markDelivered(db, r.eventId, 'cloud', T0 + 100);
    expect(ids(db, 'cloud', T0 + 100, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i + 10}`));
  });

  it('orders by insertion, not by occurredAt (the clock may jump back)', () => {
    const db = memoryDb();
    event(db, 'first', 'A', T0 + 5000);
    event(db, 'second', 'A', T0); // clock went backwards
    expect(ids(db, 'cloud', T0 + 5000)).toEqual(['first']);
  });

  it('walks the owed table along its own key: a range, no index, no sort, with or without statistics', () => {
    const db = memoryDb();
    db.sqlite.transaction(() => {
      for (let i = 0; i < 2000; i++) event(db, `e${i}`, i % 3 === 0 ? null : `P${i % 400}`, T0 + i, ['cloud', 'other']);
    })();
    for (let i = 0; i < 500; i++) markDelivered(db, `e${i}`, 'cloud', T0 + 5000);
    for (const analyzed of [false, true]) {
      if (analyzed) db.sqlite.exec('ANALYZE');
      const plan = queryPlan(db, NEXT_DELIVERABLE_SQL, { from: 0, to: 1 }).join('\n');
      expect(plan).toMatch(/SEARCH o USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
    // The same page as the rule says: oldest first, one row per parcel, the other destination's rows untouched.
    const page = nextDeliverable(db, 'cloud', T0 + 5000, 100);
    expect(page).toHaveLength(100);
    expect(new Set(page.map((r) => r.event.parcelId ?? r.eventId)).size).toBe(100);
    expect(page.map((r) => r.eventId).slice(0, 3)).toEqual(['e500', 'e501', 'e502']);
    expect(ids(db, 'other', T0 + 5000, 3)).toEqual(['e0', 'e1', 'e2']);
  });

  it('never takes a rolled-back event\'s seq for the event that reuses it', () => {
    const db = memoryDb();
    expect(() =>
      db.sqlite.transaction(() => {
        event(db, 'gone', 'A', T0, ['x']);
        expect(nextDeliverable(db, 'x', T0, 10).map((r) => r.eventId)).toEqual(['gone']);
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    event(db, 'kept', 'B', T0 + 1, ['x']); // the same seq as the rolled-back event
    expect(() => markDelivered(db, 'gone', 'x', T0 + 2)).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(getOutboxRow(db, 'kept', 'x')).toMatchObject({ state: 'pending' });
  });

  it('commits a pickup\'s event with one outbox row and no index entry: the owed table holds only what is owed', () => {
    const db = memoryDb();
    event(db, 'e1', 'A', T0, ['x']);
    expect(db.sqlite.prepare(`SELECT count(*) AS n FROM outbox`).get()).toEqual({ n: 1 });
    const indexes = db.sqlite.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('outbox', 'events')`).pluck().all();
    expect(indexes).toEqual(['outbox_dead']); // partial: a pending row is not in it
    markDelivered(db, 'e1', 'x', T0 + 1);
    expect(db.sqlite.prepare(`SELECT count(*) AS n FROM outbox`).get()).toEqual({ n: 0 });
    expect(getOutboxRow(db, 'e1', 'x')).toMatchObject({ state: 'delivered', deliveredAt: T0 + 1, event: { id: 'e1' } });
  });
});

describe('row state changes', () => {
  it('markDelivered without fsync: NORMAL for its own commit only, the connection back at its level after, also when it throws; not inside a transaction', () => {
    const db = memoryDb();
    db.sqlite.pragma('synchronous = FULL');
    event(db, 'a', 'A', T0);
    event(db, 'b', 'B', T0);
    const stmt = vi.spyOn(db, 'stmt');
    const pragmas = () => stmt.mock.calls.map(([sql]) => sql).filter((sql) => sql.startsWith('PRAGMA'));
    markDelivered(db, 'a', 'cloud', T0 + 1, { fsync: false });
    expect(pragmas()).toEqual(['PRAGMA synchronous', 'PRAGMA synchronous = NORMAL', 'PRAGMA synchronous = 2']);
    expect(getOutboxRow(db, 'a', 'cloud')).toMatchObject({ state: 'delivered', deliveredAt: T0 + 1 });
    expect(() => markDelivered(db, 'nope', 'cloud', T0, { fsync: false })).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    stmt.mockClear();
    db.sqlite.transaction(() => markDelivered(db, 'b', 'cloud', T0 + 2, { fsync: false }))();
    expect(pragmas()).toEqual([]);
    expect(getOutboxRow(db, 'b', 'cloud')).toMatchObject({ state: 'delivered' });
    markDelivered(db, 'b', 'cloud', T0 + 3); // the default waits for the disk
    expect(pragmas()).toEqual([]);
    stmt.mockRestore();
  });

  it('validates outbox transitions', () => {
    const db = memoryDb();
    event(db, 'e', 'A', T0);
    expect(() => markFailed(db, 'nope', 'cloud', { error: 'x', retryAt: 0 })).toThrow(expect.objectContaining({ code: 'not-found' }));
    markDelivered(db, 'e', 'cloud', T0 + 1);
    markDelivered(db, 'e', 'cloud', T0 + 2); // idempotent ack
    expect(getOutboxRow(db, 'e', 'cloud')).toMatchObject({ state: 'delivered', deliveredAt: T0 + 1 });
    expect(() => markFailed(db, 'e', 'cloud', { error: 'x', retryAt: 0 })).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
    expect(() => markDead(db, 'e', 'cloud', 'x', T0)).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
  });

  it('reports stats per destination and prunes delivered rows only', () => {
    const db = memoryDb();
    event(db, 'e1', 'A', T0, ['x', 'y']);
    event(db, 'e2', 'B', T0 + 100, ['x']);
    event(db, 'e3', 'C', T0 + 200, ['y']);
    markDelivered(db, 'e1', 'x', T0 + 300);
    markDead(db, 'e1', 'y', 'gone', T0 + 300);
    expect(outboxStats(db, T0 + 1000)).toEqual({
      pending: 2,
      dead: 1,
      delivered: 1,
      skipped: 0,
      oldestPendingAgeMs: 900,
      byDestination: { x: { pending: 1, dead: 0, skipped: 0 }, y: { pending: 1, dead: 1, skipped: 0 } },
    });
    expect(retryDead(db)).toBe(1);
    expect(pruneDeliveredOutbox(db, T0 + 301)).toBe(1);
    expect(outboxStats(db, T0 + 1000)).toMatchObject({ delivered: 0, pending: 3, oldestPendingAgeMs: 1000 });
    expect(getEvent(db, 'e1')).toBeDefined(); // history stays
    expect(outboxStats(memoryDb(), T0)).toEqual({ pending: 0, dead: 0, delivered: 0, skipped: 0, oldestPendingAgeMs: null, byDestination: {} });
  });
});

describe('skipped rows, vendor references and the unsent list', () => {
  it('settles a pending row as skipped with its reason: never offered again, never holding its parcel, counted apart from dead', () => {
    const db = memoryDb();
    event(db, 'e1', 'A', T0, ['x']);
    event(db, 'e2', 'A', T0 + 1, ['x']);
    markSkipped(db, 'e1', 'x', 'nothing to send', T0 + 5);
    expect(getOutboxRow(db, 'e1', 'x')).toMatchObject({ state: 'skipped', lastError: 'nothing to send', skippedAt: T0 + 5, attempts: 0 });
    expect(ids(db, 'x', T0 + 10)).toEqual(['e2']);
    markSkipped(db, 'e1', 'x', 'again', T0 + 6); // already skipped: no-op
    expect(getOutboxRow(db, 'e1', 'x')?.lastError).toBe('nothing to send');
    expect(() => markSkipped(db, 'nope', 'x', 'r', T0)).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(() => markSkipped(db, 'e2', 'x', '', T0)).toThrow(RangeError);
    markDelivered(db, 'e2', 'x', T0 + 7);
    expect(() => markSkipped(db, 'e2', 'x', 'late', T0 + 8)).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
    expect(outboxStats(db, T0 + 10)).toMatchObject({ skipped: 1, dead: 0, byDestination: { x: { pending: 0, dead: 0, skipped: 1 } } });
    expect(retryDead(db)).toBe(0); // a skip is not a failure to retry
  });

  it('keeps the vendor reference of an acknowledgement and files a later result under it', () => {
    const db = memoryDb();
    event(db, 'e1', 'A', T0, ['ds', 'x']);
    markDelivered(db, 'e1', 'ds', T0 + 1, { vendorRef: '60' });
    markDelivered(db, 'e1', 'x', T0 + 1);
    expect(getOutboxRow(db, 'e1', 'ds')).toMatchObject({ vendorRef: '60', vendorResult: null, vendorResultAt: null });
    expect(recordVendorResult(db, 'ds', '60', { outcome: 'failed', failReason: 'Slot Invalid' }, T0 + 9)).toBe('e1');
    expect(getOutboxRow(db, 'e1', 'ds')).toMatchObject({ vendorResult: { outcome: 'failed', failReason: 'Slot Invalid' }, vendorResultAt: T0 + 9 });
    expect(recordVendorResult(db, 'ds', '61', { outcome: 'dispensed' }, T0 + 9)).toBeNull();
    expect(recordVendorResult(db, 'x', '60', { outcome: 'dispensed' }, T0 + 9)).toBeNull();
  });

  it('lists dead and skipped rows with destination, reason and age, newest first, each state bounded on its own', () => {
    const db = memoryDb();
    for (let i = 0; i < 5; i++) event(db, `s${i}`, null, T0 + i, ['x']);
    event(db, 'd1', 'P', T0 + 10, ['y']);
    event(db, 'p1', 'Q', T0 + 11, ['y']);
    for (let i = 0; i < 5; i++) markSkipped(db, `s${i}`, 'x', `no order ${i}`, T0 + 20);
    markDead(db, 'd1', 'y', 'HTTP 400: bad', T0 + 30);
    const unsent = listUnsent(db, T0 + 100, 3);
    expect(unsent).toEqual([
      { eventId: 'd1', eventType: 'test.event', parcelId: 'P', destination: 'y', state: 'dead', reason: 'HTTP 400: bad', attempts: 1, ageMs: 90, settledAt: T0 + 30 },
      ...[4, 3, 2].map((i) => ({ eventId: `s${i}`, eventType: 'test.event', parcelId: null, destination: 'x', state: 'skipped', reason: `no order ${i}`, attempts: 0, ageMs: 100 - i, settledAt: T0 + 20 })),
    ]);
  });
});

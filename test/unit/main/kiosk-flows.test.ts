import { afterEach, describe, expect, it } from 'vitest';
import { unsealCode } from '../../../src/core/sealed-code.js';
import * as store from '../../../src/store/index.js';
import { failure } from '../../helpers/failure.js';
import { dropOff, flowFixture, type FlowFixture } from '../../helpers/flow-context.js';

let f: FlowFixture;
afterEach(() => store.closeDatabase(f.db));


function events(type: string) {
  return f.db.sqlite.prepare('SELECT type, payload FROM events WHERE type = ? ORDER BY seq').all(type) as Array<{ type: string; payload: string }>;
}

describe('drop-off then pickup', () => {
  it('issues a local code on door close that then opens the same door, with events and audit', async () => {
    f = flowFixture();
    const stored = await dropOff(f, 'M');
    expect(stored.code).toMatch(/^\d{6}$/);
    expect(stored.compartmentId).toBe('2');
    expect(store.getParcel(f.db, stored.parcelId)?.state).toBe('stored');
    const [storedEvent] = events('parcel.stored');
    const payload = JSON.parse(storedEvent!.payload) as { sealedCode: string };
    expect(unsealCode(f.ctx.secret, payload.sealedCode)).toBe(stored.code);
    expect(storedEvent!.payload).not.toContain(stored.code);

    const result = await f.kiosk.pickup(stored.code, 'keypad');
    expect(result).toMatchObject({ compartmentId: '2', board: 1, lock: 2, reopened: false });
    expect(f.doors.opens).toEqual([{ board: 1, lock: 2 }, { board: 1, lock: 2 }]);
    expect(store.getParcel(f.db, stored.parcelId)?.state).toBe('picked-up');
    expect(events('parcel.picked-up')).toHaveLength(1);
    const outbox = store.outboxStats(f.db, f.now.t);
    expect(outbox.byDestination['test-cloud']?.pending).toBe(outbox.pending);
    const actions = store.listAudit(f.db, { limit: 100 }).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['dropoff.open-requested', 'dropoff.stored', 'pickup.open-requested', 'pickup.completed']));
  });

  it('re-opens once within the grace window, then answers "used"', async () => {
    f = flowFixture();
    const { code } = await dropOff(f);
    await f.kiosk.pickup(code, 'keypad');
    f.now.t += 30_000;
    expect((await f.kiosk.pickup(code, 'keypad')).reopened).toBe(true);
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('code-used');
    expect(events('parcel.picked-up')).toHaveLength(1);
  });

  it('after the grace window a used code opens nothing', async () => {
    f = flowFixture();
    const { code } = await dropOff(f);
    await f.kiosk.pickup(code, 'keypad');
    f.now.t += 61_000;
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('code-used');
    expect(f.doors.opens).toHaveLength(2);
  });

  it('takes the next size up when the asked size is full, and says so when nothing is free', async () => {
    f = flowFixture();
    expect((await dropOff(f, 'L')).compartmentId).toBe('3');
    expect((await dropOff(f, 'L')).compartmentId).toBe('4');
    expect((await failure(f.kiosk.startDropoff({ size: 'L', actor: 'courier:test' }))).code).toBe('no-free-compartment');
    expect((await dropOff(f, 'S')).compartmentId).toBe('1');
  });

  it('an expired code gets its own answer', async () => {
    f = flowFixture();
    const { code } = await dropOff(f);
    f.now.t += 73 * 3_600_000;
    expect(f.kiosk.expireDueParcels()).toBe(1);
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('code-expired');
  });

  it('a door that stays locked is told "not opened", keeps the code for one more pulse, and records the failure', async () => {
    f = flowFixture();
    const { code, parcelId } = await dropOff(f);
    f.doors.next = 'still-locked';
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'not-opened', compartmentId: '2', opensLeft: 1 });
    expect(store.getParcel(f.db, parcelId)?.state).toBe('stored');
    expect(events('door.open-failed')).toHaveLength(1);
    f.doors.next = 'opened';
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'opened', compartmentId: '2', opensLeft: 0 });
    // Both pulses are spent: no grace re-open is left.
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('code-used');
    expect(f.doors.opens).toHaveLength(3);
  });

  it('a lost reply with the door seen open counts as opened; a port lost after the write is unknown', async () => {
    f = flowFixture();
    const a = await dropOff(f);
    const b = await dropOff(f);
    f.doors.next = 'no-reply-door-open';
    expect((await f.kiosk.pickup(a.code, 'keypad')).outcome).toBe('opened');
    expect(store.getParcel(f.db, a.parcelId)?.state).toBe('picked-up');
    f.doors.next = 'throw';
    expect(await f.kiosk.pickup(b.code, 'keypad')).toMatchObject({ outcome: 'unknown', opensLeft: 1 });
    expect(store.getParcel(f.db, b.parcelId)?.state).toBe('stored');
    expect(events('pickup.unconfirmed')).toHaveLength(1);
  });

  it('out-of-service compartments are refused to customers and skipped for couriers', async () => {
    f = flowFixture();
    const { code } = await dropOff(f, 'M');
    f.kiosk.setOutOfService('2', true, 'hinge broken', 'technician:test');
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('compartment-out-of-service');
    expect((await failure(f.kiosk.startDropoff({ compartmentId: '2', actor: 'courier:test' }))).code).toBe('compartment-out-of-service');
    expect(events('compartment.service-changed')).toHaveLength(1);
  });
});

describe('wrong-code lockout', () => {
  it('locks after 5 wrong codes in 10 minutes, without revealing whether a code exists', async () => {
    f = flowFixture();
    const { code } = await dropOff(f);
    for (let i = 0; i < 4; i++) expect((await failure(f.kiosk.pickup(`00000${i}`, 'keypad'))).code).toBe('code-invalid');
    const fifth = await failure(f.kiosk.pickup('000009', 'keypad'));
    expect(fifth.code).toBe('locked-out');
    expect(fifth.meta['retryAfterMs']).toBe(30_000);
    // The right code gets the same answer while locked: nothing is revealed.
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('locked-out');
    expect(f.doors.opens).toHaveLength(1);
    expect(events('keypad.locked-out')).toHaveLength(1);
    f.now.t += 31_000;
    // A further wrong code after the lockout doubles the wait.
    expect((await failure(f.kiosk.pickup('111111', 'keypad'))).meta['retryAfterMs']).toBe(60_000);
    f.now.t += 61_000;
    expect((await f.kiosk.pickup(code, 'keypad')).compartmentId).toBe('2');
  });
});

describe('return and technician open', () => {
  it('an employee returns an expired parcel; its code stops working', async () => {
    f = flowFixture();
    const { code, parcelId } = await dropOff(f);
    f.now.t += 73 * 3_600_000;
    f.kiosk.expireDueParcels();
    expect(f.kiosk.freeCounts().M).toBe(0);
    await f.kiosk.returnParcel('2', 'employee:test');
    expect(store.getParcel(f.db, parcelId)?.state).toBe('returned');
    expect(f.kiosk.freeCounts().M).toBe(1);
    expect(events('parcel.returned')).toHaveLength(1);
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('code-invalid');
  });

  it('a technician opens any compartment, audited and queued', async () => {
    f = flowFixture();
    f.kiosk.setOutOfService('3', true, null, 'technician:test');
    await f.kiosk.openCompartment('3', 'technician:test');
    expect(f.doors.opens).toEqual([{ board: 1, lock: 3 }]);
    expect(events('door.opened')).toHaveLength(1);
    expect((await failure(f.kiosk.openCompartment('99', 'technician:test'))).code).toBe('compartment-not-found');
  });
});

describe('restart reconciliation', () => {
  it('reads the door instead of opening again: open → picked up, closed → unknown, one re-open left', async () => {
    f = flowFixture();
    const a = await dropOff(f);
    const b = await dropOff(f);
    // A crash between "intent committed" (the pulse counted with it) and "result recorded".
    const parcelA = store.getParcel(f.db, a.parcelId)!;
    const codeA = store.codesForParcel(f.db, a.parcelId)[0]!;
    const codeB = store.codesForParcel(f.db, b.parcelId)[0]!;
    store.inTransaction(f.db, () => {
      store.createOpenIntent(f.db, { kind: 'pickup', compartmentId: parcelA.compartmentId, parcelId: a.parcelId, codeId: codeA.id, actor: 'customer:keypad', now: f.now.t });
      store.countCodeOpen(f.db, codeA.id, 1);
      store.createOpenIntent(f.db, { kind: 'pickup', compartmentId: b.compartmentId, parcelId: b.parcelId, codeId: codeB.id, actor: 'customer:keypad', now: f.now.t });
      store.countCodeOpen(f.db, codeB.id, 1);
    });
    f.doors.doors.set(`1/${a.lock}`, 'open');
    f.doors.doors.set(`1/${b.lock}`, 'closed');
    const opensBefore = f.doors.opens.length;
    const reports = await f.kiosk.recover();
    expect(f.doors.opens).toHaveLength(opensBefore);
    expect(reports.map((r) => r.result).sort()).toEqual(['opened', 'unknown']);
    expect(store.getParcel(f.db, a.parcelId)?.state).toBe('picked-up');
    expect(store.getParcel(f.db, b.parcelId)?.state).toBe('stored');
    expect(events('pickup.unconfirmed')).toHaveLength(1);
    expect(await f.kiosk.pickup(b.code, 'keypad')).toMatchObject({ outcome: 'opened', compartmentId: b.compartmentId, opensLeft: 0 });
    expect((await failure(f.kiosk.pickup(b.code, 'keypad'))).code).toBe('code-used');
    expect(f.doors.opens).toHaveLength(opensBefore + 1);
    expect(store.unresolvedIntents(f.db)).toEqual([]);
  });

  it('a drop-off parcel whose door was never opened gets no code after a restart', async () => {
    f = flowFixture();
    // Found by the crash test: a parcel row without its open intent (a database
    // written before parcels were created inside the intent's transaction).
    const parcel = store.inTransaction(f.db, () => store.createParcel(f.db, { compartmentId: '2', state: 'awaiting-dropoff', now: f.now.t }));
    await f.kiosk.recover();
    expect(store.getParcel(f.db, parcel.id)?.state).toBe('cancelled');
    expect(store.codesForParcel(f.db, parcel.id)).toEqual([]);
    expect(events('parcel.stored')).toHaveLength(0);
    expect(f.doors.opens).toHaveLength(0);
    expect(f.kiosk.freeCounts().M).toBe(1);
  });

  it('a drop-off parcel exists exactly when its open intent does', async () => {
    f = flowFixture();
    f.doors.next = 'still-locked';
    const ticket = await f.kiosk.startDropoff({ size: 'M', actor: 'courier:test' });
    expect(ticket.outcome).toBe('not-opened');
    expect((await failure(ticket.stored)).code).toBe('door-did-not-open');
    const rows = f.db.sqlite.prepare(`SELECT p.state AS state, i.result AS result FROM parcels p JOIN open_intents i ON i.parcel_id = p.id`).all();
    expect(rows).toEqual([{ state: 'cancelled', result: 'failed' }]);
    expect(f.db.sqlite.prepare('SELECT count(*) AS n FROM parcels').get()).toEqual({ n: 1 });
  });

  it('an interrupted drop-off waits for "is a parcel inside?", is never stored silently, and is not allocated meanwhile', async () => {
    f = flowFixture();
    const parcel = store.inTransaction(f.db, () => {
      const p = store.createParcel(f.db, { compartmentId: '2', state: 'awaiting-dropoff', now: f.now.t });
      store.createOpenIntent(f.db, { kind: 'dropoff', compartmentId: '2', parcelId: p.id, actor: 'courier:x', now: f.now.t });
      return p;
    });
    await f.kiosk.recover();
    expect(store.getParcel(f.db, parcel.id)?.state).toBe('awaiting-dropoff');
    expect(f.kiosk.needsCheck()).toMatchObject([{ compartmentId: '2', kind: 'dropoff', parcelId: parcel.id, parcelExpected: true }]);
    expect(events('parcel.stored')).toHaveLength(0);
    expect(events('compartment.needs-check')).toHaveLength(1);
    expect((await failure(f.kiosk.startDropoff({ compartmentId: '2', actor: 'courier:test' }))).code).toBe('compartment-occupied');
    expect(f.kiosk.freeCounts().M).toBe(0);
  });
});

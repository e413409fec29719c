import { afterEach, describe, expect, it } from 'vitest';
import { ResultCommits, isDiskFault } from '../../../src/core/result-commits.js';
import { classify } from '../../../src/core/door-open.js';
import { silentLogger } from '../../../src/shared/logger.js';
import * as store from '../../../src/store/index.js';
import { failure } from '../../helpers/failure.js';
import { dropOff, flowFixture, type FlowFixture } from '../../helpers/flow-context.js';

/**
 * The custody rules as logic (README "Custody"): scripted doors, a real SQLite
 * file. The same rules under real faults, over a real PTY and real kills, are
 * proven by test/integration/custody.
 */
let f: FlowFixture;
let opened: FlowFixture[] = [];
afterEach(() => {
  for (const fx of opened) {
    fx.kiosk.close();
    store.closeDatabase(fx.db);
  }
  opened = [];
});
const fixture = (): FlowFixture => {
  f = flowFixture();
  opened.push(f);
  return f;
};

function events(type: string): unknown[] {
  return (f.db.sqlite.prepare('SELECT payload FROM events WHERE type = ? ORDER BY seq').pluck().all(type) as string[]).map((p) => JSON.parse(p) as unknown);
}

describe('the three outcomes', () => {
  it('classifies every driver answer, and only a frame that never left is "not sent"', () => {
    expect(classify('opened')).toEqual({ outcome: 'opened', sent: true });
    expect(classify('no-reply-door-open')).toEqual({ outcome: 'opened', sent: true });
    expect(classify('still-locked')).toEqual({ outcome: 'not-opened', sent: true });
    expect(classify('not-sent')).toEqual({ outcome: 'not-opened', sent: false });
    expect(classify('no-reply-door-closed')).toEqual({ outcome: 'unknown', sent: true });
    expect(classify('no-reply-unknown')).toEqual({ outcome: 'unknown', sent: true });
  });
});

describe('"Opening door N…"', () => {
  it('names the door to the asking screen once the intent is committed and before the pulse; a refused code names none', async () => {
    fixture();
    const { code, compartmentId } = await dropOff(f);
    const told: Array<{ door: string; pulsesBefore: number; intents: number }> = [];
    const onOpening = (door: string): void => {
      told.push({ door, pulsesBefore: f.doors.opens.length, intents: f.db.sqlite.prepare("SELECT count(*) FROM open_intents WHERE kind = 'pickup'").pluck().get() as number });
    };
    const pulses = f.doors.opens.length;
    expect((await failure(f.kiosk.pickup('000000', 'keypad', onOpening))).code).toBe('code-invalid');
    expect(told).toEqual([]);
    expect(await f.kiosk.pickup(code, 'keypad', onOpening)).toMatchObject({ outcome: 'opened', compartmentId });
    expect(told).toEqual([{ door: compartmentId, pulsesBefore: pulses, intents: 1 }]);
    expect(f.doors.opens).toHaveLength(pulses + 1);
  });

  it('a screen whose notice throws still gets its door pulsed and its outcome', async () => {
    fixture();
    const { code } = await dropOff(f);
    const pulses = f.doors.opens.length;
    const result = await f.kiosk.pickup(code, 'keypad', () => {
      throw new Error('screen gone');
    });
    expect(result).toMatchObject({ outcome: 'opened' });
    expect(f.doors.opens).toHaveLength(pulses + 1);
  });
});

describe('bounded opens (invariant 2)', () => {
  it('two unknown opens spend the code: the third try is refused with the staff answer and no pulse', async () => {
    fixture();
    const { code, parcelId } = await dropOff(f);
    f.doors.next = 'no-reply-unknown';
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'unknown', opensLeft: 1 });
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'unknown', opensLeft: 0 });
    const pulses = f.doors.opens.length;
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('code-open-limit');
    expect(f.doors.opens).toHaveLength(pulses);
    expect(store.getParcel(f.db, parcelId)?.state).toBe('stored');
    expect(events('pickup.unconfirmed')).toMatchObject([{ opensUsed: 1, opensLeft: 1 }, { opensUsed: 2, opensLeft: 0 }]);
  });

  it('a frame that never left gives the code its pulse back', async () => {
    fixture();
    const { code } = await dropOff(f);
    f.doors.next = 'not-sent';
    for (let i = 0; i < 3; i++) expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'not-opened', opensLeft: 2 });
    f.doors.next = 'opened';
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'opened', opensLeft: 1 });
    expect((await f.kiosk.pickup(code, 'keypad')).reopened).toBe(true);
    expect(f.doors.opens.filter((o) => o.lock === 2)).toHaveLength(3); // the drop-off's, the pickup's and the grace re-open
  });

  it('the retry after "unknown" reads the door first: found open, the pickup completes without a pulse', async () => {
    fixture();
    const { code, parcelId } = await dropOff(f);
    f.doors.next = 'no-reply-unknown';
    await f.kiosk.pickup(code, 'keypad');
    f.doors.doors.set('1/2', 'open');
    const pulses = f.doors.opens.length;
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'opened', opensLeft: 1 });
    expect(f.doors.opens).toHaveLength(pulses);
    expect(store.getParcel(f.db, parcelId)?.state).toBe('picked-up');
    expect(store.unresolvedIntents(f.db)).toEqual([]);
    expect(f.db.sqlite.prepare(`SELECT result FROM open_intents WHERE kind = 'pickup'`).pluck().all()).toEqual(['opened']);
  });
});

describe('right door (invariant 1)', () => {
  it('a vendor code bound to a compartment opens it only while no other parcel is inside; reserved compartments are never given to couriers', async () => {
    fixture();
    store.setReservedCompartments(f.db, new Map([['3', 'dingshang']]));
    store.insertPickupCode(f.db, { hash: store.hashPickupCode(f.ctx.secret, '55555555'), compartmentId: '3', source: 'dingshang', validFrom: 0 });
    expect(store.getCompartment(f.db, '3')?.reservedFor).toBe('dingshang');
    expect((await dropOff(f, 'L')).compartmentId).toBe('4'); // L is full once 3 is kept: the next size up
    expect((await failure(f.kiosk.startDropoff({ compartmentId: '3', actor: 'courier:test' }))).code).toBe('compartment-occupied');
    // A parcel that got in anyway (an older database): the vendor code must not open it.
    store.setReservedCompartments(f.db, new Map());
    const ticket = await f.kiosk.startDropoff({ compartmentId: '3', actor: 'courier:test' });
    f.doors.close(ticket.board, ticket.lock, f.now.t);
    await ticket.stored;
    const pulses = f.doors.opens.length;
    expect((await failure(f.kiosk.pickup('55555555', 'keypad'))).code).toBe('compartment-out-of-service');
    expect(f.doors.opens).toHaveLength(pulses);
  });
});

describe('a courier is not sent to a door that still stands open', () => {
  it('a free compartment whose door is open (its parcel just taken out) is given only when no shut one is free', async () => {
    fixture();
    // Compartment 2 (M) was emptied a moment ago and its door still stands open.
    f.doors.doors.set('1/2', 'open');
    expect((await dropOff(f, 'M')).compartmentId).toBe('3'); // the next size up, shut
    expect((await dropOff(f, 'M')).compartmentId).toBe('4');
    // Nothing shut is free any more at M or above: the open one is better than none.
    expect((await dropOff(f, 'M')).compartmentId).toBe('2');
  });
});

describe('right door after a pickup', () => {
  it('the grace re-open does not open a compartment a courier filled since', async () => {
    fixture();
    const first = await dropOff(f, 'M');
    const picked = await f.kiosk.pickup(first.code, 'keypad');
    // The customer shuts the door; a courier may be sent to it again.
    f.doors.close(picked.board, picked.lock, f.now.t);
    const second = await dropOff(f, 'M');
    expect(second.compartmentId).toBe(first.compartmentId);
    const pulses = f.doors.opens.length;
    expect((await failure(f.kiosk.pickup(first.code, 'keypad'))).code).toBe('code-used');
    expect(f.doors.opens).toHaveLength(pulses);
    expect(store.getParcel(f.db, second.parcelId)?.state).toBe('stored');
  });
});

describe('nothing stranded (invariant 4)', () => {
  it('an unknown drop-off asks "is a parcel inside?": yes stores it and shows the code once, no frees the compartment', async () => {
    fixture();
    f.doors.next = 'no-reply-unknown';
    const first = await f.kiosk.startDropoff({ size: 'M', actor: 'courier:a' });
    expect(first.outcome).toBe('unknown');
    expect((await failure(first.stored)).code).toBe('compartment-needs-check');
    expect(f.kiosk.needsCheck()).toMatchObject([{ compartmentId: '2', kind: 'dropoff', parcelExpected: true }]);
    const yes = await f.kiosk.answerCheck('2', true, 'courier:a');
    expect(yes).toMatchObject({ compartmentId: '2', resolution: 'stored', code: expect.stringMatching(/^\d{6}$/) });
    expect(store.getParcel(f.db, first.parcelId)?.state).toBe('stored');
    f.doors.next = 'opened';
    expect((await f.kiosk.pickup(yes.code!, 'keypad')).compartmentId).toBe('2');
    f.doors.close(1, 2, f.now.t);

    f.doors.next = 'no-reply-unknown';
    const second = await f.kiosk.startDropoff({ size: 'M', actor: 'courier:b' });
    expect(second.compartmentId).toBe('2');
    expect(await f.kiosk.answerCheck('2', false, 'courier:b')).toMatchObject({ resolution: 'freed', code: null });
    expect(store.getParcel(f.db, second.parcelId)?.state).toBe('cancelled');
    expect(f.kiosk.freeCounts().M).toBe(1);
    expect(f.kiosk.needsCheck()).toEqual([]);
    expect(events('compartment.check-answered')).toMatchObject([{ resolution: 'stored', parcelInside: true }, { resolution: 'freed', parcelInside: false }]);
    expect((await failure(f.kiosk.answerCheck('2', true, 'courier:b'))).code).toBe('compartment-not-found');
  });

  it('an unknown return asks whether the parcel is still inside: no completes the return, yes keeps it', async () => {
    fixture();
    const a = await dropOff(f, 'M');
    const b = await dropOff(f, 'L');
    f.doors.next = 'no-reply-unknown';
    expect((await f.kiosk.returnParcel('2', 'courier:r')).outcome).toBe('unknown');
    expect((await f.kiosk.openCompartment('3', 'technician:t')).outcome).toBe('unknown');
    expect(f.kiosk.needsCheck().map((c) => [c.compartmentId, c.kind])).toEqual([['2', 'return'], ['3', 'technician']]);
    expect(await f.kiosk.answerCheck('2', false, 'courier:r')).toMatchObject({ resolution: 'removed' });
    expect(store.getParcel(f.db, a.parcelId)?.state).toBe('returned');
    expect(await f.kiosk.answerCheck('3', true, 'technician:t')).toMatchObject({ resolution: 'kept' });
    expect(store.getParcel(f.db, b.parcelId)?.state).toBe('stored');
  });

  it('a technician open of an empty compartment that ends unknown needs no check', async () => {
    fixture();
    f.doors.next = 'no-reply-unknown';
    expect((await f.kiosk.openCompartment('1', 'technician:t')).outcome).toBe('unknown');
    expect(f.kiosk.needsCheck()).toEqual([]);
  });
});

describe('no promise without the disk (invariant 5)', () => {
  it('refuses before any pulse below the reserve, raises the alarm, queues one event per crossing', async () => {
    const alarms: Array<[string, boolean]> = [];
    fixture();
    const { code } = await dropOff(f);
    let free = 10 * 1024 * 1024;
    Object.assign(f.ctx, { freeBytes: () => free, alarm: (c: string, up: boolean) => alarms.push([c, up]) });
    const pulses = f.doors.opens.length;
    expect((await failure(f.kiosk.pickup(code, 'keypad'))).code).toBe('storage-full');
    expect((await failure(f.kiosk.startDropoff({ size: 'S', actor: 'courier:x' }))).code).toBe('storage-full');
    expect(f.doors.opens).toHaveLength(pulses);
    expect(events('cabinet.storage-low')).toHaveLength(1);
    expect(alarms).toContainEqual(['storage-low', true]);
    free = 1024 * 1024 * 1024;
    expect((await f.kiosk.pickup(code, 'keypad')).outcome).toBe('opened');
    expect(alarms.at(-1)).toEqual(['storage-low', false]);
  });

  it('keeps a result the disk refused and retries it until it lands; other doors wait meanwhile', () => {
    fixture();
    const alarms: Array<[string, boolean]> = [];
    const commits = new ResultCommits(f.db, silentLogger, (c, up) => alarms.push([c, up]), { firstDelayMs: 60_000, maxDelayMs: 60_000 });
    let refusals = 2;
    const landed: number[] = [];
    const write = (n: number) => () => {
      if (refusals > 0) {
        refusals--;
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      }
      landed.push(n);
    };
    expect(commits.commit('first', write(1))).toBe(false);
    expect(commits.commit('second', write(2))).toBe(false); // waits behind the first, in order
    expect(commits.pending).toBe(2);
    expect(alarms).toEqual([['commit-pending', true], ['commit-pending', true]]);
    expect(commits.flush()).toBe(2); // the disk refuses once more
    expect(commits.flush()).toBe(0);
    expect(landed).toEqual([1, 2]);
    expect(alarms.at(-1)).toEqual(['commit-pending', false]);
    commits.stop();
    expect(isDiskFault({ code: 'SQLITE_IOERR_WRITE' })).toBe(true);
    expect(isDiskFault({ code: 'SQLITE_CONSTRAINT' })).toBe(false);
  });
});

describe('no oracle (invariant 6)', () => {
  it('answers for used, expired and out-of-service codes count like wrong codes and wait out the same floor', async () => {
    fixture();
    const a = await dropOff(f);
    const b = await dropOff(f, 'L');
    await f.kiosk.pickup(a.code, 'keypad');
    f.now.t += 61_000; // past the grace window
    f.kiosk.setOutOfService(b.compartmentId, true, 'hinge', 'technician:t');
    const answers: string[] = [];
    for (const code of [a.code, b.code, '000000', a.code]) answers.push((await failure(f.kiosk.pickup(code, 'keypad'))).code);
    expect(answers).toEqual(['code-used', 'compartment-out-of-service', 'code-invalid', 'code-used']);
    const fifth = await failure(f.kiosk.pickup(b.code, 'keypad'));
    expect(fifth.code).toBe('locked-out');
    // Out of service, the answer does not name the compartment.
    expect((await failure(f.kiosk.pickup(b.code, 'keypad'))).meta).not.toHaveProperty('compartmentId');
    expect(f.doors.slept.slice(0, 5)).toEqual(Array(5).fill(f.ctx.policy.refusalFloorMs));
  });

  it('the refusal that locks the keypad commits its keypad.locked-out event in the same transaction as the attempt', async () => {
    fixture();
    let transactions = 0;
    const begin = f.db.sqlite.transaction.bind(f.db.sqlite);
    Object.assign(f.db.sqlite, { transaction: (fn: (...a: unknown[]) => unknown) => ((transactions++), begin(fn)) });
    for (let i = 0; i < 4; i++) await failure(f.kiosk.pickup(`00000${i}`, 'keypad'));
    const counted = transactions;
    expect((await failure(f.kiosk.pickup('000009', 'keypad'))).code).toBe('locked-out');
    expect(transactions - counted).toBe(1);
    expect(events('keypad.locked-out')).toHaveLength(1);
  });

  it('the lockout check reads no log once seeded: 20,000 past attempts cost no query', () => {
    fixture();
    const insert = f.db.sqlite.prepare(`INSERT INTO code_attempts (at, ok, source) VALUES (?, 0, 'keypad')`);
    f.db.sqlite.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(f.now.t - 3 * 86_400_000 + i * 10_000);
    })();
    const fresh = f.ctx.guesses.state(undefined, f.now.t);
    // Seeded once from the log, equal to a full replay:
    expect(fresh).toEqual(store.lockoutState(f.db, f.now.t, f.ctx.policy.lockout));
    f.db.sqlite.exec('DELETE FROM code_attempts');
    // …and then independent of it: a later check is the in-memory fold.
    expect(f.ctx.guesses.state(undefined, f.now.t)).toEqual(fresh);
  });
});

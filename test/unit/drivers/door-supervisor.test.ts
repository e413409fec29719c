import { afterEach, describe, expect, it } from 'vitest';
import type { LockBoard } from '../../../src/drivers/board-types.js';
import { DoorSupervisor, type DoorEventSink } from '../../../src/drivers/door-supervisor.js';
import { DriverError } from '../../../src/drivers/errors.js';
import type { DoorState } from '../../../src/shared/domain.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { sleep } from './mock-port.js';

/** A board whose doors the test sets; counts reads. */
function fakeBoard(address: number, locks: number) {
  const doors: DoorState[] = Array.from({ length: locks }, () => 'closed');
  const board = {
    address, protocol: 'xor-8a' as const, lockCount: locks, fail: false, reads: 0, readAlls: 0, doors,
    open: async () => ({ door: 'unknown' as const }),
    openAll: async () => undefined,
    readDoor: async (lock: number) => {
      board.reads++;
      if (board.fail) throw new DriverError('reply-timeout', 'no reply');
      return doors[lock - 1]!;
    },
    readAllDoors: async () => {
      board.readAlls++;
      if (board.fail) throw new DriverError('reply-timeout', 'no reply');
      return [...doors];
    },
  };
  return board satisfies LockBoard;
}

function recorder() {
  const events: string[] = [];
  const sink: DoorEventSink = {
    doorOpened: (e) => events.push(`opened ${e.board}/${e.lock} commanded=${e.commanded}`),
    doorClosed: (e) => events.push(`closed ${e.board}/${e.lock} openMs=${e.openMs === null ? 'null' : 'n'}`),
    doorLeftOpen: (e) => events.push(`left-open ${e.board}/${e.lock}`),
    doorForced: (e) => events.push(`forced ${e.board}/${e.lock}`),
    boardFault: (e) => events.push(`fault ${e.board} ${e.cause}`),
  };
  return { events, sink };
}

let sup: DoorSupervisor | undefined;
afterEach(() => sup?.stop());

const opts = { pollIntervalMs: 20, activePollMs: 5, leftOpenAfterMs: 150, openWindowMs: 100 };

describe('DoorSupervisor', () => {
  it('takes the first poll as a baseline, then reports a forced opening and the close', async () => {
    const b = fakeBoard(1, 4);
    b.doors[1] = 'open';
    const { events, sink } = recorder();
    sup = new DoorSupervisor(new Map([[1, b]]), sink, () => true, silentLogger, opts);
    sup.start();
    await sleep(30);
    expect(events).toEqual([]);
    b.doors[2] = 'open';
    await sleep(40);
    b.doors[2] = 'closed';
    b.doors[1] = 'closed';
    await sleep(40);
    // Lock 2 was open at the first poll (baseline): its opening time is unknown.
    expect(events).toEqual(['opened 1/3 commanded=false', 'forced 1/3', 'closed 1/2 openMs=null', 'closed 1/3 openMs=n']);
    expect(sup.states().find((s) => s.lock === 3)?.door).toBe('closed');
  });

  it('an expected opening is commanded and the lock is polled fast', async () => {
    const b = fakeBoard(1, 4);
    const { events, sink } = recorder();
    sup = new DoorSupervisor(new Map([[1, b]]), sink, () => true, silentLogger, { ...opts, pollIntervalMs: 1000 });
    sup.start();
    await sleep(5);
    sup.expectOpen(1, 2);
    b.doors[1] = 'open';
    await sleep(30);
    expect(events).toEqual(['opened 1/2 commanded=true']);
    expect(b.reads).toBeGreaterThan(0);
    b.doors[1] = 'closed';
    await sleep(30);
    expect(events).toEqual(['opened 1/2 commanded=true', 'closed 1/2 openMs=n']);
    const reads = b.reads;
    await sleep(30);
    expect(b.reads).toBe(reads);
  });

  it('an opening after the window has passed is forced', async () => {
    const b = fakeBoard(1, 2);
    const { events, sink } = recorder();
    sup = new DoorSupervisor(new Map([[1, b]]), sink, () => true, silentLogger, { ...opts, openWindowMs: 10 });
    sup.start();
    await sleep(25);
    sup.expectOpen(1, 1);
    await sleep(30);
    b.doors[0] = 'open';
    await sleep(40);
    expect(events).toEqual(['opened 1/1 commanded=false', 'forced 1/1']);
  });

  it('reports left-open once per opening', async () => {
    const b = fakeBoard(1, 1);
    const { events, sink } = recorder();
    sup = new DoorSupervisor(new Map([[1, b]]), sink, () => true, silentLogger, opts);
    sup.start();
    await sleep(25);
    b.doors[0] = 'open';
    await sleep(250);
    expect(events.filter((e) => e.startsWith('left-open'))).toEqual(['left-open 1/1']);
  });

  it('reports an unresponsive board once, and stays quiet while disconnected', async () => {
    const b = fakeBoard(3, 1);
    b.fail = true;
    let connected = true;
    const { events, sink } = recorder();
    sup = new DoorSupervisor(new Map([[3, b]]), sink, () => connected, silentLogger, opts);
    sup.start();
    await sleep(70);
    expect(events).toEqual(['fault 3 reply-timeout']);
    connected = false;
    const polls = b.readAlls;
    await sleep(60);
    expect(b.readAlls).toBe(polls);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CabinetHardware, socatAvailable, startSimulator, type SimulatorHandle } from '../../../src/drivers/index.js';
import { silentLogger } from '../../../src/shared/logger.js';
import * as store from '../../../src/store/index.js';
import { flowFixture, type FlowFixture } from '../../helpers/flow-context.js';

/**
 * The flows over the real thing: `serialport` on a socat PTY pair, the board
 * simulator on the other end, a SQLite file. What the simulator read is the
 * proof of which door was pulsed.
 */
const boards = [
  { address: 1, protocol: 'xor-8a' as const, locks: 8 },
  { address: 2, protocol: 'xor-8a' as const, locks: 8 },
];
let sim: SimulatorHandle;
let hw: CabinetHardware;
let f: FlowFixture;
let frames: Array<{ kind: string; board: number; lock?: number }>;

const opens = (board: number, lock: number) => frames.filter((x) => x.kind === 'open' && x.board === board && x.lock === lock).length;
const events = (type: string) => f.db.sqlite.prepare('SELECT payload FROM events WHERE type = ?').all(type) as Array<{ payload: string }>;


async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startCabinet(dbPath?: string): Promise<void> {
  hw = await CabinetHardware.start({
    serial: { path: sim.agentPath, baudRate: 9600, binding: sim.binding, replyTimeoutMs: 300 },
    boards,
    supervision: { pollIntervalMs: 200, activePollMs: 40, leftOpenAfterMs: 800, openWindowMs: 2000 },
    logger: silentLogger,
  });
  // The flows take the real hardware as doors and as the door-event source.
  f = flowFixture({ doors: hw as never, ...(dbPath ? { dbPath } : {}), compartments: [
    { id: '1', board: 1, lock: 1, size: 'S' },
    { id: '2', board: 1, lock: 2, size: 'M' },
    { id: '3', board: 2, lock: 5, size: 'L' },
  ] });
  f.now.t = Date.now();
  f.ctx.clock = () => Date.now();
}

beforeEach(async () => {
  if (!socatAvailable()) throw new Error('socat is required for the PTY tests: apt-get install socat (.ci/run does)');
  // Doors stay open longer than a lost reply takes to time out (300 ms) and be read back.
  sim = await startSimulator({ boards, autoCloseMs: 700, transport: 'pty', logger: silentLogger });
  frames = [];
  sim.simulator.on('frame', (e: { kind: string; board: number; lock?: number }) => frames.push(e));
  await startCabinet();
});

afterEach(async () => {
  await hw.close();
  store.closeDatabase(f.db);
  await sim.close();
});

describe('flows over a PTY against the simulator', () => {
  it('drop-off completes when the simulated door swings shut; the code opens that door', async () => {
    const ticket = await f.kiosk.startDropoff({ size: 'L', actor: 'courier:test' });
    expect(ticket).toMatchObject({ compartmentId: '3', board: 2, lock: 5 });
    const stored = await ticket.stored;
    expect(opens(2, 5)).toBe(1);
    await f.kiosk.pickup(stored.code, 'keypad');
    expect(opens(2, 5)).toBe(2);
    expect(store.getParcel(f.db, stored.parcelId)?.state).toBe('picked-up');
    await until(() => events('door.closed').length >= 2);
  });

  it('a jammed lock: the board says still locked, the customer hears "not opened" and the code keeps one pulse', async () => {
    const { code } = await (await f.kiosk.startDropoff({ size: 'M', actor: 'courier:test' })).stored;
    sim.model.jam(1, 2);
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'not-opened', compartmentId: '2', opensLeft: 1 });
    sim.model.jam(1, 2, false);
    expect(await f.kiosk.pickup(code, 'keypad')).toMatchObject({ outcome: 'opened', compartmentId: '2', opensLeft: 0 });
  });

  it('a lost open reply is never answered by a second pulse: the door is read instead', async () => {
    const { code, parcelId } = await (await f.kiosk.startDropoff({ size: 'M', actor: 'courier:test' })).stored;
    await until(() => !sim.model.isOpen(1, 2));
    const before = opens(1, 2);
    sim.simulator.setFault('no-reply', { on: 'open', count: 1 });
    await f.kiosk.pickup(code, 'keypad');
    expect(opens(1, 2)).toBe(before + 1);
    expect(store.getParcel(f.db, parcelId)?.state).toBe('picked-up');
  });

  it('a door opened with no command is recorded as forced; one left open as left-open', async () => {
    // The first poll after start is the baseline (a door open at boot is not "forced"): let it pass.
    await until(() => hw.doorStates().length > 0 && hw.doorStates().every((d) => d.door === 'closed'));
    await new Promise((r) => setTimeout(r, 300));
    sim.model.forceOpen(1, 1, { autoClose: false });
    await until(() => events('door.forced').length === 1);
    await until(() => events('door.left-open').length === 1, 3000);
    sim.model.closeDoor(1, 1);
    await until(() => events('door.closed').length === 1);
  });

  it('while a customer types, supervision polls stay off the bus; a pickup still opens at once', async () => {
    const { code } = await (await f.kiosk.startDropoff({ size: 'M', actor: 'courier:test' })).stored;
    await until(() => !sim.model.isOpen(1, 2));
    const polls = () => frames.filter((x) => x.kind === 'read' || x.kind === 'read-all').length;
    await until(() => polls() > 0);
    f.kiosk.customerActive(800);
    await new Promise((r) => setTimeout(r, 60)); // a poll already on the wire finishes
    const before = polls();
    await new Promise((r) => setTimeout(r, 500));
    expect(polls()).toBe(before);
    await f.kiosk.pickup(code, 'keypad');
    expect(opens(1, 2)).toBe(2);
    await until(() => polls() > before, 3000);
  });

  it('after a crash between intent and result, recover() reads the door and never pulses again', async () => {
    const { code, parcelId } = await (await f.kiosk.startDropoff({ size: 'M', actor: 'courier:test' })).stored;
    await until(() => !sim.model.isOpen(1, 2));
    const codeRow = store.codesForParcel(f.db, parcelId)[0]!;
    // The intent was committed and the board pulsed, then the power went.
    store.createOpenIntent(f.db, { kind: 'pickup', compartmentId: '2', parcelId, codeId: codeRow.id, actor: 'customer:keypad', now: Date.now() });
    sim.model.forceOpen(1, 2, { autoClose: false });
    const dbPath = f.dbPath;
    await hw.close();
    store.closeDatabase(f.db);
    const pulsesBefore = opens(1, 2);

    await startCabinet(dbPath);
    const reports = await f.kiosk.recover();
    expect(reports).toEqual([expect.objectContaining({ kind: 'pickup', compartmentId: '2', door: 'open', result: 'opened' })]);
    expect(opens(1, 2)).toBe(pulsesBefore);
    expect(store.getParcel(f.db, parcelId)?.state).toBe('picked-up');
    expect(events('parcel.picked-up')).toHaveLength(1);
    // The customer may still re-open once within the grace window, as after any pickup.
    expect((await f.kiosk.pickup(code, 'keypad')).reopened).toBe(true);
  });
});

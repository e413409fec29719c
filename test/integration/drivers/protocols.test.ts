import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BoardProtocol } from '../../../src/shared/domain.js';
import { ptyCabinet, requireSocat, type PtyCabinet } from '../../helpers/pty.js';

let c: PtyCabinet | undefined;
beforeAll(() => requireSocat());
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const PROTOCOLS: Array<{ protocol: BoardProtocol; first: number }> = [
  { protocol: 'xor-8a', first: 1 },
  { protocol: 'kerong-cu', first: 0 },
  { protocol: 'modbus-relay', first: 1 },
];

describe.each(PROTOCOLS)('$protocol over a real PTY', ({ protocol, first }) => {
  const boards = [first, first + 1];

  it('opens a lock, reads it and reads every board', async () => {
    c = await ptyCabinet({ protocol, addresses: boards, supervision: { pollIntervalMs: 10_000 } });
    expect(await c.hw.readDoor(first + 1, 3)).toBe('closed');
    expect(await c.hw.open(first + 1, 3)).toEqual({ outcome: 'opened', door: 'open' });
    expect(c.sim.model.isOpen(first + 1, 3)).toBe(true);
    expect(await c.hw.readDoor(first + 1, 3)).toBe('open');
    const all = await c.hw.readAll();
    expect(all).toHaveLength(16);
    expect(all.filter((d) => d.door === 'open')).toEqual([{ board: first + 1, lock: 3, door: 'open' }]);
    expect(all.filter((d) => d.door === 'closed')).toHaveLength(15);
  });

  it('opens every lock of one board', async () => {
    c = await ptyCabinet({ protocol, addresses: boards, supervision: { pollIntervalMs: 10_000 } });
    await c.hw.openAll(first);
    expect(c.sim.model.snapshot().filter((d) => d.open).map((d) => d.board)).toEqual(Array(8).fill(first));
  });

  it('reports still-locked when the lock does not release', async () => {
    c = await ptyCabinet({ protocol, supervision: { pollIntervalMs: 10_000, confirmOpenMs: 100 } });
    c.sim.model.jam(first, 2);
    expect(await c.hw.open(first, 2)).toEqual({ outcome: 'still-locked', door: 'closed' });
  });

  it('honours open-when-active polarity at both ends', async () => {
    c = await ptyCabinet({ protocol, board: { feedbackPolarity: 'open-when-active' }, supervision: { pollIntervalMs: 10_000 } });
    expect(await c.hw.readDoor(first, 1)).toBe('closed');
    expect((await c.hw.open(first, 1)).outcome).toBe('opened');
    expect((await c.hw.readAll()).find((d) => d.lock === 1)?.door).toBe('open');
  });

  it('rejects a lock the board does not have before sending anything', async () => {
    c = await ptyCabinet({ protocol, supervision: { pollIntervalMs: 10_000 } });
    const requests = c.hw.diagnostics().stats.requests;
    expect(await c.hw.open(first, 9)).toMatchObject({ outcome: 'not-sent', reason: expect.stringContaining('not 9') });
    expect(await c.hw.open(first + 5, 1)).toMatchObject({ outcome: 'not-sent', reason: expect.stringContaining(`no board with address ${first + 5}`) });
    expect(c.hw.diagnostics().stats.requests).toBe(requests);
  });
});

describe('protocol specifics over a real PTY', () => {
  it('A: first-byte-first status order and a 4-status-byte (32-lock) board', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', locks: 32, board: { statusByteOrder: 'first-byte-first' }, supervision: { pollIntervalMs: 10_000 } });
    await c.hw.open(1, 27);
    const all = await c.hw.readAll();
    expect(all.filter((d) => d.door === 'open').map((d) => d.lock)).toEqual([27]);
    expect(c.hw.diagnostics().lastFrames.some((f) => f.dir === 'rx' && f.hex.split(' ').length === 8)).toBe(true);
  });

  it('B: a CU that answers the unlock with a status frame needs no extra read', async () => {
    c = await ptyCabinet({ protocol: 'kerong-cu', board: { unlockReply: 'status' }, supervision: { pollIntervalMs: 10_000 } });
    const mark = Date.now();
    expect(await c.hw.open(0, 5)).toEqual({ outcome: 'opened', door: 'open' });
    expect(c.txSince(mark)).toEqual(['02 04 31 03 3a']);
  });

  it('B: without a reply to the unlock, status (30) is read to learn the outcome (§B.5)', async () => {
    c = await ptyCabinet({ protocol: 'kerong-cu', supervision: { pollIntervalMs: 10_000 } });
    const mark = Date.now();
    expect(await c.hw.open(0, 5)).toEqual({ outcome: 'opened', door: 'open' });
    expectOnePulseThenReads(c.txSince(mark), '02 04 31 03 3a', '02 00 30 03 35');
  });

  it('C: the pulse is board-timed FC05 at 0x0200 + relay, and all relays go off at start (§C.3)', async () => {
    c = await ptyCabinet({ protocol: 'modbus-relay', supervision: { pollIntervalMs: 10_000 } });
    expect(c.txSince(0)[0]).toBe('01 05 00 ff 00 00 fd fa');
    const mark = Date.now();
    await c.hw.open(1, 1);
    // The echo carries no door state, so the door input is read (FC02 from input 1, one bit).
    expectOnePulseThenReads(c.txSince(mark), '01 05 02 00 00 02 4d b3', '01 02 00 00 00 01 b9 ca');
  });
});

/**
 * One pulse, then at least one read of the door and nothing else. A read whose
 * reply is late on a busy machine is read again (the confirm loop), never
 * answered by a second pulse, so the count of reads is not fixed.
 */
function expectOnePulseThenReads(tx: string[], pulse: string, read: string): void {
  expect(tx[0]).toBe(pulse);
  expect(tx.length).toBeGreaterThanOrEqual(2);
  expect(tx.slice(1)).toEqual(Array(tx.length - 1).fill(read));
}

describe('simulator timing hooks', () => {
  it('emits `frame` when the last request byte is read, and paces replies at paceBaud', async () => {
    requireSocat();
    const { startSimulator } = await import('../../../src/drivers/simulator/start-simulator.js');
    const { CabinetHardware } = await import('../../../src/drivers/cabinet-hardware.js');
    const { silentLogger } = await import('../../../src/shared/logger.js');
    const sim = await startSimulator({ boards: 1, locks: 8, transport: 'pty', paceBaud: 9600 });
    const hw = await CabinetHardware.start({
      serial: { path: sim.agentPath, baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 8 }], logger: silentLogger,
      supervision: { pollIntervalMs: 60_000 },
    });
    try {
      await hw.readDoor(1, 1);
      await new Promise((r) => setTimeout(r, 20));
      const frames: Array<{ at: number; hex: string; decoded: string }> = [];
      sim.simulator.on('frame', (f) => frames.push(f));
      const t0 = performance.now();
      await hw.readDoor(1, 2);
      const t1 = performance.now();
      expect(frames).toEqual([expect.objectContaining({ hex: '80 01 02 33 b0', decoded: 'read lock 2' })]);
      expect(frames[0]!.at).toBeGreaterThan(t0);
      // Five reply bytes at 9600 baud ≈ 5.2 ms of wire time.
      expect(t1 - frames[0]!.at).toBeGreaterThanOrEqual(3.5); // timers may fire up to 1 ms early
    } finally {
      await hw.close();
      await sim.close();
    }
  });
});

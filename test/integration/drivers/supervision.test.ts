import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ptyCabinet, requireSocat, type PtyCabinet } from '../../helpers/pty.js';
import type { SimFrameEvent } from '../../../src/drivers/simulator/board-simulator.js';

let c: PtyCabinet | undefined;
beforeAll(() => requireSocat());
afterEach(async () => {
  await c?.close();
  c = undefined;
});

describe('door supervision over a real PTY', () => {
  it('commanded open → door-opened (commanded), then door-closed when it swings shut', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', autoCloseMs: 200, supervision: { pollIntervalMs: 100, activePollMs: 20 } });
    const opened = c.waitFor('door-opened');
    const closed = c.waitFor('door-closed');
    await c.hw.open(1, 5);
    expect(await opened).toMatchObject({ board: 1, lock: 5, commanded: true });
    const e = await closed;
    expect(e).toMatchObject({ board: 1, lock: 5 });
    expect(e.openMs).toBeGreaterThanOrEqual(150);
    expect(c.hw.doorStates().find((d) => d.lock === 5)?.door).toBe('closed');
  });

  it('a door left open is reported once', async () => {
    c = await ptyCabinet({ protocol: 'kerong-cu', autoCloseMs: 0, supervision: { pollIntervalMs: 40, leftOpenAfterMs: 200 } });
    await c.hw.open(0, 2);
    const e = await c.waitFor('door-left-open');
    expect(e).toMatchObject({ board: 0, lock: 2 });
    expect(e.openMs).toBeGreaterThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.events.filter((x) => x.name === 'door-left-open')).toHaveLength(1);
  });

  it('an opening nobody commanded is door-forced', async () => {
    c = await ptyCabinet({ protocol: 'modbus-relay', supervision: { pollIntervalMs: 40 } });
    const forced = c.waitFor('door-forced');
    c.sim.model.forceOpen(1, 7, { autoClose: false });
    expect(await forced).toMatchObject({ board: 1, lock: 7 });
    expect(c.events.find((e) => e.name === 'door-opened')?.e).toMatchObject({ lock: 7, commanded: false });
  });

  it('a jammed lock → open-failed (still-locked) and no door-opened', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', supervision: { pollIntervalMs: 40, openWindowMs: 300 } });
    c.sim.model.jam(1, 1);
    const failed = c.waitFor('open-failed');
    await c.hw.open(1, 1);
    expect(await failed).toMatchObject({ board: 1, lock: 1, reason: 'still-locked' });
    await new Promise((r) => setTimeout(r, 150));
    expect(c.events.some((e) => e.name === 'door-opened')).toBe(false);
  });

  it('a command is not held up by a cycle of polls', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', addresses: [1, 2, 3, 4, 5, 6], supervision: { pollIntervalMs: 1 } });
    const frames: SimFrameEvent[] = [];
    c.sim.simulator.on('frame', (f: SimFrameEvent) => frames.push(f));
    const behind: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = frames.length;
      await c.hw.open(1 + (i % 6), 1 + (i % 8));
      // The frames the board saw from the call to the open: the poll already
      // on the wire, at most, never the rest of the cycle (six boards).
      const seen = frames.slice(before);
      const openAt = seen.findIndex((f) => f.kind === 'open');
      expect(openAt, `open ${i} reached the board`).toBeGreaterThanOrEqual(0);
      behind.push(openAt);
    }
    expect(Math.max(...behind)).toBeLessThanOrEqual(1);
    // The polls did run meanwhile: the check above is not vacuous.
    expect(frames.filter((f) => f.kind === 'read-all').length).toBeGreaterThan(0);
  });
});

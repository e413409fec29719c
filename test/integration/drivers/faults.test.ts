import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BoardProtocol } from '../../../src/shared/domain.js';
import { ptyCabinet, requireSocat, sleep, type PtyCabinet } from '../../helpers/pty.js';

let c: PtyCabinet | undefined;
beforeAll(() => requireSocat());
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const quiet = { pollIntervalMs: 60_000, confirmOpenMs: 150, activePollMs: 20 };

describe('simulator faults against the driver, over a real PTY', () => {
  it('no-reply to an open: not re-sent, the door is read → no-reply-door-open', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', supervision: quiet });
    c.sim.simulator.setFault('no-reply', { on: 'open' });
    const mark = Date.now();
    expect(await c.hw.open(1, 4)).toEqual({ outcome: 'no-reply-door-open', door: 'open' });
    expect(c.txSince(mark).filter((h) => h.startsWith('8a'))).toEqual(['8a 01 04 11 9e']);
    expect(c.events.filter((e) => e.name === 'open-failed')).toEqual([]);
  });

  it('no-reply to an open of a jammed lock → no-reply-door-closed and open-failed', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', supervision: quiet });
    c.sim.simulator.setFault('no-reply', { on: 'open' });
    c.sim.simulator.setFault('still-locked');
    expect(await c.hw.open(1, 4)).toEqual({ outcome: 'no-reply-door-closed', door: 'closed' });
    expect(c.events.find((e) => e.name === 'open-failed')?.e).toMatchObject({ board: 1, lock: 4, reason: 'no-reply' });
  });

  it('a board that answers nothing → no-reply-unknown, after bounded read retries', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', serial: { replyTimeoutMs: 100, readRetries: 1 }, supervision: quiet });
    c.sim.simulator.setFault('no-reply');
    const mark = Date.now();
    expect(await c.hw.open(1, 2)).toEqual({ outcome: 'no-reply-unknown', door: 'unknown' });
    const tx = c.txSince(mark);
    expect(tx.filter((h) => h.startsWith('8a'))).toHaveLength(1);
    expect(tx.filter((h) => h.startsWith('80')).length).toBeGreaterThanOrEqual(2);
    expect(c.hw.diagnostics().stats.timeouts).toBeGreaterThanOrEqual(3);
  });

  it('bad-checksum on an open: rejected as corrupt, never taken, door read instead', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', supervision: quiet });
    c.sim.simulator.setFault('bad-checksum', { on: 'open', count: 1 });
    expect(await c.hw.open(1, 1)).toEqual({ outcome: 'no-reply-door-open', door: 'open' });
    expect(c.hw.diagnostics().stats.badFrames).toBeGreaterThanOrEqual(1);
  });

  it('bad-checksum on a read: retried and answered', async () => {
    c = await ptyCabinet({ protocol: 'kerong-cu', supervision: quiet });
    c.sim.simulator.setFault('bad-checksum', { on: 'read', count: 1 });
    expect(await c.hw.readDoor(0, 1)).toBe('closed');
    expect(c.hw.diagnostics().stats).toMatchObject({ retries: 1 });
  });

  it('still-locked: the board says so → still-locked and open-failed', async () => {
    c = await ptyCabinet({ protocol: 'modbus-relay', supervision: quiet });
    c.sim.simulator.setFault('still-locked', { lock: 3 });
    expect(await c.hw.open(1, 3)).toEqual({ outcome: 'still-locked', door: 'closed' });
    expect(c.events.find((e) => e.name === 'open-failed')?.e).toMatchObject({ lock: 3, reason: 'still-locked' });
    expect((await c.hw.open(1, 4)).outcome).toBe('opened');
  });

  it('echo: with serial.echo on, the echo is stripped, so A\'s failure reply (= the command) is still read right', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', serial: { echo: true }, supervision: quiet });
    c.sim.simulator.setFault('echo');
    expect((await c.hw.open(1, 1)).outcome).toBe('opened');
    c.sim.simulator.setFault('still-locked');
    expect((await c.hw.open(1, 2)).outcome).toBe('still-locked');
    expect(await c.hw.readAll()).toHaveLength(8);
    expect(c.hw.diagnostics().stats.echoesStripped).toBeGreaterThanOrEqual(3);
  });

  it.each<BoardProtocol>(['xor-8a', 'kerong-cu', 'modbus-relay'])('garbage-prefix (%s): skipped and counted', async (protocol) => {
    const board = protocol === 'kerong-cu' ? 0 : 1;
    c = await ptyCabinet({ protocol, supervision: quiet });
    c.sim.simulator.setFault('garbage-prefix');
    expect((await c.hw.open(board, 2)).outcome).toBe('opened');
    expect(await c.hw.readDoor(board, 2)).toBe('open');
    expect(c.hw.diagnostics().stats.garbageBytes).toBeGreaterThanOrEqual(8);
  });

  it('late-reply: the late answer is flushed, never taken for the next request', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', serial: { replyTimeoutMs: 100, readRetries: 0 }, supervision: quiet });
    c.sim.simulator.setFault('late-reply', { delayMs: 130, count: 1 });
    await expect(c.hw.readDoor(1, 1)).rejects.toMatchObject({ code: 'reply-timeout', meta: { board: 1, lock: 1, cmd: 'read', ms: 100 } });
    c.sim.model.forceOpen(1, 1, { autoClose: false });
    expect(await c.hw.readDoor(1, 1)).toBe('open');
    await sleep(20);
    expect(c.hw.diagnostics().stats.unsolicitedBytes).toBe(5);
  });

  it('faults can be listed and cleared at run time', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', supervision: quiet });
    c.sim.simulator.setFault('no-reply', true);
    c.sim.simulator.setFault('echo', { board: 1 });
    expect(c.sim.simulator.faults().map((f) => f.kind)).toEqual(['no-reply', 'echo']);
    c.sim.simulator.clearFaults();
    expect(await c.hw.readDoor(1, 1)).toBe('closed');
  });
});

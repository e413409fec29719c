import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ptyCabinet, requireSocat, sleep, type PtyCabinet } from '../../helpers/pty.js';
import { CabinetHardware } from '../../../src/drivers/cabinet-hardware.js';
import { startSimulator, type SimulatorHandle } from '../../../src/drivers/simulator/start-simulator.js';
import { silentLogger } from '../../../src/shared/logger.js';

let c: PtyCabinet | undefined;
beforeAll(() => requireSocat());
afterEach(async () => {
  await c?.close();
  c = undefined;
});

describe.each(['pty', 'mock'] as const)('unplug and replug (%s)', (transport) => {
  it('reports disconnected, refuses requests fast, reconnects, and works again', async () => {
    c = await ptyCabinet({ protocol: 'xor-8a', transport, supervision: { pollIntervalMs: 50 } });
    const down = c.waitFor('disconnected');
    c.sim.simulator.setFault('unplug');
    expect(await down).toMatchObject({ path: c.sim.agentPath });
    expect(c.hw.connected).toBe(false);
    const requests = c.hw.diagnostics().stats.requests;
    // Refused before the write: nothing goes out, so custody can say "not opened".
    expect(await c.hw.open(1, 1)).toMatchObject({ outcome: 'not-sent', door: 'unknown' });
    expect(c.hw.diagnostics().stats.requests).toBe(requests);
    await sleep(150);
    const up = c.waitFor('reconnected');
    c.sim.simulator.setFault('unplug', false);
    expect(await up).toEqual({ path: c.sim.agentPath });
    expect(await c.hw.open(1, 1)).toEqual({ outcome: 'opened', door: 'open' });
    expect(c.hw.diagnostics().stats.reconnects).toBe(1);
  });
});

describe('start without the adapter', () => {
  let sim: SimulatorHandle | undefined;
  let hw: CabinetHardware | undefined;
  afterEach(async () => {
    await hw?.close();
    await sim?.close();
  });

  it('start() resolves, emits disconnected, and connects when the port appears', async () => {
    sim = await startSimulator({ boards: 1, protocol: 'xor-8a', locks: 4, transport: 'pty', autoCloseMs: 0 });
    await sim.unplug();
    hw = await CabinetHardware.start({
      serial: { path: sim.agentPath, baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 4 }], logger: silentLogger,
      reconnect: { initialDelayMs: 20, maxDelayMs: 80 }, supervision: { pollIntervalMs: 50 },
    });
    const events: string[] = [];
    hw.on('disconnected', () => events.push('disconnected'));
    hw.on('reconnected', () => events.push('reconnected'));
    expect(hw.connected).toBe(false);
    await sleep(20);
    expect(events).toEqual(['disconnected']);
    await sim.replug();
    for (let i = 0; i < 100 && !hw.connected; i++) await sleep(10);
    expect(events).toEqual(['disconnected', 'reconnected']);
    expect((await hw.open(1, 2)).outcome).toBe('opened');
  });
});

import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { CabinetHardware } from '../../../src/drivers/cabinet-hardware.js';
import { startSimulator, type SimulatorHandle } from '../../../src/drivers/simulator/start-simulator.js';
import { silentLogger } from '../../../src/shared/logger.js';

let sim: SimulatorHandle | undefined;
let hw: CabinetHardware | undefined;
afterEach(async () => {
  await hw?.close();
  await sim?.close();
  hw = sim = undefined;
  SerialPortMock.binding.reset();
});

function withoutSocat<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  return fn().finally(() => (process.env.PATH = saved));
}

describe('in-process mock link (no socat)', () => {
  it('auto falls back to the mock port, says why, and the agent drives it', async () => {
    sim = await withoutSocat(() => startSimulator({ boards: [{ address: 3, protocol: 'modbus-relay', locks: 4 }], transport: 'auto' }));
    expect(sim.binding).toBe('mock');
    expect(sim.fellBackReason).toMatch(/socat not found/);
    hw = await CabinetHardware.start({
      serial: { path: sim.agentPath, baudRate: 9600, binding: sim.binding }, boards: [{ address: 3, protocol: 'modbus-relay', locks: 4 }],
      logger: silentLogger, supervision: { pollIntervalMs: 60_000 },
    });
    const frames: string[] = [];
    sim.simulator.on('frame', (f) => frames.push(f.decoded));
    expect(await hw.open(3, 4)).toEqual({ outcome: 'opened', door: 'open' });
    expect(frames).toContain('pulse relay 4 for 200 ms');
  });

  it('transport "pty" without socat is a clear error', async () => {
    await expect(withoutSocat(() => startSimulator({ boards: 1, transport: 'pty' }))).rejects.toMatchObject({ code: 'unsupported', message: /socat/ });
  });

  it('two simulators get two separate mock ports', async () => {
    sim = await startSimulator({ boards: 1, transport: 'mock' });
    const other = await startSimulator({ boards: 1, transport: 'mock' });
    expect(other.agentPath).not.toBe(sim.agentPath);
    await other.close();
  });
});

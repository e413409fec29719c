import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { CabinetHardware } from '../../../src/drivers/cabinet-hardware.js';
import type { BoardConfig } from '../../../src/drivers/board-types.js';
import { createLockBoard } from '../../../src/drivers/lock-board.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { mockBus, type MockBus } from './mock-port.js';

let m: MockBus | undefined;
afterEach(async () => {
  await m?.close();
  m = undefined;
  SerialPortMock.binding.reset();
});

describe('createLockBoard', () => {
  it('builds one class per protocol', async () => {
    m = await mockBus();
    expect(createLockBoard(m.bus, { address: 1, protocol: 'xor-8a', locks: 12 }, silentLogger).constructor.name).toBe('Xor8aBoard');
    expect(createLockBoard(m.bus, { address: 1, protocol: 'kerong-cu', locks: 16 }, silentLogger).constructor.name).toBe('KerongCuBoard');
    expect(createLockBoard(m.bus, { address: 1, protocol: 'modbus-relay', locks: 8 }, silentLogger).constructor.name).toBe('ModbusRelayBoard');
  });

  it('an unknown protocol is `unsupported` and lists the supported ones', async () => {
    m = await mockBus();
    expect(() => createLockBoard(m!.bus, { address: 1, protocol: 'cu48' as never, locks: 1 }, silentLogger)).toThrow(/supported: xor-8a, kerong-cu, modbus-relay/);
  });

  it.each<BoardConfig>([
    { address: 16, protocol: 'kerong-cu', locks: 4 },
    { address: 0, protocol: 'kerong-cu', locks: 17 },
    { address: 0, protocol: 'modbus-relay', locks: 8 },
    { address: 300, protocol: 'xor-8a', locks: 8 },
  ])('rejects what the protocol cannot address: %o', async (config) => {
    m = await mockBus();
    expect(() => createLockBoard(m!.bus, config, silentLogger)).toThrow(expect.objectContaining({ code: 'invalid-config' }));
  });

  it('CabinetHardware refuses a board address configured twice', async () => {
    await expect(
      CabinetHardware.start({ serial: { path: '/dev/none', baudRate: 9600, binding: 'mock' }, boards: [{ address: 1, protocol: 'xor-8a', locks: 1 }, { address: 1, protocol: 'xor-8a', locks: 2 }], logger: silentLogger }),
    ).rejects.toMatchObject({ code: 'invalid-config' });
  });
});

import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyPortError, portFactory, type PortFactory } from '../../../src/drivers/transport/port-opener.js';
import { ReconnectingPort, type PortFault } from '../../../src/drivers/transport/reconnecting-port.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { sleep } from './mock-port.js';

let port: ReconnectingPort | undefined;
afterEach(async () => {
  await port?.close();
  port = undefined;
  SerialPortMock.binding.reset();
});

const fast = { initialDelayMs: 10, maxDelayMs: 40, permissionRetryMs: 30 };
const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
};

describe('classifyPortError (§G.3–§G.5)', () => {
  it.each([
    ['Error: No such file or directory, cannot open /dev/ttyUSB0', 'gone'],
    ['Error: Permission denied, cannot open /dev/ttyUSB0', 'permission'],
    ['Error Resource temporarily unavailable Cannot lock port', 'busy'],
    ['Error: Input/output error, cannot set', 'gone'],
    ['Error: Inappropriate ioctl for device setting custom baud rate of 9600', 'other'],
  ])('%s → %s', (message, kind) => {
    expect(classifyPortError(new Error(message))).toBe(kind);
  });

  it('uses `code` and `disconnected` when present', () => {
    expect(classifyPortError(Object.assign(new Error('x'), { code: 'ENXIO' }))).toBe('gone');
    expect(classifyPortError(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('permission');
    expect(classifyPortError(Object.assign(new Error('x'), { disconnected: true }))).toBe('gone');
  });
});

describe('ReconnectingPort', () => {
  it('reports a disconnect, waits for the path and reopens', async () => {
    SerialPortMock.binding.createPort('/dev/RECON');
    port = new ReconnectingPort({ path: '/dev/RECON', baudRate: 9600, binding: 'mock' }, silentLogger, fast);
    const events: string[] = [];
    port.on('disconnected', (e) => events.push(`down: ${e.reason}`));
    port.on('connected', (e) => events.push(`up reconnect=${e.reconnect}`));
    expect(await port.start()).toBe(true);
    port.stream!.close(undefined, Object.assign(new Error('unplugged'), { disconnected: true }));
    await until(() => events.length === 3);
    expect(events).toEqual(['up reconnect=false', 'down: unplugged', 'up reconnect=true']);
    expect(port.connected).toBe(true);
    expect(port.reconnects).toBe(1);
  });

  it('start() does not throw when the adapter is missing, and connects when it appears', async () => {
    port = new ReconnectingPort({ path: '/dev/LATER', baudRate: 9600, binding: 'mock' }, silentLogger, fast);
    const down: string[] = [];
    port.on('disconnected', (e) => down.push(e.reason));
    expect(await port.start()).toBe(false);
    expect(down[0]).toMatch(/does not exist/);
    SerialPortMock.binding.createPort('/dev/LATER');
    await until(() => port!.connected);
  });

  it('keeps retrying slowly on permission denied and says so each time (§G.3)', async () => {
    let attempts = 0;
    const real = portFactory('mock');
    SerialPortMock.binding.createPort('/dev/PERM');
    const factory: PortFactory = {
      exists: real.exists,
      open: async (s) => {
        if (++attempts < 3) throw new Error('Error: Permission denied, cannot open /dev/PERM');
        return real.open(s);
      },
    };
    port = new ReconnectingPort({ path: '/dev/PERM', baudRate: 9600, binding: 'mock' }, silentLogger, { ...fast, factory });
    const faults: PortFault[] = [];
    port.on('fault', (f) => faults.push(f));
    expect(await port.start()).toBe(false);
    await until(() => port!.connected);
    expect(faults.map((f) => f.code)).toEqual(['port-permission', 'port-permission']);
  });

  it('write rejects not-connected while down', async () => {
    port = new ReconnectingPort({ path: '/dev/NONE', baudRate: 9600, binding: 'mock' }, silentLogger, fast);
    await port.start();
    await expect(port.write(Buffer.from([1]))).rejects.toMatchObject({ code: 'not-connected' });
  });
});

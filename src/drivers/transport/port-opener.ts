import { access } from 'node:fs/promises';
import { SerialPort, SerialPortMock } from 'serialport';
import { MOCK_DEVICE_KEY, type WithMockDevice } from './mock-device.js';

export type SerialBinding = 'native' | 'mock';
type SerialPortOptions = ConstructorParameters<typeof SerialPort>[0];
type MockPortBinding = NonNullable<SerialPortMock['port']>;

export interface SerialSettings {
  /** `/dev/ttyUSB0`, `/dev/serial/by-id/…` (preferred, stable across replug, §G.2), `COM3`, or a mock path. */
  path: string;
  baudRate: number;
  /** Default 8. */
  dataBits?: 5 | 6 | 7 | 8;
  /** Default `none`. */
  parity?: 'none' | 'even' | 'odd';
  /** Default 1. */
  stopBits?: 1 | 2;
  /**
   * Linux ASYNC_LOW_LATENCY (§F.1): FTDI-style adapters otherwise hold RX bytes
   * up to 16 ms. Default true; if the driver refuses it the port opens without.
   */
  lowLatency?: boolean;
  /** `native` (default): the OS device; `mock`: @serialport/binding-mock (tests, in-process simulator). */
  binding?: SerialBinding;
}

/** What the bus needs from an open port: serialport's stream. */
export type PortStream = SerialPort | SerialPortMock;

/** Opens ports; injectable so tests can fake failures (Open-Locker's InjectableSerialPort, §F.3). */
export interface PortFactory {
  open(settings: SerialSettings): Promise<PortStream>;
  /** Whether the path is there to be opened (polled while waiting for a replug). */
  exists(path: string): Promise<boolean>;
}

export type PortErrorKind = 'gone' | 'permission' | 'busy' | 'other';

/**
 * serialport's errors carry strerror text, not `code` (bindings-cpp
 * serialport_unix.cpp), so both are checked. ENOENT/ENXIO/EIO/EBADF mean the
 * adapter went away and is worth waiting for (§G.5); EACCES is a setup fault
 * (§G.3); a held lock is "busy" (§G.4).
 */
export function classifyPortError(err: unknown): PortErrorKind {
  const e = err as { code?: unknown; message?: unknown; disconnected?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'EACCES' || code === 'EPERM' || /permission denied|operation not permitted/i.test(msg)) return 'permission';
  if (['ENOENT', 'ENXIO', 'EIO', 'EBADF', 'ENODEV'].includes(code) || e?.disconnected === true) return 'gone';
  if (/no such file|no such device|input\/output error|bad file descriptor|does not exist|disconnected/i.test(msg)) return 'gone';
  if (/cannot lock port|resource temporarily unavailable|port is locked/i.test(msg)) return 'busy';
  return 'other';
}

function openStream(stream: PortStream): Promise<void> {
  return new Promise((resolve, reject) => stream.open((err) => (err ? reject(err) : resolve())));
}

async function openNative(s: SerialSettings): Promise<PortStream> {
  // `lowLatency` is a Linux-binding option the cross-platform type does not list.
  const make = (lowLatency: boolean) =>
    new SerialPort({ path: s.path, baudRate: s.baudRate, dataBits: s.dataBits ?? 8, parity: s.parity ?? 'none', stopBits: s.stopBits ?? 1, autoOpen: false, lowLatency } as SerialPortOptions);
  const wanted = s.lowLatency ?? process.platform === 'linux';
  const port = make(wanted);
  try {
    await openStream(port);
    return port;
  } catch (err) {
    if (!wanted || !/low latency/i.test(String((err as Error).message))) throw err;
    const fallback = make(false);
    await openStream(fallback);
    return fallback;
  }
}

async function openMock(s: SerialSettings): Promise<PortStream> {
  const port = new SerialPortMock({ path: s.path, baudRate: s.baudRate, dataBits: s.dataBits ?? 8, parity: s.parity ?? 'none', stopBits: s.stopBits ?? 1, autoOpen: false });
  await openStream(port);
  const binding = port.port as MockPortBinding;
  const device = (binding.port as WithMockDevice)[MOCK_DEVICE_KEY];
  if (!device) return port;
  if (!device.present) {
    await new Promise<void>((resolve) => port.close(() => resolve()));
    throw new Error(`Error: No such file or directory, cannot open ${s.path}`);
  }
  const onWrite = device.connect({
    emit: (data) => {
      if (binding.isOpen) binding.emitData(data);
    },
    unplug: (reason) => {
      if (port.isOpen) port.close(undefined, Object.assign(new Error(reason), { disconnected: true }));
    },
  });
  const write = binding.write.bind(binding);
  binding.write = async (buffer: Buffer) => {
    await write(buffer);
    onWrite(Buffer.from(buffer));
  };
  return port;
}

/**
 * The default factory. The mock flavour goes through `SerialPortMock` from
 * `serialport` on purpose: importing `@serialport/binding-mock` from ESM loads
 * its .mjs build, a second registry of mock ports that SerialPortMock (CJS)
 * never sees.
 */
export function portFactory(binding: SerialBinding = 'native'): PortFactory {
  if (binding === 'mock') {
    return {
      open: openMock,
      exists: async (path) => (await SerialPortMock.list()).some((p) => p.path === path),
    };
  }
  return {
    open: openNative,
    // Only POSIX device paths can be checked; `COM3` is simply tried.
    exists: async (path) => (path.startsWith('/') ? access(path).then(() => true, () => false) : true),
  };
}

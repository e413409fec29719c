import { SerialPortMock } from 'serialport';
import { silentLogger } from '../../../src/shared/logger.js';
import { ReconnectingPort } from '../../../src/drivers/transport/reconnecting-port.js';
import { SerialBus, type SerialBusOptions } from '../../../src/drivers/transport/serial-bus.js';

type MockPortBinding = NonNullable<SerialPortMock['port']>;
// @serialport/binding-mock's ESM entry ships no types (its `exports` hides index.d.ts).
type CreatePortOptions = NonNullable<Parameters<typeof SerialPortMock.binding.createPort>[1]>;

export interface MockBus {
  port: ReconnectingPort;
  bus: SerialBus;
  binding: MockPortBinding;
  /** Every write, with the performance.now() at which it completed. */
  writes: Array<{ at: number; bytes: Buffer }>;
  /** Bytes "from the board". */
  emit(bytes: Buffer): void;
  /** The fake board: called after every write; may emit. */
  board: ((written: Buffer, n: number) => void) | undefined;
  close(): Promise<void>;
}

/**
 * A SerialBus on a real SerialPortMock stream (docs/architecture.md, style rule 5 level 2). The
 * mock has no device hook (§F.3), so writes are observed by wrapping the
 * binding's write.
 */
export async function mockBus(opts: Partial<SerialBusOptions> = {}, portOpts: CreatePortOptions = {}, path = '/dev/LOCK'): Promise<MockBus> {
  SerialPortMock.binding.createPort(path, { record: true, ...portOpts });
  const port = new ReconnectingPort({ path, baudRate: 9600, binding: 'mock' }, silentLogger, { initialDelayMs: 20, maxDelayMs: 50 });
  await port.start();
  const binding = port.stream!.port as MockPortBinding;
  const bus = new SerialBus(port, { baudRate: 9600, replyTimeoutMs: 150, ...opts }, silentLogger);
  const api: MockBus = {
    port, bus, binding, writes: [], board: undefined,
    emit: (bytes) => binding.emitData(bytes),
    close: async () => {
      bus.close();
      await port.close();
    },
  };
  const write = binding.write.bind(binding);
  binding.write = async (buffer: Buffer) => {
    await write(buffer);
    api.writes.push({ at: performance.now(), bytes: Buffer.from(buffer) });
    api.board?.(Buffer.from(buffer), api.writes.length);
  };
  return api;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

import { SerialPort } from 'serialport';
import type { BoardProtocol } from '../../shared/domain.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { DriverError } from '../errors.js';
import type { SerialBinding } from '../transport/port-opener.js';
import { BoardModel, type SimBoardSpec } from './board-model.js';
import { BoardSimulator, type SimEndpoint } from './board-simulator.js';
import { createMockLink } from './mock-link.js';
import { createPtyPair, socatAvailable, type PtyPair } from './pty.js';

export interface StartSimulatorOptions {
  /** A count (addresses 1…n, or 0…n−1 for kerong-cu) or explicit boards. */
  boards: number | Array<number | (Partial<SimBoardSpec> & { address: number })>;
  /** Default protocol of boards that do not name one. Default `xor-8a`. */
  protocol?: BoardProtocol;
  /** Default lock count of boards that do not name one. Default 12. */
  locks?: number;
  /** Doors swing shut after this long; 0 = never. Default 3000. */
  autoCloseMs?: number;
  /** `auto` (default): a socat PTY pair when socat is on PATH, else the in-process mock link. */
  transport?: 'pty' | 'mock' | 'auto';
  /** Pace reply bytes at this baud (wire time for benchmarks). */
  paceBaud?: number;
  openAllStepMs?: number;
  logger?: Logger;
}

export interface SimulatorHandle {
  /** Give this to the agent as `serial.path`… */
  agentPath: string;
  /** …with this as `serial.binding`. */
  binding: SerialBinding;
  /** Set when `auto` could not use a PTY, saying why. */
  fellBackReason?: string;
  model: BoardModel;
  simulator: BoardSimulator;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  close(): Promise<void>;
}

function boardSpecs(o: StartSimulatorOptions): SimBoardSpec[] {
  const protocol = o.protocol ?? 'xor-8a';
  const locks = o.locks ?? 12;
  const list = typeof o.boards === 'number' ? Array.from({ length: o.boards }, (_, i) => (protocol === 'kerong-cu' ? i : i + 1)) : o.boards;
  return list.map((b) => (typeof b === 'number' ? { address: b, protocol, locks } : { protocol, locks, ...b }));
}

/**
 * Starts simulated lock boards and returns where the agent should connect.
 * Used by `npm start` with the default config and by `cabinet-kiosk simulate`.
 */
export async function startSimulator(o: StartSimulatorOptions): Promise<SimulatorHandle> {
  const log = o.logger ?? silentLogger;
  const model = new BoardModel(boardSpecs(o), { autoCloseMs: o.autoCloseMs ?? 3000 });
  const simulator = new BoardSimulator(model, { logger: log, ...(o.paceBaud ? { paceBaud: o.paceBaud } : {}), ...(o.openAllStepMs !== undefined ? { openAllStepMs: o.openAllStepMs } : {}) });
  const transport = o.transport ?? 'auto';
  if (transport === 'pty' && !socatAvailable()) {
    throw new DriverError('unsupported', 'simulator transport "pty" needs socat on PATH (apt-get install socat), or use transport "auto"/"mock"');
  }
  if (transport !== 'mock' && socatAvailable()) {
    const pair = await createPtyPair();
    const side = await attachPtySide(pair, simulator);
    log.info({ agentPath: pair.agentPath }, 'simulator on a socat PTY pair');
    return { agentPath: pair.agentPath, binding: 'native', model, simulator, ...side };
  }
  const fellBackReason = transport === 'auto' ? 'socat not found on PATH: using the in-process mock port' : undefined;
  const link = await createMockLink(simulator);
  log.info({ agentPath: link.path, fellBackReason }, 'simulator on an in-process mock port');
  return {
    agentPath: link.path, binding: 'mock', ...(fellBackReason ? { fellBackReason } : {}), model, simulator,
    unplug: () => link.unplug(),
    replug: () => link.replug(),
    close: async () => {
      simulator.close();
      await link.close();
    },
  };
}

/** The simulator's end of the PTY pair, reopened after every replug. */
async function attachPtySide(pair: PtyPair, simulator: BoardSimulator): Promise<Pick<SimulatorHandle, 'unplug' | 'replug' | 'close'>> {
  let port: SerialPort | undefined;
  const open = async () => {
    const p = new SerialPort({ path: pair.simulatorPath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(err) : resolve())));
    p.on('data', (chunk: Buffer) => simulator.receive(chunk));
    p.on('error', () => undefined); // a vanished PTY surfaces as `close`; nothing to do here
    p.on('close', () => {
      if (port === p) port = undefined;
    });
    port = p;
  };
  const closePort = async () => {
    const p = port;
    port = undefined;
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  };
  const handle = {
    async unplug() {
      await closePort();
      await pair.unplug();
    },
    async replug() {
      await pair.replug();
      if (!port) await open();
    },
    async close() {
      simulator.close();
      await closePort();
      await pair.close();
    },
  };
  const endpoint: SimEndpoint = { write: (data) => void port?.write(data), unplug: handle.unplug, replug: handle.replug };
  await open();
  simulator.attach(endpoint);
  return handle;
}

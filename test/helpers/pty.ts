import { CabinetHardware, type CabinetHardwareEvents, type CabinetHardwareOptions, type SerialOptions } from '../../src/drivers/cabinet-hardware.js';
import type { BoardConfig } from '../../src/drivers/board-types.js';
import type { SupervisionOptions } from '../../src/drivers/door-supervisor.js';
import type { SimBoardSpec } from '../../src/drivers/simulator/board-model.js';
import { socatAvailable } from '../../src/drivers/simulator/pty.js';
import { startSimulator, type SimulatorHandle } from '../../src/drivers/simulator/start-simulator.js';
import type { BoardProtocol } from '../../src/shared/domain.js';
import { silentLogger } from '../../src/shared/logger.js';

/**
 * Driver integration tests run the real `serialport` over a socat PTY pair.
 * Without socat they FAIL (CI installs it): a skipped hardware test is a
 * test nobody notices is not running.
 */
export function requireSocat(): void {
  if (!socatAvailable()) throw new Error('socat is required for the PTY tests (apt-get install socat; .ci/run installs it): they neither skip nor fall back to an in-process port');
}

/** The simulator transport of a test that means the real PTY: 'pty', or a clear failure when socat is missing (never the in-process mock). */
export function ptyTransport(): 'pty' {
  requireSocat();
  return 'pty';
}

export interface PtyCabinet {
  sim: SimulatorHandle;
  hw: CabinetHardware;
  /** Every hardware event as `name` + payload, in order. */
  events: Array<{ name: keyof CabinetHardwareEvents; e: unknown }>;
  /** Hex of frames sent at or after `mark` (a Date.now()). */
  txSince(mark: number): string[];
  waitFor<K extends keyof CabinetHardwareEvents>(name: K, pred?: (e: CabinetHardwareEvents[K][0]) => boolean, ms?: number): Promise<CabinetHardwareEvents[K][0]>;
  close(): Promise<void>;
}

export interface PtyCabinetOptions {
  protocol: BoardProtocol;
  addresses?: number[];
  locks?: number;
  autoCloseMs?: number;
  /** Extra per-board settings for both the simulated board and the driver's config. */
  board?: Partial<SimBoardSpec> & Partial<BoardConfig>;
  serial?: Partial<SerialOptions>;
  supervision?: SupervisionOptions;
  transport?: 'pty' | 'mock';
  reconnect?: CabinetHardwareOptions['reconnect'];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const EVENTS: Array<keyof CabinetHardwareEvents> = ['door-opened', 'door-closed', 'door-left-open', 'door-forced', 'open-failed', 'disconnected', 'reconnected', 'fault'];

/** The simulator on a PTY pair and a CabinetHardware on the other end. */
export async function ptyCabinet(o: PtyCabinetOptions): Promise<PtyCabinet> {
  requireSocat();
  const addresses = o.addresses ?? [o.protocol === 'kerong-cu' ? 0 : 1];
  const locks = o.locks ?? 8;
  const boards = addresses.map((address) => ({ address, protocol: o.protocol, locks, ...o.board }));
  const sim = await startSimulator({ boards, autoCloseMs: o.autoCloseMs ?? 0, transport: o.transport ?? 'pty' });
  // 1 s, not the 300 ms a real board gets: a busy CI machine can hold a PTY reply that long, and a late reply must not turn a happy-path test into a no-reply one.
  const hw = await CabinetHardware.start({
    serial: { path: sim.agentPath, baudRate: 9600, binding: sim.binding, replyTimeoutMs: 1000, ...o.serial },
    boards,
    supervision: { pollIntervalMs: 50, activePollMs: 20, ...o.supervision },
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, ...o.reconnect },
    logger: silentLogger,
  });
  const events: PtyCabinet['events'] = [];
  for (const name of EVENTS) hw.on(name, (e: unknown) => events.push({ name, e }));
  // The first supervision cycle is the baseline: let it finish so tests see a quiet bus.
  for (let i = 0; i < 100 && hw.connected && hw.doorStates().some((d) => d.door === 'unknown'); i++) await sleep(10);
  await sleep(10);
  return {
    sim, hw, events,
    txSince(mark) {
      return hw.diagnostics().lastFrames.filter((f) => f.dir === 'tx' && f.at >= mark).map((f) => f.hex);
    },
    waitFor(name, pred = () => true, ms = 3000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms; saw ${events.map((x) => x.name).join(', ')}`)), ms);
        const listener = (e: never) => {
          if (!pred(e)) return;
          clearTimeout(timer);
          hw.off(name, listener as never);
          resolve(e);
        };
        hw.on(name, listener as never);
      });
    },
    async close() {
      await hw.close();
      await sim.close();
    },
  };
}

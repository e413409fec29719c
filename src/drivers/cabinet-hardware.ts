import { EventEmitter } from 'node:events';
import type { DoorState } from '../shared/domain.js';
import type { Logger } from '../shared/logger.js';
import type { BoardConfig, LockBoard } from './board-types.js';
import {
  DoorSupervisor, type BoardFault, type DoorClosedEvent, type DoorForcedEvent, type DoorLeftOpenEvent, type DoorOpenedEvent,
  type SupervisionOptions,
} from './door-supervisor.js';
import { DriverError, isDriverError } from './errors.js';
import { createLockBoard } from './lock-board.js';
import type { PortFactory, SerialSettings } from './transport/port-opener.js';
import { ReconnectingPort, type PortFault, type ReconnectOptions } from './transport/reconnecting-port.js';
import { SerialBus, type BusStats, type SerialBusOptions } from './transport/serial-bus.js';

/**
 * `not-sent`: the frame never left (port not connected, bus closed, no such
 * lock). `no-reply-unknown` also covers a port lost after the write: the
 * bytes may have reached the board, so the door may have opened.
 */
export type OpenOutcomeKind = 'opened' | 'still-locked' | 'no-reply-door-open' | 'no-reply-door-closed' | 'no-reply-unknown' | 'not-sent';
export interface OpenOutcome {
  outcome: OpenOutcomeKind;
  door: DoorState;
}

export type SerialOptions = SerialSettings & Omit<SerialBusOptions, 'baudRate' | 'bitsPerChar' | 'frameLogSize'>;

export interface CabinetHardwareOptions {
  serial: SerialOptions;
  boards: BoardConfig[];
  supervision?: SupervisionOptions;
  logger: Logger;
  /** Tests: a fake port factory, faster reconnect, a fake clock. */
  portFactory?: PortFactory;
  reconnect?: ReconnectOptions;
  clock?: () => number;
}

export type HardwareFault = PortFault | BoardFault;

export interface CabinetHardwareEvents {
  'door-opened': [DoorOpenedEvent];
  'door-closed': [DoorClosedEvent];
  'door-left-open': [DoorLeftOpenEvent];
  'door-forced': [DoorForcedEvent];
  'open-failed': [{ board: number; lock: number; at: number; reason: 'still-locked' | 'no-reply' }];
  disconnected: [{ path: string; reason: string }];
  /** Also emitted when a port that was missing at start appears for the first time. */
  reconnected: [{ path: string }];
  /** Routine faults (never `error`, which throws when nobody listens). */
  fault: [HardwareFault];
}

export interface HardwareDiagnostics {
  path: string;
  baudRate: number;
  connected: boolean;
  boards: BoardConfig[];
  stats: BusStats & { reconnects: number };
  lastFrames: Array<{ at: number; dir: 'tx' | 'rx'; hex: string; ok: boolean; note?: string }>;
  /** Door supervision's idle loop: when it started and last completed a cycle. */
  supervision: { startedAt: number; lastCycleAt: number | null };
}

/**
 * The lock hardware as src/main sees it: one serial bus, its boards, door
 * supervision and reconnect behind one object.
 */
export class CabinetHardware extends EventEmitter<CabinetHardwareEvents> {
  readonly #opts: CabinetHardwareOptions;
  readonly #port: ReconnectingPort;
  readonly #bus: SerialBus;
  readonly #boards = new Map<number, LockBoard>();
  readonly #supervisor: DoorSupervisor;
  readonly #log: Logger;
  readonly #clock: () => number;

  private constructor(opts: CabinetHardwareOptions) {
    super();
    this.#opts = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#log = opts.logger.child({ module: 'drivers/cabinet' });
    const { serial } = opts;
    this.#port = new ReconnectingPort(serial, opts.logger.child({ module: 'drivers/port' }), { ...opts.reconnect, ...(opts.portFactory ? { factory: opts.portFactory } : {}) });
    const bitsPerChar = 1 + (serial.dataBits ?? 8) + ((serial.parity ?? 'none') === 'none' ? 0 : 1) + (serial.stopBits ?? 1);
    this.#bus = new SerialBus(this.#port, { ...serial, bitsPerChar }, opts.logger.child({ module: 'drivers/bus' }));
    for (const config of opts.boards) {
      if (this.#boards.has(config.address)) throw new DriverError('invalid-config', `board address ${config.address} is configured twice`, { board: config.address });
      this.#boards.set(config.address, createLockBoard(this.#bus, config, opts.logger));
    }
    this.#supervisor = new DoorSupervisor(this.#boards, this.#sink(), () => this.#port.connected, this.#log, opts.supervision, this.#clock);
  }

  /**
   * Opens the port and starts door supervision. Does not throw because the
   * adapter is missing: it emits `disconnected` (after this resolves) and keeps
   * looking for it. Throws `invalid-config`/`unsupported` for a bad board list.
   */
  static async start(opts: CabinetHardwareOptions): Promise<CabinetHardware> {
    const hw = new CabinetHardware(opts);
    let startFailure: { path: string; reason: string } | undefined;
    hw.#port.once('disconnected', (info) => (startFailure = info));
    const connected = await hw.#port.start();
    hw.#port.on('disconnected', (info) => hw.emit('disconnected', info));
    hw.#port.on('connected', () => {
      hw.emit('reconnected', { path: hw.#port.path });
      void hw.#initBoards();
    });
    hw.#port.on('fault', (fault) => hw.emit('fault', fault));
    if (connected) await hw.#initBoards();
    else setImmediate(() => hw.emit('disconnected', startFailure ?? { path: hw.#port.path, reason: 'not connected' }));
    hw.#supervisor.start();
    return hw;
  }

  /**
   * A person is about to ask for a door (typing a code): supervision polls stay
   * off the bus for `ms`, so the open finds it idle instead of behind a poll.
   */
  holdPolls(ms: number): void {
    this.#bus.holdPolls(ms);
  }

  get connected(): boolean {
    return this.#port.connected;
  }

  /**
   * Pulses one lock, exactly once. A reply that carries the door decides the
   * outcome; an acknowledgement without one (protocol C) is followed by reads
   * for up to `confirmOpenMs`. A lost or corrupt reply is never answered by
   * pulsing again: the door is read and reported as `no-reply-door-*`.
   * Never rejects: a frame that never left is `not-sent` (with `reason`),
   * and a port lost once the write began is `no-reply-unknown`, because the
   * bytes may have reached the board.
   */
  async open(board: number, lock: number): Promise<OpenOutcome & { reason?: string }> {
    const b = this.#boards.get(board);
    if (!b) return { outcome: 'not-sent', door: 'unknown', reason: `no board with address ${board}` };
    if (!Number.isInteger(lock) || lock < 1 || lock > b.lockCount) return { outcome: 'not-sent', door: 'unknown', reason: `board ${board} has locks 1–${b.lockCount}, not ${lock}` };
    // Checked here too so a refused open never marks the lock as "expected to open".
    if (!this.#port.connected) return { outcome: 'not-sent', door: 'unknown', reason: `serial port ${this.#port.path} is not connected` };
    this.#supervisor.expectOpen(board, lock);
    let door: DoorState;
    try {
      door = (await b.open(lock)).door;
    } catch (err) {
      // Refused before the write: the bus checks the port and its queue before any byte goes out.
      if (isDriverError(err, 'not-connected', 'bus-closed')) return { outcome: 'not-sent', door: 'unknown', reason: err.message };
      if (!isDriverError(err, 'reply-timeout', 'bad-checksum', 'bad-frame')) {
        this.#log.warn({ board, lock, err }, 'open lost its port after the write began: the door may have opened');
        this.emit('open-failed', { board, lock, at: this.#clock(), reason: 'no-reply' });
        return { outcome: 'no-reply-unknown', door: 'unknown', reason: err instanceof Error ? err.message : String(err) };
      }
      this.#log.warn({ board, lock, code: err.code }, 'open got no usable reply; reading the door instead of re-sending');
      const seen = await this.#confirmOpen(b, lock).catch((): DoorState => 'unknown');
      if (seen !== 'open') this.emit('open-failed', { board, lock, at: this.#clock(), reason: 'no-reply' });
      return { outcome: seen === 'open' ? 'no-reply-door-open' : seen === 'closed' ? 'no-reply-door-closed' : 'no-reply-unknown', door: seen };
    }
    if (door === 'unknown') door = await this.#confirmOpen(b, lock).catch((): DoorState => 'unknown');
    else this.#supervisor.observe(board, lock, door);
    if (door === 'closed') {
      this.emit('open-failed', { board, lock, at: this.#clock(), reason: 'still-locked' });
      return { outcome: 'still-locked', door };
    }
    return { outcome: 'opened', door };
  }

  async readDoor(board: number, lock: number): Promise<DoorState> {
    const door = await this.#board(board).readDoor(lock);
    this.#supervisor.observe(board, lock, door);
    return door;
  }

  /** Reads every board now; rejects on the first board that fails (callers fall back to `doorStates()`). */
  async readAll(): Promise<Array<{ board: number; lock: number; door: DoorState }>> {
    const out: Array<{ board: number; lock: number; door: DoorState }> = [];
    for (const [address, board] of this.#boards) {
      const doors = await board.readAllDoors();
      doors.forEach((door, i) => {
        this.#supervisor.observe(address, i + 1, door);
        out.push({ board: address, lock: i + 1, door });
      });
    }
    return out;
  }

  async openAll(board: number): Promise<void> {
    const b = this.#board(board);
    for (let lock = 1; lock <= b.lockCount; lock++) this.#supervisor.expectOpen(board, lock);
    await b.openAll();
  }

  /** Last known door states from supervision (no bus traffic). */
  doorStates(): Array<{ board: number; lock: number; door: DoorState; since: number }> {
    return this.#supervisor.states();
  }

  diagnostics(): HardwareDiagnostics {
    return {
      path: this.#port.path,
      baudRate: this.#opts.serial.baudRate,
      connected: this.#port.connected,
      boards: this.#opts.boards.map((b) => ({ ...b })),
      stats: { ...this.#bus.stats, reconnects: this.#port.reconnects },
      lastFrames: this.#bus.frames(),
      supervision: this.#supervisor.liveness(),
    };
  }

  async close(): Promise<void> {
    this.#supervisor.stop();
    this.#bus.close();
    await this.#port.close();
  }

  #board(address: number): LockBoard {
    const board = this.#boards.get(address);
    if (!board) throw new DriverError('unknown-lock', `no board with address ${address}; configured: ${[...this.#boards.keys()].join(', ')}`, { board: address });
    return board;
  }

  /** Reads the door until it shows open or `confirmOpenMs` passes; `unknown` if no read succeeded. */
  async #confirmOpen(board: LockBoard, lock: number): Promise<DoorState> {
    const { confirmOpenMs, activePollMs } = this.#supervisor.options;
    const until = this.#clock() + confirmOpenMs;
    let last: DoorState = 'unknown';
    for (;;) {
      const door = await board.readDoor(lock).catch((err: unknown) => {
        if (isDriverError(err, 'not-connected', 'port-gone', 'bus-closed')) throw err;
        return 'unknown' as const;
      });
      this.#supervisor.observe(board.address, lock, door);
      if (door !== 'unknown') last = door;
      if (door === 'open' || this.#clock() + activePollMs > until) return last;
      await new Promise((resolve) => setTimeout(resolve, activePollMs));
    }
  }

  async #initBoards(): Promise<void> {
    for (const board of this.#boards.values()) {
      if (!board.init) continue;
      await board.init().catch((err: unknown) => this.#log.warn({ board: board.address, err }, 'board start-up step failed'));
    }
  }

  #sink() {
    return {
      doorOpened: (e: DoorOpenedEvent) => this.emit('door-opened', e),
      doorClosed: (e: DoorClosedEvent) => this.emit('door-closed', e),
      doorLeftOpen: (e: DoorLeftOpenEvent) => this.emit('door-left-open', e),
      doorForced: (e: DoorForcedEvent) => this.emit('door-forced', e),
      boardFault: (e: BoardFault) => this.emit('fault', e),
    };
  }
}

import { CabinetHardware, scanBus, type OpenOutcomeKind, type SerialBinding } from '../../drivers/index.js';
import { BOARD_PROTOCOLS, type BoardProtocol } from '../../shared/domain.js';
import type { CommissionBus, MappedDoorView } from '../../shared/contract.js';
import { KioskError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { SIMULATOR_PATH, type Config } from '../config/schema.js';
import type { Hardware } from '../hardware.js';
import { applyCommissioned, type Applied } from './apply.js';
import { chooseBus } from './bus-choice.js';
import { CommissionError, type CommissionErrorCode } from './errors.js';

/** What the screen's Setup tab drives while the agent is running: the story of `commission.*` in the contract. */
export interface CommissionStart {
  port: string;
  simulator: boolean;
  configFile: string | null;
  current: MappedDoorView[];
}

/** Where a scan is: before each rate and protocol, and after each board found. */
export interface ScanProgress {
  baudRate: number;
  protocol: BoardProtocol;
  found?: { address: number; locks: number };
}

export interface ScreenCommissioningDeps {
  config: Config;
  hardware: Hardware;
  /** Stops every door flow of the Kiosk (waits for the one in flight) and keeps them refused. */
  suspendDoors(): Promise<void>;
  /** The agent stops and its supervisor starts it on the new configuration (systemd `Restart=always`). */
  requestRestart(why: string): void;
  log: Logger;
  /** The delay between the reply and the restart, so the reply reaches the screen. */
  restartDelayMs?: number;
}

const RESTART_DELAY_MS = 750;

/**
 * Commissioning from the touchscreen, inside the running agent: the agent
 * gives up its hold on the line (the Kiosk refuses every door flow with
 * `cabinet-in-setup`), scans it, pulses the locks the technician asks for,
 * writes the configuration like `cabinet-kiosk setup` does, and restarts on
 * it. Leaving without saving restarts too: the line is taken back the way
 * every boot takes it.
 */
export class ScreenCommissioning {
  #start: CommissionStart | null = null;
  #begun = false;
  #bus: CommissionBus | null = null;
  #mapping: CabinetHardware | null = null;
  #ended = false;
  /** One step at a time: a second tap waits for the first scan or pulse. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Armed when the technician's session ended with setup still open (see `abandonAfter`). */
  #abandon: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: ScreenCommissioningDeps) {}

  /** From the first moment of `begin` (so a health view pushed while the doors are suspended already says so) until the restart. */
  get active(): boolean {
    return this.#begun;
  }

  begin(): Promise<CommissionStart> {
    return this.#step(async () => {
      this.#keep();
      if (this.#start) return this.#start;
      const { config, hardware, log } = this.deps;
      this.#begun = true;
      await this.deps.suspendDoors();
      await hardware.cabinet.close();
      const simulator = hardware.simulator;
      this.#start = {
        port: simulator ? simulator.agentPath : config.serial.path,
        simulator: simulator !== undefined,
        configFile: config.source === 'embedded defaults' ? null : config.source,
        current: config.compartments.map((c) => ({ board: c.board, lock: c.lock, compartment: c.id, size: c.size })),
      };
      log.warn({ port: this.#start.port }, 'commissioning from the screen: the lock bus is released, door flows are refused until the agent restarts');
      return this.#start;
    });
  }

  scan(onProgress?: (p: ScanProgress) => void): Promise<CommissionBus> {
    return this.#step(async () => {
      const start = this.#started();
      await this.#closeMapping();
      const scan = await scanBus({
        path: start.port,
        binding: this.#binding(),
        protocols: BOARD_PROTOCOLS,
        logger: this.deps.log,
        onProgress: (p) => onProgress?.({ baudRate: p.baudRate, protocol: p.protocol, ...(p.found ? { found: { address: p.found.address, locks: p.found.locks } } : {}) }),
      });
      const bus = commissionFailure(() => chooseBus(scan));
      this.#bus = { protocol: bus.protocol, baudRate: bus.baudRate, boards: bus.boards.map((b) => ({ address: b.address, locks: this.#wiredLocks(bus.protocol, b) })), leftOut: bus.leftOut };
      this.deps.log.info({ bus: this.#bus }, 'commissioning: line scanned');
      return this.#bus;
    });
  }

  pulse(board: number, lock: number): Promise<{ outcome: OpenOutcomeKind }> {
    return this.#step(async () => {
      const bus = this.#scanned();
      if (!bus.boards.some((b) => b.address === board && lock <= b.locks)) {
        throw new KioskError('bad-request', `board ${board} lock ${lock} is not on the scanned line`, { board, lock });
      }
      this.#mapping ??= await CabinetHardware.start({
        serial: { path: this.#started().port, baudRate: bus.baudRate, binding: this.#binding() },
        boards: bus.boards.map((b) => ({ address: b.address, protocol: bus.protocol, locks: b.locks })),
        // Supervision polls only add traffic between pulses here.
        supervision: { pollIntervalMs: 60_000 },
        logger: this.deps.log,
      });
      const { outcome } = await this.#mapping.open(board, lock);
      this.deps.log.info({ board, lock, outcome }, 'commissioning: lock pulsed');
      return { outcome };
    });
  }

  save(doors: MappedDoorView[]): Promise<Applied> {
    return this.#step(async () => {
      const start = this.#started();
      if (start.configFile === null) {
        throw commissionError(new CommissionError('config-invalid', 'the agent runs on its embedded defaults: there is no configuration file to write', 'start the agent with --config FILE (the package uses /etc/cabinet-kiosk/config.yaml), then set up again'));
      }
      const bus = this.#scanned();
      const ids = new Set<string>();
      const locks = new Set<string>();
      for (const d of doors) {
        const where = { board: d.board, lock: d.lock };
        if (!bus.boards.some((b) => b.address === d.board && d.lock <= b.locks)) throw new KioskError('bad-request', `board ${d.board} lock ${d.lock} is not on the scanned line`, where);
        if (ids.has(d.compartment)) throw new KioskError('bad-request', `compartment id "${d.compartment}" is given twice`, { compartmentId: d.compartment });
        if (locks.has(`${d.board}/${d.lock}`)) throw new KioskError('bad-request', `board ${d.board} lock ${d.lock} is given two compartments`, where);
        ids.add(d.compartment);
        locks.add(`${d.board}/${d.lock}`);
      }
      await this.#closeMapping();
      const applied = commissionFailure(() =>
        applyCommissioned(start.configFile!, this.deps.config.dataDir, {
          // The demo's line stays the simulator's: its PTY is made anew at each start.
          path: start.simulator ? SIMULATOR_PATH : start.port,
          baudRate: bus.baudRate,
          protocol: bus.protocol,
          boards: bus.boards,
          doors,
        }),
      );
      this.deps.log.warn({ applied }, 'commissioning: configuration saved; the agent restarts on it');
      this.#end('commissioning saved');
      return applied;
    });
  }

  cancel(): Promise<null> {
    return this.#step(async () => {
      this.#started();
      await this.#closeMapping();
      this.deps.log.warn('commissioning cancelled: the agent restarts to take the line back');
      this.#end('commissioning cancelled');
      return null;
    });
  }

  /**
   * The technician's session ended with setup open (logged out, idle, or the
   * screen's connection gone): unless a technician takes it up again
   * (`begin` resumes it) within `ms`, setup is cancelled, so a cabinet is
   * never left closed to its customers by a walk-away.
   */
  abandonAfter(ms: number): void {
    if (!this.active || this.#ended || this.#abandon !== null) return;
    this.deps.log.warn({ ms }, 'commissioning: the technician left; setup is cancelled unless taken up again');
    this.#abandon = setTimeout(() => {
      this.#abandon = null;
      this.cancel().catch((err: unknown) => this.deps.log.warn({ err }, 'commissioning: cancel after the technician left failed'));
    }, ms);
    this.#abandon.unref();
  }

  /** The agent is stopping: the mapping line is let go with it. */
  async close(): Promise<void> {
    this.#ended = true;
    this.#keep();
    await this.#closeMapping();
  }

  #keep(): void {
    if (this.#abandon !== null) clearTimeout(this.#abandon);
    this.#abandon = null;
  }

  #step<T>(story: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#ended) throw new KioskError('cabinet-in-setup', 'setup has ended: the agent is restarting');
      return story();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #started(): CommissionStart {
    if (!this.#start) throw new KioskError('bad-request', 'setup has not begun (commission.begin)');
    return this.#start;
  }

  #scanned(): CommissionBus {
    this.#started();
    if (!this.#bus) throw new KioskError('bad-request', 'the line has not been scanned (commission.scan)');
    return this.#bus;
  }

  /**
   * A status reply carries whole bytes of lock positions (xor-8a: 24), more
   * than a board may have wired: the count the configuration gives the same
   * board is kept when it fits, else the reply's.
   */
  #wiredLocks(protocol: BoardProtocol, found: { address: number; locks: number }): number {
    const configured = this.deps.config.boards.find((b) => b.address === found.address && b.protocol === protocol);
    return configured && configured.locks <= found.locks ? configured.locks : found.locks;
  }

  #binding(): SerialBinding {
    return this.deps.hardware.simulator?.binding ?? 'native';
  }

  async #closeMapping(): Promise<void> {
    const hw = this.#mapping;
    this.#mapping = null;
    await hw?.close();
  }

  #end(why: string): void {
    this.#ended = true;
    setTimeout(() => this.deps.requestRestart(why), this.deps.restartDelayMs ?? RESTART_DELAY_MS).unref();
  }
}

/**
 * What to do, said for the touchscreen where setup's own hint names a
 * command-line flag (`--port`, `--baud` …) the technician cannot type here.
 */
const SCREEN_HINTS: Partial<Record<CommissionErrorCode, string>> = {
  'bus-silent': "check the boards' power, the A/B wiring (swap A and B once) and the address switches, then scan again",
  'port-missing': 'plug the adapter in, or set serial.path in the configuration to its /dev/serial/by-id/… path and restart; then scan again',
  'port-permission': "the agent's user may not open the serial device: `cabinet-kiosk doctor` names the group (dialout) or udev rule that fixes it",
};

/** A CommissionError as the contract's `commission-failed`, its code and the one thing to do in meta. */
function commissionError(err: CommissionError): KioskError {
  return new KioskError('commission-failed', err.message, { reason: err.code, hint: SCREEN_HINTS[err.code] ?? err.hint }, { cause: err });
}

function commissionFailure<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof CommissionError) throw commissionError(err);
    throw err;
  }
}

import type { DoorState } from '../shared/domain.js';
import type { Logger } from '../shared/logger.js';
import type { LockBoard } from './board-types.js';
import { DriverError } from './errors.js';

export interface SupervisionOptions {
  /** Idle poll of every board (one read-all each), ms. Default 1000. */
  pollIntervalMs?: number;
  /** Poll period of a lock after a commanded open, ms. Default 150. */
  activePollMs?: number;
  /** `door-left-open` once per opening after this long, ms. Default 60 000. */
  leftOpenAfterMs?: number;
  /** How long a commanded open may take to show; an opening outside it is `door-forced`. Default 10 000. */
  openWindowMs?: number;
  /** After an open whose reply says nothing about the door, how long to read it for "open". Default 1000. */
  confirmOpenMs?: number;
}

export const SUPERVISION_DEFAULTS: Required<SupervisionOptions> = {
  pollIntervalMs: 1000, activePollMs: 150, leftOpenAfterMs: 60_000, openWindowMs: 10_000, confirmOpenMs: 1000,
};

export interface DoorOpenedEvent { board: number; lock: number; at: number; commanded: boolean }
export interface DoorClosedEvent { board: number; lock: number; at: number; /** null when the opening predates supervision. */ openMs: number | null }
export interface DoorLeftOpenEvent { board: number; lock: number; at: number; openMs: number }
export interface DoorForcedEvent { board: number; lock: number; at: number }
export interface BoardFault { code: 'board-unresponsive'; board: number; cause: string; message: string }

export interface DoorEventSink {
  doorOpened(e: DoorOpenedEvent): void;
  doorClosed(e: DoorClosedEvent): void;
  doorLeftOpen(e: DoorLeftOpenEvent): void;
  doorForced(e: DoorForcedEvent): void;
  boardFault(e: BoardFault): void;
}

interface LockState {
  door: 'open' | 'closed';
  since: number;
  /** When it was seen opening; undefined if it was already open when first seen. */
  openedAt: number | undefined;
  leftOpenSent: boolean;
}

/**
 * Turns door readings into door events. Readings come from the idle poll
 * (read-all of every board), from the fast poll of a lock after a commanded
 * open, and from whatever the facade reads. Polls are `poll` priority on the
 * bus, so a command never waits behind more than the one in flight.
 * An acknowledged pulse is not a door event (§A.8.5): only readings are.
 */
export class DoorSupervisor {
  readonly #opts: Required<SupervisionOptions>;
  readonly #states = new Map<string, LockState>();
  readonly #expected = new Map<string, number>();
  readonly #watching = new Set<string>();
  readonly #failing = new Set<number>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  readonly #startedAt: number;
  #running = false;
  #lastCycleAt: number | null = null;

  constructor(
    private readonly boards: ReadonlyMap<number, LockBoard>,
    private readonly sink: DoorEventSink,
    private readonly isConnected: () => boolean,
    private readonly log: Logger,
    options: SupervisionOptions = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.#opts = { ...SUPERVISION_DEFAULTS, ...options };
    this.#startedAt = clock();
  }

  get options(): Readonly<Required<SupervisionOptions>> {
    return this.#opts;
  }

  /**
   * When the idle loop last finished a cycle (every board polled, or skipped
   * while the port is away), and when supervision was made. The service
   * watchdog tells a hung bus (no cycle for long) from an unplugged one (cycles go on).
   */
  liveness(): { startedAt: number; lastCycleAt: number | null } {
    return { startedAt: this.#startedAt, lastCycleAt: this.#lastCycleAt };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#idleLoop();
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    this.#timers.clear();
  }

  /** Call before pulsing: an opening seen within `openWindowMs` is commanded, and the lock is polled fast. */
  expectOpen(board: number, lock: number): void {
    const key = keyOf(board, lock);
    this.#expected.set(key, this.clock() + this.#opts.openWindowMs);
    if (this.#running && !this.#watching.has(key)) void this.#watch(board, lock);
  }

  observe(board: number, lock: number, door: DoorState, at = this.clock()): void {
    if (door === 'unknown') return;
    const key = keyOf(board, lock);
    const prev = this.#states.get(key);
    if (prev?.door === door) {
      if (door === 'open') this.#checkLeftOpen(board, lock, prev, at);
      return;
    }
    const expectedUntil = this.#expected.get(key);
    const commanded = expectedUntil !== undefined && at <= expectedUntil;
    if (door === 'open') {
      // First sight of an open door after start is a baseline, unless we just opened it.
      const opening = prev !== undefined || commanded;
      this.#states.set(key, { door, since: at, openedAt: opening ? at : undefined, leftOpenSent: false });
      if (!opening) return;
      this.#expected.delete(key);
      this.sink.doorOpened({ board, lock, at, commanded });
      if (!commanded) this.sink.doorForced({ board, lock, at });
      return;
    }
    this.#states.set(key, { door, since: at, openedAt: undefined, leftOpenSent: false });
    if (prev) this.sink.doorClosed({ board, lock, at, openMs: prev.openedAt === undefined ? null : at - prev.openedAt });
  }

  /** Last known state of every configured lock (`unknown` until first read). */
  states(): Array<{ board: number; lock: number; door: DoorState; since: number }> {
    const out: Array<{ board: number; lock: number; door: DoorState; since: number }> = [];
    for (const [address, board] of this.boards) {
      for (let lock = 1; lock <= board.lockCount; lock++) {
        const s = this.#states.get(keyOf(address, lock));
        out.push({ board: address, lock, door: s?.door ?? 'unknown', since: s?.since ?? this.#startedAt });
      }
    }
    return out;
  }

  #checkLeftOpen(board: number, lock: number, s: LockState, at: number): void {
    const from = s.openedAt ?? s.since;
    if (s.leftOpenSent || at - from < this.#opts.leftOpenAfterMs) return;
    s.leftOpenSent = true;
    this.sink.doorLeftOpen({ board, lock, at, openMs: at - from });
  }

  async #idleLoop(): Promise<void> {
    while (this.#running) {
      if (this.isConnected()) {
        for (const [address, board] of this.boards) {
          if (!this.#running || !this.isConnected()) break;
          await this.#pollBoard(address, board);
        }
      }
      this.#lastCycleAt = this.clock();
      await this.#sleep(this.#opts.pollIntervalMs);
    }
  }

  async #pollBoard(address: number, board: LockBoard): Promise<void> {
    try {
      const doors = await board.readAllDoors({ priority: 'poll' });
      const at = this.clock();
      doors.forEach((door, i) => this.observe(address, i + 1, door, at));
      if (this.#failing.delete(address)) this.log.info({ board: address }, 'board answers again');
    } catch (err) {
      this.#pollFailed(address, err);
    }
  }

  #pollFailed(address: number, err: unknown): void {
    const code = err instanceof DriverError ? err.code : 'internal';
    // The port being away is reported once by the port itself, not per board.
    if (code === 'not-connected' || code === 'port-gone' || code === 'bus-closed') return;
    if (this.#failing.has(address)) return;
    this.#failing.add(address);
    const message = err instanceof Error ? err.message : String(err);
    this.log.warn({ board: address, code, message }, 'board does not answer polls');
    this.sink.boardFault({ code: 'board-unresponsive', board: address, cause: code, message });
  }

  /** Fast poll after a commanded open: until seen open then closed, the window passes, or it is left open. */
  async #watch(address: number, lock: number): Promise<void> {
    const key = keyOf(address, lock);
    const board = this.boards.get(address);
    if (!board) return;
    this.#watching.add(key);
    let seenOpen = false;
    try {
      while (this.#running) {
        await this.#sleep(this.#opts.activePollMs);
        const s = this.#states.get(key);
        const now = this.clock();
        if (s?.door === 'open' && (s.openedAt === undefined || now - s.openedAt >= this.#opts.leftOpenAfterMs)) break;
        seenOpen ||= s?.door === 'open';
        if (seenOpen && s?.door === 'closed') break;
        if (!seenOpen && now > (this.#expected.get(key) ?? 0)) break;
        if (!this.isConnected()) continue;
        const door = await board.readDoor(lock, { priority: 'poll' }).catch(() => 'unknown' as const);
        this.observe(address, lock, door);
      }
    } finally {
      this.#watching.delete(key);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // Unref'd: supervision alone must not keep a CLI process alive.
      const entry = { timer: setTimeout(() => wake(), ms).unref(), wake: () => wake() };
      const wake = () => {
        this.#timers.delete(entry);
        resolve();
      };
      this.#timers.add(entry);
    });
  }
}

function keyOf(board: number, lock: number): string {
  return `${board}/${lock}`;
}

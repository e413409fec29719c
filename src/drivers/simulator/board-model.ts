import type { BoardProtocol } from '../../shared/domain.js';
import type { FeedbackPolarity, StatusByteOrder } from '../board-types.js';

/** One simulated board: how it is wired and how its firmware behaves. */
export interface SimBoardSpec {
  address: number;
  protocol: BoardProtocol;
  locks: number;
  /** How this board's feedback contacts are wired. Default `closed-when-active`. */
  feedbackPolarity?: FeedbackPolarity;
  /** Protocol A: order of the read-all status bytes. Default `nearest-marker-first`. */
  statusByteOrder?: StatusByteOrder;
  /** Protocol A: status bytes in a read-all reply. Default max(3, ⌈locks/8⌉) (§A.5: 8-ch boards send 3). */
  statusBytes?: number;
  /** Protocol B: `none` (default) = unlock is not answered; `status` = answered with a 35 status frame (§B.5 UNKNOWN). */
  unlockReply?: 'none' | 'status';
}

interface Door {
  open: boolean;
  openedAt: number;
  autoClose: boolean;
  jammed: boolean;
}

export interface BoardModelOptions {
  /** Doors swing shut this long after opening; 0 = never. Default 3000. */
  autoCloseMs?: number;
  clock?: () => number;
}

/**
 * The physical cabinet behind the simulated boards: doors that open on a
 * pulse, swing shut after `autoCloseMs`, can be forced or jammed. Pure state:
 * no I/O and no timers; auto-close is worked out from the clock when read.
 */
export class BoardModel {
  readonly autoCloseMs: number;
  readonly #clock: () => number;
  readonly #boards = new Map<number, SimBoardSpec>();
  readonly #doors = new Map<string, Door>();

  constructor(boards: readonly SimBoardSpec[], opts: BoardModelOptions = {}) {
    this.autoCloseMs = opts.autoCloseMs ?? 3000;
    this.#clock = opts.clock ?? Date.now;
    for (const b of boards) {
      if (this.#boards.has(b.address)) throw new RangeError(`simulated board address ${b.address} is used twice`);
      this.#boards.set(b.address, b);
      for (let lock = 1; lock <= b.locks; lock++) this.#doors.set(key(b.address, lock), { open: false, openedAt: 0, autoClose: true, jammed: false });
    }
  }

  board(address: number): SimBoardSpec | undefined {
    return this.#boards.get(address);
  }

  boards(): SimBoardSpec[] {
    return [...this.#boards.values()];
  }

  isOpen(board: number, lock: number): boolean {
    const door = this.#doors.get(key(board, lock));
    if (!door) return false;
    if (door.open && door.autoClose && this.autoCloseMs > 0 && this.#clock() - door.openedAt >= this.autoCloseMs) door.open = false;
    return door.open;
  }

  /** The coil fires: the lock releases and the door springs open, unless jammed. Returns whether it opened. */
  pulse(board: number, lock: number): boolean {
    const door = this.#doors.get(key(board, lock));
    if (!door || door.jammed) return false;
    if (!this.isOpen(board, lock)) Object.assign(door, { open: true, openedAt: this.#clock(), autoClose: true });
    return true;
  }

  /** Opened without a command (pried, or a bad latch). Swings shut like any door unless `autoClose: false`. */
  forceOpen(board: number, lock: number, opts: { autoClose?: boolean } = {}): void {
    const door = this.#door(board, lock);
    Object.assign(door, { open: true, openedAt: this.#clock(), autoClose: opts.autoClose ?? true });
  }

  closeDoor(board: number, lock: number): void {
    this.#door(board, lock).open = false;
  }

  /** A jammed lock ignores pulses ("still locked"). */
  jam(board: number, lock: number, jammed = true): void {
    this.#door(board, lock).jammed = jammed;
  }

  snapshot(): Array<{ board: number; lock: number; open: boolean }> {
    return this.boards().flatMap((b) => Array.from({ length: b.locks }, (_, i) => ({ board: b.address, lock: i + 1, open: this.isOpen(b.address, i + 1) })));
  }

  #door(board: number, lock: number): Door {
    const door = this.#doors.get(key(board, lock));
    if (!door) throw new RangeError(`no simulated lock ${board}/${lock}`);
    return door;
  }
}

function key(board: number, lock: number): string {
  return `${board}/${lock}`;
}

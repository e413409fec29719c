import type { BoardProtocol, DoorState } from '../shared/domain.js';

/**
 * How a feedback contact maps to a door (docs/lock-boards.md §A.6, §B.6):
 * - `closed-when-active` ("closing feedback", 关门反馈, the common default):
 *   contact made / bit 1 / status 0x11 means closed and locked.
 * - `open-when-active` ("opening feedback", 开门反馈): the reverse.
 */
export type FeedbackPolarity = 'closed-when-active' | 'open-when-active';

/**
 * Protocol A read-all status-byte order (docs/lock-boards.md §A.5, [CONFLICT]):
 * - `nearest-marker-first` (majority): the byte just before `33` holds locks 1–8.
 * - `first-byte-first`: the first status byte holds locks 1–8.
 */
export type StatusByteOrder = 'nearest-marker-first' | 'first-byte-first';

export interface BoardConfig {
  /** Bus address: protocol A 1–31 (DIP), protocol B 0–15 (high nibble), protocol C Modbus slave 1–247. */
  address: number;
  protocol: BoardProtocol;
  /** Number of locks wired to this board (1-based numbering on the wire for A and C, 0-based low nibble for B). */
  locks: number;
  /** Default `closed-when-active`. */
  feedbackPolarity?: FeedbackPolarity;
  /** Protocol A only. Default `nearest-marker-first`. */
  statusByteOrder?: StatusByteOrder;
  /**
   * Protocol B only: how long to wait for a reply to an unlock, which may never
   * come (docs/lock-boards.md §B.5 UNKNOWN). A status frame arriving in that window is
   * used as the outcome. Default 200 ms.
   */
  unlockReplyWaitMs?: number;
  /** Protocol B only: when the unlock got no reply, read status (`30`) to learn the outcome. Default true. */
  confirmUnlockWithStatus?: boolean;
  /** Protocol C only: board-timed pulse length in ms, sent in 100 ms steps (§C.2). Default 200. */
  pulseMs?: number;
}

/** Per-call options of the read methods. */
export interface ReadOptions {
  /** `poll` requests queue behind every waiting `command` (door supervision). Default `command`. */
  priority?: 'command' | 'poll';
}

export interface OpenResult {
  /**
   * Door state the board sampled right after the pulse, after polarity, when its
   * reply carries one; `unknown` otherwise. An acknowledged pulse is not proof the
   * door moved (docs/lock-boards.md §A.6 last bullet, §A.8.5).
   */
  door: DoorState;
}

/**
 * One lock-control board on a shared bus. Every method is one bus transaction
 * (or a bounded series of them) and rejects with a DriverError whose code says
 * what went wrong (`reply-timeout`, `bad-frame`, `port-gone`, …).
 */
export interface LockBoard {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly lockCount: number;
  /**
   * Pulse one lock. Sent exactly once: a lost reply rejects with `reply-timeout`
   * and is never re-sent by the driver, because re-sending an open can pop a door
   * twice. Callers learn the truth by reading the door (issue #2 §3).
   */
  open(lock: number): Promise<OpenResult>;
  /** Pulse every lock of this board (longer timeout; the board pulses one after another). */
  openAll(): Promise<void>;
  /** Reads may be retried by the driver, a bounded number of times. */
  readDoor(lock: number, opts?: ReadOptions): Promise<DoorState>;
  /** Index 0 is lock 1. */
  readAllDoors(opts?: ReadOptions): Promise<DoorState[]>;
  /**
   * Optional start-up step after every (re)connect, e.g. protocol C switches
   * every relay off as a failsafe (§C.3). Rejects like a command.
   */
  init?(): Promise<void>;
}

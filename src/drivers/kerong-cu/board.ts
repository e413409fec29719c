import type { DoorState } from '../../shared/domain.js';
import type { Logger } from '../../shared/logger.js';
import type { BoardConfig, LockBoard, OpenResult, ReadOptions } from '../board-types.js';
import { assertConfig, assertLock, required } from '../board-support.js';
import { DEFAULT_POLARITY, doorFromActive } from '../feedback.js';
import type { BusRequest, SerialBus } from '../transport/serial-bus.js';
import { decodeFrame, encodeStatus, encodeUnlock, encodeUnlockAll, parseStatus, type KerongFrame } from './codec.js';
import { BOARD_MAX, LOCKS_PER_BOARD, REPLY_STATUS } from './constants.js';

const UNLOCK_REPLY_WAIT_MS = 200;

/**
 * A protocol B board (docs/lock-boards.md §B). Whether a CU answers an unlock is
 * UNKNOWN (§B.5): CartWise reads a 9-byte status after unlocking, the TS module
 * takes any bytes. So `open` waits `unlockReplyWaitMs` for an optional status
 * frame and, if none comes, reads status (`30`) to learn the outcome
 * (`confirmUnlockWithStatus`, default on). The unlock itself is sent once.
 */
export class KerongCuBoard implements LockBoard {
  readonly protocol = 'kerong-cu' as const;
  readonly address: number;
  readonly lockCount: number;
  readonly #polarity;

  constructor(
    private readonly bus: SerialBus,
    private readonly config: BoardConfig,
    private readonly log: Logger,
  ) {
    assertConfig(Number.isInteger(config.address) && config.address >= 0 && config.address <= BOARD_MAX, config, `address must be 0–${BOARD_MAX} (high nibble, §B.3)`);
    assertConfig(config.locks >= 1 && config.locks <= LOCKS_PER_BOARD, config, `locks must be 1–${LOCKS_PER_BOARD}`);
    this.address = config.address;
    this.lockCount = config.locks;
    this.#polarity = config.feedbackPolarity ?? DEFAULT_POLARITY;
  }

  async open(lock: number): Promise<OpenResult> {
    assertLock(this.config, lock);
    const reply = await this.bus.request(this.#request(encodeUnlock(this.address, lock), 'open', 'command', lock, 'optional'));
    if (reply) return { door: this.#doors(reply)[lock - 1] ?? 'unknown' };
    if (this.config.confirmUnlockWithStatus === false) return { door: 'unknown' };
    this.log.debug({ lock }, 'no reply to unlock; reading status to learn the outcome (§B.5)');
    return { door: await this.readDoor(lock) };
  }

  /** §B.4 [ONE SOURCE]: `33`; the reply is as unknown as the single unlock's. */
  async openAll(): Promise<void> {
    await this.bus.request(this.#request(encodeUnlockAll(this.address), 'open-all', 'command', undefined, 'optional'));
  }

  async readDoor(lock: number, opts: ReadOptions = {}): Promise<DoorState> {
    assertLock(this.config, lock);
    return (await this.readAllDoors(opts))[lock - 1] ?? 'unknown';
  }

  async readAllDoors(opts: ReadOptions = {}): Promise<DoorState[]> {
    const frame = required(await this.bus.request({ ...this.#request(encodeStatus(this.address), 'read-all', 'read'), priority: opts.priority ?? 'command' }), 'status');
    return this.#doors(frame);
  }

  #doors(frame: KerongFrame): DoorState[] {
    return parseStatus(frame).hooks.slice(0, this.lockCount).map((on) => doorFromActive(on, this.#polarity));
  }

  #request(tx: Buffer, cmd: string, kind: 'read' | 'command', lock?: number, reply: 'required' | 'optional' = 'required'): BusRequest<KerongFrame> {
    return {
      tx, codec: { decode: decodeFrame }, kind, reply,
      // The status reply carries the board in the high nibble; the low nibble is not relied on.
      matches: (f) => f.cmd === REPLY_STATUS && f.board === this.address,
      what: { board: this.address, ...(lock === undefined ? {} : { lock }), cmd },
      ...(reply === 'optional' ? { timeout: this.config.unlockReplyWaitMs ?? UNLOCK_REPLY_WAIT_MS } : {}),
    };
  }
}

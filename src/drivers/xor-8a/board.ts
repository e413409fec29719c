import type { DoorState } from '../../shared/domain.js';
import type { Logger } from '../../shared/logger.js';
import type { BoardConfig, LockBoard, OpenResult, ReadOptions, StatusByteOrder } from '../board-types.js';
import { assertConfig, assertLock, required } from '../board-support.js';
import type { FrameCodec } from '../codec.js';
import { DEFAULT_POLARITY, doorFromActive } from '../feedback.js';
import type { SerialBus } from '../transport/serial-bus.js';
import {
  decodeShort, decodeStatusAll, encodeOpen, encodeOpenAll, encodeReadAll, encodeReadOne, statusByteToActive, statusBytesToActive,
  type XorShortFrame, type XorStatusAllFrame,
} from './codec.js';
import { ADDRESS_MAX, ADDRESS_MIN, CHANNEL_ALL, HEAD_OPEN, HEAD_STATUS, READ_ALL_MAX_STATUS_BYTES } from './constants.js';

/** A protocol A board (docs/lock-boards.md §A). */
export class Xor8aBoard implements LockBoard {
  readonly protocol = 'xor-8a' as const;
  readonly address: number;
  readonly lockCount: number;
  readonly #polarity;
  readonly #order: StatusByteOrder;
  readonly #maxStatusBytes: number;
  /** Read-all length this board answered with before (§A.5: varies by model; learned, not configured). */
  #readAllLength: number | undefined;

  constructor(
    private readonly bus: SerialBus,
    private readonly config: BoardConfig,
    log: Logger,
  ) {
    assertConfig(Number.isInteger(config.address) && config.address >= 0 && config.address <= 0xff, config, 'address must be a byte');
    assertConfig(config.locks >= 1 && config.locks <= 0xff, config, 'locks must be 1–255');
    // §A.2: DIP addresses are 1–31; 0 and 32 are unverified, so allowed with a warning.
    if (config.address < ADDRESS_MIN || config.address > ADDRESS_MAX) log.warn({ address: config.address }, 'protocol A address outside the documented 1–31');
    this.address = config.address;
    this.lockCount = config.locks;
    this.#polarity = config.feedbackPolarity ?? DEFAULT_POLARITY;
    this.#order = config.statusByteOrder ?? 'nearest-marker-first';
    this.#maxStatusBytes = Math.max(READ_ALL_MAX_STATUS_BYTES, Math.ceil(config.locks / 8));
  }

  /** The reply's status byte is the feedback sampled after the pulse (§A.5); 00/11 via polarity (§A.6). */
  async open(lock: number): Promise<OpenResult> {
    assertLock(this.config, lock);
    const frame = await this.#short(HEAD_OPEN, encodeOpen(this.address, lock), lock, 'open', 'command', 'reply');
    return { door: this.#door(frame.value) };
  }

  /** §A.5: the board pulses one lock after another and answers at the end: long timeout. */
  async openAll(): Promise<void> {
    await this.#short(HEAD_OPEN, encodeOpenAll(this.address), CHANNEL_ALL, 'open-all', 'command', 'open-all');
  }

  async readDoor(lock: number, opts: ReadOptions = {}): Promise<DoorState> {
    assertLock(this.config, lock);
    const frame = await this.#short(HEAD_STATUS, encodeReadOne(this.address, lock), lock, 'read', 'read', 'reply', opts.priority);
    return this.#door(frame.value);
  }

  async readAllDoors(opts: ReadOptions = {}): Promise<DoorState[]> {
    const expectedLength = this.#readAllLength;
    const maxStatusBytes = this.#maxStatusBytes;
    const codec: FrameCodec<XorStatusAllFrame> = { decode: (buf) => decodeStatusAll(buf, { expectedLength, maxStatusBytes }) };
    const frame = required(
      await this.bus.request({
        tx: encodeReadAll(this.address), codec, matches: (f) => f.address === this.address,
        what: { board: this.address, cmd: 'read-all' }, kind: 'read', priority: opts.priority ?? 'command',
      }),
      'read-all',
    );
    this.#readAllLength = frame.bytes.length;
    const active = statusBytesToActive(frame.status, this.#order, this.lockCount);
    // A lock beyond the status bytes this board sends is not reported: unknown, not "closed".
    return active.map((on, i) => (i < frame.status.length * 8 ? doorFromActive(on, this.#polarity) : 'unknown'));
  }

  #door(status: number): DoorState {
    const active = statusByteToActive(status);
    return active === undefined ? 'unknown' : doorFromActive(active, this.#polarity);
  }

  async #short(
    head: number, tx: Buffer, channel: number, cmd: string, kind: 'read' | 'command', timeout: 'reply' | 'open-all', priority: ReadOptions['priority'] = 'command',
  ): Promise<XorShortFrame> {
    const frame = await this.bus.request({
      tx, codec: { decode: (buf) => decodeShort(buf, [head]) },
      matches: (f) => f.address === this.address && f.channel === channel,
      what: { board: this.address, ...(channel === CHANNEL_ALL ? {} : { lock: channel }), cmd }, kind, priority, timeout,
    });
    return required(frame, cmd);
  }
}

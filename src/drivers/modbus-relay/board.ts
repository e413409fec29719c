import type { DoorState } from '../../shared/domain.js';
import type { Logger } from '../../shared/logger.js';
import type { BoardConfig, LockBoard, OpenResult, ReadOptions } from '../board-types.js';
import { assertConfig, assertLock, required } from '../board-support.js';
import { unpackBits } from '../codec.js';
import { DriverError } from '../errors.js';
import { DEFAULT_POLARITY, doorFromActive } from '../feedback.js';
import type { SerialBus } from '../transport/serial-bus.js';
import { decodeFrame, encodeAllRelaysOff, encodePulse, encodeReadInputs, type ModbusFrame } from './codec.js';
import { DEFAULT_PULSE_MS, FC_READ_DISCRETE_INPUTS, FC_WRITE_SINGLE_COIL, SLAVE_MAX, SLAVE_MIN } from './constants.js';

/**
 * A Modbus-RTU relay board used as a lock board (docs/lock-boards.md §C). Locks are
 * relays 1…n pulsed by the board itself (FC05 at 0x0200+relay, §C.2), so a
 * crash can never leave a coil energised; doors are discrete inputs 1…n.
 */
export class ModbusRelayBoard implements LockBoard {
  readonly protocol = 'modbus-relay' as const;
  readonly address: number;
  readonly lockCount: number;
  readonly #polarity;
  readonly #pulseMs: number;

  constructor(
    private readonly bus: SerialBus,
    private readonly config: BoardConfig,
    private readonly log: Logger,
  ) {
    assertConfig(Number.isInteger(config.address) && config.address >= SLAVE_MIN && config.address <= SLAVE_MAX, config, `slave id must be ${SLAVE_MIN}–${SLAVE_MAX}`);
    assertConfig(config.locks >= 1 && config.locks <= 256, config, 'locks must be 1–256');
    this.address = config.address;
    this.lockCount = config.locks;
    this.#polarity = config.feedbackPolarity ?? DEFAULT_POLARITY;
    this.#pulseMs = config.pulseMs ?? DEFAULT_PULSE_MS;
  }

  /** The FC05 reply is an echo: it says the pulse was accepted, nothing about the door. */
  async open(lock: number): Promise<OpenResult> {
    assertLock(this.config, lock);
    await this.#write(encodePulse(this.address, lock, this.#pulseMs), 'open', lock);
    return { door: 'unknown' };
  }

  /** No board-timed "all" pulse exists: one pulse per relay, in turn. */
  async openAll(): Promise<void> {
    for (let lock = 1; lock <= this.lockCount; lock++) await this.#write(encodePulse(this.address, lock, this.#pulseMs), 'open-all', lock);
  }

  /** §C.3: every relay off at start-up, in case a software ON was left behind. */
  async init(): Promise<void> {
    await this.#write(encodeAllRelaysOff(this.address), 'all-relays-off');
    this.log.debug('all relays off');
  }

  async readDoor(lock: number, opts: ReadOptions = {}): Promise<DoorState> {
    assertLock(this.config, lock);
    return (await this.#readInputs(lock, 1, opts))[0] ?? 'unknown';
  }

  readAllDoors(opts: ReadOptions = {}): Promise<DoorState[]> {
    return this.#readInputs(1, this.lockCount, opts);
  }

  async #readInputs(first: number, count: number, opts: ReadOptions): Promise<DoorState[]> {
    const byteCount = Math.ceil(count / 8);
    const frame = required(
      await this.bus.request<ModbusFrame>({
        tx: encodeReadInputs(this.address, first, count),
        codec: { decode: (buf) => decodeFrame(buf, { direction: 'reply', slave: this.address, byteCount }) },
        matches: (f) => f.fc === FC_READ_DISCRETE_INPUTS,
        what: { board: this.address, ...(count === 1 ? { lock: first } : {}), cmd: count === 1 ? 'read' : 'read-all' },
        kind: 'read', priority: opts.priority ?? 'command',
      }),
      'read inputs',
    );
    if (frame.kind !== 'bits') throw this.#exception(frame, count === 1 ? first : undefined);
    return unpackBits(frame.data, count).map((on) => doorFromActive(on, this.#polarity));
  }

  async #write(tx: Buffer, cmd: string, lock?: number): Promise<void> {
    const frame = required(
      await this.bus.request<ModbusFrame>({
        tx,
        codec: { decode: (buf) => decodeFrame(buf, { direction: 'reply', slave: this.address }) },
        // §C.2: the reply to FC05 is the echo of the request.
        matches: (f) => f.fc === FC_WRITE_SINGLE_COIL && (f.kind === 'exception' || f.bytes.equals(tx)),
        what: { board: this.address, ...(lock === undefined ? {} : { lock }), cmd }, kind: 'command',
      }),
      cmd,
    );
    if (frame.kind === 'exception') throw this.#exception(frame, lock);
  }

  #exception(frame: ModbusFrame, lock?: number): DriverError {
    const code = frame.kind === 'exception' ? frame.exception : -1;
    return new DriverError('unsupported', `board ${this.address} refused function ${frame.fc} (Modbus exception ${code})`, { board: this.address, lock, exception: code });
  }
}

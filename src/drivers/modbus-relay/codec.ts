import { found, frameError, needMore, type DecodeResult } from '../codec.js';
import {
  ALL_RELAYS_ADDRESS, COIL_OFF, COIL_ON, EXCEPTION_FLAG, EXCEPTION_FRAME_LENGTH, FC_READ_COILS, FC_READ_DISCRETE_INPUTS,
  FC_WRITE_SINGLE_COIL, FIXED_FRAME_LENGTH, FLASH_OFF_BASE, FLASH_ON_BASE, FLASH_UNIT_MS, SLAVE_MAX, SLAVE_MIN,
} from './constants.js';

export type ModbusFrame =
  /** FC05 request or its echo reply; FC01/FC02 request. */
  | { kind: 'address-value'; slave: number; fc: number; address: number; value: number; bytes: Buffer }
  /** FC01/FC02 reply: `id fc n data… crc`. */
  | { kind: 'bits'; slave: number; fc: number; data: Buffer; bytes: Buffer }
  | { kind: 'exception'; slave: number; fc: number; exception: number; bytes: Buffer };

/** CRC-16/MODBUS: init 0xFFFF, reflected polynomial 0xA001 (§C.2). */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Appends the CRC low byte first (§C.2). */
export function withCrc(body: readonly number[]): Buffer {
  const out = Buffer.alloc(body.length + 2);
  out.set(body);
  out.writeUInt16LE(crc16(out, 0, body.length), body.length);
  return out;
}

function assertSlave(slave: number): void {
  if (!Number.isInteger(slave) || slave < SLAVE_MIN || slave > SLAVE_MAX) throw new RangeError(`Modbus slave id must be ${SLAVE_MIN}–${SLAVE_MAX}, got ${slave}`);
}

function addressValue(slave: number, fc: number, address: number, value: number): Buffer {
  assertSlave(slave);
  if (!Number.isInteger(address) || address < 0 || address > 0xffff) throw new RangeError(`register address must be 0–65535, got ${address}`);
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`value must be 0–65535, got ${value}`);
  return withCrc([slave, fc, address >> 8, address & 0xff, value >> 8, value & 0xff]);
}

function relayIndex(relay: number): number {
  if (!Number.isInteger(relay) || relay < 1 || relay > 0x100) throw new RangeError(`relay must be 1–256, got ${relay}`);
  return relay - 1;
}

/** 100 ms steps, at least one, so a short pulse still fires. */
export function pulseUnits(pulseMs: number): number {
  return Math.min(0xffff, Math.max(1, Math.round(pulseMs / FLASH_UNIT_MS)));
}

/** Board-timed pulse ("flash on") of relay `relay` (1-based), e.g. `01 05 02 00 00 02 4D B3`. */
export function encodePulse(slave: number, relay: number, pulseMs: number): Buffer {
  return addressValue(slave, FC_WRITE_SINGLE_COIL, FLASH_ON_BASE + relayIndex(relay), pulseUnits(pulseMs));
}
export function encodeFlashOff(slave: number, relay: number, ms: number): Buffer {
  return addressValue(slave, FC_WRITE_SINGLE_COIL, FLASH_OFF_BASE + relayIndex(relay), pulseUnits(ms));
}
export function encodeWriteCoil(slave: number, relay: number, on: boolean): Buffer {
  return addressValue(slave, FC_WRITE_SINGLE_COIL, relayIndex(relay), on ? COIL_ON : COIL_OFF);
}
export function encodeAllRelaysOff(slave: number): Buffer {
  return addressValue(slave, FC_WRITE_SINGLE_COIL, ALL_RELAYS_ADDRESS, COIL_OFF);
}
export function encodeReadCoils(slave: number, first: number, count: number): Buffer {
  return addressValue(slave, FC_READ_COILS, relayIndex(first), count);
}
/** Door inputs are discrete inputs 0x0000… (§C.1); `first` is 1-based. */
export function encodeReadInputs(slave: number, first: number, count: number): Buffer {
  return addressValue(slave, FC_READ_DISCRETE_INPUTS, relayIndex(first), count);
}

/** Board side (simulator): FC01/FC02 reply with `bits[i]` in bit i. */
export function encodeBitsReply(slave: number, fc: number, bits: readonly boolean[]): Buffer {
  const data = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((on, i) => {
    if (on) data[i >> 3] = (data[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return withCrc([slave, fc, data.length, ...data]);
}
export function encodeException(slave: number, fc: number, exception: number): Buffer {
  return withCrc([slave, fc | EXCEPTION_FLAG, exception]);
}

export type ModbusDirection = 'request' | 'reply';

function isKnownFc(fc: number): boolean {
  return fc === FC_READ_COILS || fc === FC_READ_DISCRETE_INPUTS || fc === FC_WRITE_SINGLE_COIL;
}

/** Length of the frame starting at `buf[start]` if its header is plausible; 0 = not a frame start; -1 = need more. */
function frameLength(buf: Uint8Array, start: number, opts: ModbusDecodeOptions): number {
  const slave = buf[start]!;
  if (slave < SLAVE_MIN || slave > SLAVE_MAX) return 0;
  if (buf.length - start < 2) return -1;
  const fc = buf[start + 1]!;
  if (opts.direction === 'reply' && fc & EXCEPTION_FLAG) return isKnownFc(fc & ~EXCEPTION_FLAG) ? EXCEPTION_FRAME_LENGTH : 0;
  if (!isKnownFc(fc)) return 0;
  if (opts.direction === 'request' || fc === FC_WRITE_SINGLE_COIL) return FIXED_FRAME_LENGTH;
  if (buf.length - start < 3) return -1;
  const byteCount = buf[start + 2]!;
  if (opts.byteCount !== undefined && byteCount !== opts.byteCount) return 0;
  return 5 + byteCount;
}

export interface ModbusDecodeOptions {
  direction: ModbusDirection;
  /** Only frames from/to this slave count; other bytes are skipped as garbage. */
  slave?: number;
  /** FC01/FC02 replies: the data length the request asked for; other counts are not frame starts. */
  byteCount?: number;
}

/**
 * Modbus RTU has no start byte: a frame starts where a plausible slave id and
 * function code are followed by a matching CRC. A plausible header with a bad
 * CRC is a frame error (the bus rescans from the next byte).
 */
export function decodeFrame(buf: Uint8Array, opts: ModbusDecodeOptions): DecodeResult<ModbusFrame> {
  for (let start = 0; start < buf.length; start++) {
    if (opts.slave !== undefined && buf[start] !== opts.slave) continue;
    const length = frameLength(buf, start, opts);
    if (length === 0) continue;
    if (length < 0 || buf.length - start < length) return needMore(start);
    const end = start + length;
    if (crc16(buf, start, end - 2) !== (buf[end - 2]! | (buf[end - 1]! << 8))) return frameError('bad-checksum', start, length, 'CRC mismatch');
    return found(parse(Buffer.from(buf.subarray(start, end)), opts.direction), start, length);
  }
  return needMore(buf.length);
}

function parse(bytes: Buffer, direction: ModbusDirection): ModbusFrame {
  const slave = bytes[0]!;
  const fc = bytes[1]!;
  if (direction === 'reply' && fc & EXCEPTION_FLAG) return { kind: 'exception', slave, fc: fc & ~EXCEPTION_FLAG, exception: bytes[2]!, bytes };
  if (direction === 'request' || fc === FC_WRITE_SINGLE_COIL) {
    return { kind: 'address-value', slave, fc, address: bytes.readUInt16BE(2), value: bytes.readUInt16BE(4), bytes };
  }
  return { kind: 'bits', slave, fc, data: bytes.subarray(3, bytes.length - 2), bytes };
}

import { assertByte, found, frameError, needMore, packBits, unpackBits, type DecodeResult } from '../codec.js';
import type { StatusByteOrder } from '../board-types.js';
import {
  BATCH_BITMAP_BYTES, CHANNEL_ALL, FN_HOLD_DEFAULT, FN_OPEN, FN_STATUS, HEAD_BATCH, HEAD_HOLD, HEAD_OPEN, HEAD_RELEASE,
  HEAD_STATUS, READ_ALL_MAX_STATUS_BYTES, READ_ALL_MIN_LENGTH, SHORT_FRAME_LENGTH, STATUS_ACTIVE, STATUS_INACTIVE,
} from './constants.js';

/** `HEAD ADDR CHANNEL VALUE BCC`: every command, the open and read-one replies. */
export interface XorShortFrame {
  kind: 'short';
  head: number;
  address: number;
  channel: number;
  /** Function byte in a command, status byte in a reply. */
  value: number;
  bytes: Buffer;
}

/** `80 ADDR Sn … S1 33 BCC`; `status` holds Sn … S1 as on the wire. */
export interface XorStatusAllFrame {
  kind: 'status-all';
  address: number;
  status: Buffer;
  bytes: Buffer;
}

/** `90 ADDR S1 S2 S3 BCC`, bit0 of S1 = channel 1. */
export interface XorBatchFrame {
  kind: 'batch';
  address: number;
  bitmap: Buffer;
  bytes: Buffer;
}

/** XOR of `bytes[0..end)`: the BCC (§A.3). */
export function bcc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i]!;
  return x;
}

function withBcc(body: number[]): Buffer {
  body.forEach((b, i) => assertByte(b, `byte ${i}`));
  const out = Buffer.alloc(body.length + 1);
  out.set(body);
  out[body.length] = bcc(out, 0, body.length);
  return out;
}

function assertLock(lock: number): void {
  if (!Number.isInteger(lock) || lock < 1 || lock > 0xff) throw new RangeError(`lock must be 1–255 (channel 0 means all), got ${lock}`);
}

export function encodeOpen(address: number, lock: number): Buffer {
  assertLock(lock);
  return withBcc([HEAD_OPEN, address, lock, FN_OPEN]);
}
export function encodeOpenAll(address: number): Buffer {
  return withBcc([HEAD_OPEN, address, CHANNEL_ALL, FN_OPEN]);
}
export function encodeReadOne(address: number, lock: number): Buffer {
  assertLock(lock);
  return withBcc([HEAD_STATUS, address, lock, FN_STATUS]);
}
export function encodeReadAll(address: number): Buffer {
  return withBcc([HEAD_STATUS, address, CHANNEL_ALL, FN_STATUS]);
}
/** §A.4 batch open; whether the board answers is [CONFLICT] (§A.5), so the driver does not use it. */
export function encodeBatchOpen(address: number, locks: readonly number[], bitmapBytes = BATCH_BITMAP_BYTES): Buffer {
  const active: boolean[] = [];
  for (const lock of locks) {
    assertLock(lock);
    active[lock - 1] = true;
  }
  return withBcc([HEAD_BATCH, address, ...packBits(active.map(Boolean), bitmapBytes)]);
}
/** §A.4/§A.8.7 hold and release: encoders only; the driver never holds a coil. */
export function encodeHold(address: number, lock: number, fn = FN_HOLD_DEFAULT): Buffer {
  assertLock(lock);
  return withBcc([HEAD_HOLD, address, lock, fn]);
}
export function encodeRelease(address: number, lock: number, fn = FN_HOLD_DEFAULT): Buffer {
  assertLock(lock);
  return withBcc([HEAD_RELEASE, address, lock, fn]);
}

/** Board side (simulator): `8A|80 ADDR CH SS BCC`. */
export function encodeShortReply(head: number, address: number, channel: number, active: boolean): Buffer {
  return withBcc([head, address, channel, active ? STATUS_ACTIVE : STATUS_INACTIVE]);
}

/** Board side (simulator): `80 ADDR Sn … S1 33 BCC`. */
export function encodeReadAllReply(address: number, active: readonly boolean[], statusBytes: number, order: StatusByteOrder): Buffer {
  return withBcc([HEAD_STATUS, address, ...activeToStatusBytes(active, statusBytes, order), FN_STATUS]);
}

/** 0x11 → true, 0x00 → false, anything else → undefined (not in any source). */
export function statusByteToActive(value: number): boolean | undefined {
  if (value === STATUS_ACTIVE) return true;
  if (value === STATUS_INACTIVE) return false;
  return undefined;
}

/** §A.5 [CONFLICT]: which status byte holds locks 1–8 is configuration. */
export function statusBytesToActive(status: Uint8Array, order: StatusByteOrder, count: number): boolean[] {
  const lowFirst = order === 'nearest-marker-first' ? Buffer.from(status).reverse() : status;
  return unpackBits(lowFirst, count);
}

export function activeToStatusBytes(active: readonly boolean[], statusBytes: number, order: StatusByteOrder): Buffer {
  const lowFirst = packBits(active, statusBytes);
  return order === 'nearest-marker-first' ? lowFirst.reverse() : lowFirst;
}

/** Finds the next 5-byte frame whose head is in `heads`. */
export function decodeShort(buf: Uint8Array, heads: readonly number[]): DecodeResult<XorShortFrame> {
  const start = indexOfAny(buf, heads);
  if (start < 0) return needMore(buf.length);
  if (buf.length - start < SHORT_FRAME_LENGTH) return needMore(start);
  const end = start + SHORT_FRAME_LENGTH;
  if (bcc(buf, start, end - 1) !== buf[end - 1]) return frameError('bad-checksum', start, SHORT_FRAME_LENGTH, 'BCC mismatch');
  const bytes = Buffer.from(buf.subarray(start, end));
  return found({ kind: 'short', head: bytes[0]!, address: bytes[1]!, channel: bytes[2]!, value: bytes[3]!, bytes }, start, SHORT_FRAME_LENGTH);
}

export interface StatusAllOptions {
  /** A length this board's replies had before: complete the moment it validates. */
  expectedLength?: number;
  /** Upper bound of status bytes to try; default 7 (§A.5: 50-ch boards). */
  maxStatusBytes?: number;
}

export function readAllMaxLength(maxStatusBytes = READ_ALL_MAX_STATUS_BYTES): number {
  return maxStatusBytes + 4;
}

/**
 * Finds a read-all reply. No length byte exists (§A.5), so every length from 6
 * up is a candidate whose second-to-last byte is `33` and whose BCC matches.
 * The longest candidate wins; it is `final` only when no longer one can still
 * arrive (or it has the length this board used before). The bus waits for
 * quiet time on a non-final frame.
 */
export function decodeStatusAll(buf: Uint8Array, opts: StatusAllOptions = {}): DecodeResult<XorStatusAllFrame> {
  const start = indexOfAny(buf, [HEAD_STATUS]);
  if (start < 0) return needMore(buf.length);
  const maxLength = readAllMaxLength(opts.maxStatusBytes);
  const available = Math.min(buf.length - start, maxLength);
  if (available < READ_ALL_MIN_LENGTH) return needMore(start);
  let best = 0;
  let sawMarker = false;
  let running = bcc(buf, start, start + READ_ALL_MIN_LENGTH - 1);
  for (let n = READ_ALL_MIN_LENGTH; n <= available; n++) {
    if (n > READ_ALL_MIN_LENGTH) running ^= buf[start + n - 2]!;
    if (buf[start + n - 2] !== FN_STATUS) continue;
    sawMarker = true;
    if (running !== buf[start + n - 1]) continue;
    best = n;
    if (n === opts.expectedLength) break;
  }
  if (best === 0) {
    if (available < maxLength) return needMore(start);
    return frameError(sawMarker ? 'bad-checksum' : 'bad-frame', start, maxLength, 'no length gives marker 33 and a matching BCC');
  }
  const bytes = Buffer.from(buf.subarray(start, start + best));
  const final = best === opts.expectedLength || available >= maxLength;
  return found({ kind: 'status-all', address: bytes[1]!, status: bytes.subarray(2, best - 2), bytes }, start, best, final);
}

/** Host → board frames, for the simulator: commands are 5 bytes, batch open 6. */
export function decodeRequest(buf: Uint8Array): DecodeResult<XorShortFrame | XorBatchFrame> {
  const start = indexOfAny(buf, [HEAD_OPEN, HEAD_STATUS, HEAD_BATCH, HEAD_HOLD, HEAD_RELEASE]);
  if (start < 0) return needMore(buf.length);
  if (buf[start] !== HEAD_BATCH) return decodeShort(buf, [buf[start]!]);
  const length = BATCH_BITMAP_BYTES + 3;
  if (buf.length - start < length) return needMore(start);
  if (bcc(buf, start, start + length - 1) !== buf[start + length - 1]) return frameError('bad-checksum', start, length, 'BCC mismatch');
  const bytes = Buffer.from(buf.subarray(start, start + length));
  return found({ kind: 'batch', address: bytes[1]!, bitmap: bytes.subarray(2, length - 1), bytes }, start, length);
}

function indexOfAny(buf: Uint8Array, heads: readonly number[]): number {
  for (let i = 0; i < buf.length; i++) if (heads.includes(buf[i]!)) return i;
  return -1;
}

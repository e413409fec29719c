import { assertByte, found, frameError, needMore, packBits, unpackBits, type DecodeResult } from '../codec.js';
import {
  ADDR_ALL_BOARDS, BOARD_MAX, CMD_STATUS, CMD_STATUS_ALL_BOARDS, CMD_UNLOCK, CMD_UNLOCK_ALL, ETX, FRAME_LENGTH_BY_CMD,
  LOCKS_PER_BOARD, REPLY_STATUS, STX,
} from './constants.js';

/** `02 ADDR CMD [DATA…] 03 SUM`. */
export interface KerongFrame {
  address: number;
  /** High nibble of ADDR. */
  board: number;
  /** Low nibble of ADDR: lock index 0–15 (lock number − 1). */
  lockIndex: number;
  cmd: number;
  data: Buffer;
  bytes: Buffer;
}

/** Low 8 bits of the sum of `bytes[start..end)`, STX and ETX included (§B.2). */
export function sum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += bytes[i]!;
  return s & 0xff;
}

/** Builds `02 ADDR CMD DATA… 03 SUM` as bytes, never through hex strings (§B.8.4). */
export function encodeFrame(address: number, cmd: number, data: readonly number[] = []): Buffer {
  [address, cmd, ...data].forEach((b, i) => assertByte(b, `byte ${i + 1}`));
  const out = Buffer.from([STX, address, cmd, ...data, ETX, 0]);
  out[out.length - 1] = sum8(out, 0, out.length - 1);
  return out;
}

export function addressOf(board: number, lock = 1): number {
  if (!Number.isInteger(board) || board < 0 || board > BOARD_MAX) throw new RangeError(`Kerong CU board must be 0–${BOARD_MAX}, got ${board}`);
  if (!Number.isInteger(lock) || lock < 1 || lock > LOCKS_PER_BOARD) throw new RangeError(`Kerong CU lock must be 1–${LOCKS_PER_BOARD}, got ${lock}`);
  return (board << 4) | (lock - 1);
}

export function encodeUnlock(board: number, lock: number): Buffer {
  return encodeFrame(addressOf(board, lock), CMD_UNLOCK);
}
export function encodeStatus(board: number): Buffer {
  return encodeFrame(addressOf(board), CMD_STATUS);
}
export function encodeUnlockAll(board: number): Buffer {
  return encodeFrame(addressOf(board), CMD_UNLOCK_ALL);
}
export function encodeStatusAllBoards(): Buffer {
  return encodeFrame(ADDR_ALL_BOARDS, CMD_STATUS_ALL_BOARDS);
}

/** Board side (simulator): `02 ADDR 35 H1 H2 I1 I2 03 SUM`; `hooks[i]` true = contact made on lock i+1. */
export function encodeStatusReply(board: number, hooks: readonly boolean[], infrared: readonly boolean[] = [], code = REPLY_STATUS): Buffer {
  return encodeFrame(addressOf(board), code, [...packBits(hooks, 2), ...packBits(infrared, 2)]);
}

export interface KerongStatus {
  /** Index 0 = lock 1: hook contact made (bit = 1, §B.5/§B.6). */
  hooks: boolean[];
  /** Infrared "item present" sensors, same layout; meaningless on boards without them. */
  infrared: boolean[];
}

/** Reads H1 H2 I1 I2 from a 0x35/0x36 frame. */
export function parseStatus(frame: KerongFrame): KerongStatus {
  return { hooks: unpackBits(frame.data.subarray(0, 2), LOCKS_PER_BOARD), infrared: unpackBits(frame.data.subarray(2, 4), LOCKS_PER_BOARD) };
}

/**
 * Finds the next frame. The command byte decides the length; an unknown
 * command, a missing ETX or a wrong SUM is a frame error (the bus resyncs on
 * the next STX).
 */
export function decodeFrame(buf: Uint8Array): DecodeResult<KerongFrame> {
  const start = buf.indexOf(STX);
  if (start < 0) return needMore(buf.length);
  if (buf.length - start < 3) return needMore(start);
  const cmd = buf[start + 2]!;
  const length = FRAME_LENGTH_BY_CMD.get(cmd);
  if (length === undefined) return frameError('bad-frame', start, 3, `unknown command 0x${cmd.toString(16)}`);
  if (buf.length - start < length) return needMore(start);
  const end = start + length;
  if (buf[end - 2] !== ETX) return frameError('bad-frame', start, length, 'no ETX where the command puts it');
  if (sum8(buf, start, end - 1) !== buf[end - 1]) return frameError('bad-checksum', start, length, 'SUM mismatch');
  const bytes = Buffer.from(buf.subarray(start, end));
  const address = bytes[1]!;
  return found({ address, board: address >> 4, lockIndex: address & 0x0f, cmd, data: bytes.subarray(3, length - 2), bytes }, start, length);
}

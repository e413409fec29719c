/**
 * Shared vocabulary of the frame codecs. Codecs are pure: bytes in, values out,
 * no I/O, no timers, and they never throw on input bytes (property-tested).
 */

export type FrameErrorCode = 'bad-checksum' | 'bad-frame';

/**
 * What a decoder found at the front of a byte buffer.
 * - `frame`: a whole valid frame; drop `skipped + consumed` bytes after using it.
 *   `final: false` means a longer valid frame could still follow from the same
 *   start (variable-length replies, docs/lock-boards.md §A.5): the bus then waits for
 *   quiet time before taking it.
 * - `need-more`: no whole frame yet; the first `skipped` bytes can never start one.
 * - `error`: a frame-shaped run of bytes that fails validation. `consumed` is its
 *   length as the codec sees it; the bus drops only the head byte and rescans,
 *   because the "head" may itself have been garbage.
 */
export type DecodeResult<F> =
  | { kind: 'frame'; frame: F; skipped: number; consumed: number; final: boolean }
  | { kind: 'need-more'; skipped: number }
  | { kind: 'error'; code: FrameErrorCode; skipped: number; consumed: number; detail: string };

/** Finds whole frames in a byte buffer; the bus holds one per request. */
export interface FrameCodec<F> {
  decode(buf: Uint8Array): DecodeResult<F>;
}

export function needMore<F>(skipped: number): DecodeResult<F> {
  return { kind: 'need-more', skipped };
}

export function frameError<F>(code: FrameErrorCode, skipped: number, consumed: number, detail: string): DecodeResult<F> {
  return { kind: 'error', code, skipped, consumed, detail };
}

export function found<F>(frame: F, skipped: number, consumed: number, final = true): DecodeResult<F> {
  return { kind: 'frame', frame, skipped, consumed, final };
}

/** `8a 01 01 11 9b` */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

/** Parses `"8A 01 01 11 9B"` (spaces optional). Test and CLI helper. */
export function fromHex(hex: string): Buffer {
  return Buffer.from(hex.replace(/[^0-9a-fA-F]/g, ''), 'hex');
}

export function assertByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${what} must be a byte (0–255), got ${value}`);
}

/** Bit i of the result is `active[i]`; LSB first, like every board here. */
export function packBits(active: readonly boolean[], byteCount: number): Buffer {
  const out = Buffer.alloc(byteCount);
  active.forEach((on, i) => {
    const at = i >> 3;
    if (on && at < byteCount) out[at] = (out[at] ?? 0) | (1 << (i & 7));
  });
  return out;
}

export function unpackBits(bytes: Uint8Array, count: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < count; i++) out.push(((bytes[i >> 3] ?? 0) >> (i & 7)) & 1 ? true : false);
  return out;
}

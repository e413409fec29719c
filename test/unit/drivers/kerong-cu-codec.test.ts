import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/drivers/codec.js';
import {
  addressOf, decodeFrame, encodeFrame, encodeStatus, encodeStatusAllBoards, encodeStatusReply, encodeUnlock, encodeUnlockAll,
  parseStatus, sum8,
} from '../../../src/drivers/kerong-cu/codec.js';
import { FRAME_LENGTH_BY_CMD, REPLY_SCAN, REPLY_STATUS } from '../../../src/drivers/kerong-cu/constants.js';
import { kerongVectors as v } from '../../fixtures/kerong-cu.js';

const hex = (b: Uint8Array) => toHex(b).toUpperCase();

describe('kerong-cu codec: spec vectors (docs/lock-boards.md §B)', () => {
  it('encodes every command example', () => {
    for (const o of v.unlock) expect(hex(encodeUnlock(o.board, o.lock))).toBe(o.hex);
    for (const o of v.status) expect(hex(encodeStatus(o.board))).toBe(o.hex);
    for (const o of v.unlockAll) expect(hex(encodeUnlockAll(o.board))).toBe(o.hex);
    expect(hex(encodeStatusAllBoards())).toBe(v.statusAllBoards);
  });

  it('ADDR is board in the high nibble, lock − 1 in the low nibble (§B.3)', () => {
    expect(addressOf(1, 1)).toBe(0x10);
    expect(addressOf(1, 6)).toBe(0x15);
    expect(() => addressOf(16, 1)).toThrow(RangeError);
    expect(() => addressOf(0, 17)).toThrow(RangeError);
  });

  it('encodes and decodes the status replies', () => {
    expect(hex(encodeStatusReply(v.statusReplyAllZero.board, []))).toBe(v.statusReplyAllZero.hex);
    for (const r of v.scanReplies) expect(hex(encodeStatusReply(r.board, [], [], REPLY_SCAN))).toBe(r.hex);
    const res = decodeFrame(fromHex(v.statusReplyAllZero.hex));
    expect(res).toMatchObject({ kind: 'frame', consumed: 9, frame: { cmd: REPLY_STATUS, board: 0 } });
  });

  it('status reply bits: H1 bit0 = lock 1, H2 = locks 9–16, then the infrared bytes', () => {
    const hooks = Array.from({ length: 16 }, (_, i) => i === 0 || i === 9);
    const frame = encodeStatusReply(1, hooks, [false, true]);
    expect(hex(frame)).toBe('02 10 35 01 02 02 00 03 4F');
    const res = decodeFrame(frame);
    if (res.kind !== 'frame') throw new Error('no frame');
    expect(parseStatus(res.frame).hooks).toEqual(hooks);
    expect(parseStatus(res.frame).infrared.slice(0, 2)).toEqual([false, true]);
  });

  it('rejects the wrong checksums copied in public tables (§B.8.1)', () => {
    for (const w of v.knownWrong) {
      expect(decodeFrame(fromHex(w.hex))).toMatchObject({ kind: 'error', code: 'bad-checksum' });
      expect(decodeFrame(fromHex(w.correct)).kind).toBe('frame');
    }
  });

  it('an unknown command or a missing ETX is a frame error', () => {
    expect(decodeFrame(fromHex('02 00 7F 03 84'))).toMatchObject({ kind: 'error', code: 'bad-frame' });
    expect(decodeFrame(fromHex('02 00 31 04 37'))).toMatchObject({ kind: 'error', code: 'bad-frame' });
  });

  it('waits for the rest of a split frame and skips leading garbage', () => {
    const full = fromHex('FF FF 02 00 35 00 00 00 00 03 3A');
    expect(decodeFrame(full.subarray(0, 6))).toEqual({ kind: 'need-more', skipped: 2 });
    expect(decodeFrame(full)).toMatchObject({ kind: 'frame', skipped: 2, consumed: 9 });
  });
});

describe('kerong-cu codec: properties', () => {
  it('random bytes never throw and never claim more bytes than given', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (buf) => {
        const res = decodeFrame(buf);
        expect(res.skipped + (res.kind === 'need-more' ? 0 : res.consumed)).toBeLessThanOrEqual(buf.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('every known command round-trips with its data length', () => {
    const cmds = [...FRAME_LENGTH_BY_CMD.entries()];
    fc.assert(
      fc.property(fc.constantFrom(...cmds), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), ([cmd, length], addr, data) => {
        const frame = encodeFrame(addr, cmd, [...data.subarray(0, length - 5)]);
        expect(frame.length).toBe(length);
        expect(sum8(frame, 0, length - 1)).toBe(frame[length - 1]);
        const res = decodeFrame(frame);
        expect(res).toMatchObject({ kind: 'frame', consumed: length, frame: { address: addr, cmd } });
      }),
    );
  });

  it('status replies round-trip their hook bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }), (board, hooks) => {
        const res = decodeFrame(encodeStatusReply(board, hooks));
        if (res.kind !== 'frame') throw new Error('no frame');
        expect(res.frame.board).toBe(board);
        expect(parseStatus(res.frame).hooks).toEqual(hooks);
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/drivers/codec.js';
import {
  bcc, decodeRequest, decodeShort, decodeStatusAll, encodeBatchOpen, encodeHold, encodeOpen, encodeOpenAll, encodeReadAll,
  encodeReadAllReply, encodeReadOne, encodeRelease, encodeShortReply, statusByteToActive, statusBytesToActive,
} from '../../../src/drivers/xor-8a/codec.js';
import { HEAD_OPEN, HEAD_STATUS } from '../../../src/drivers/xor-8a/constants.js';
import { xor8aVectors as v } from '../../fixtures/xor-8a.js';

const hex = (b: Uint8Array) => toHex(b).toUpperCase();

describe('xor-8a codec: spec vectors (docs/lock-boards.md §A)', () => {
  it('encodes every command example', () => {
    for (const o of v.open) expect(hex(encodeOpen(o.address, o.lock))).toBe(o.hex);
    for (const o of v.openAll) expect(hex(encodeOpenAll(o.address))).toBe(o.hex);
    for (const o of v.readOne) expect(hex(encodeReadOne(o.address, o.lock))).toBe(o.hex);
    for (const o of v.readAll) expect(hex(encodeReadAll(o.address))).toBe(o.hex);
    for (const o of v.batchOpen) expect(hex(encodeBatchOpen(o.address, o.locks))).toBe(o.hex);
    for (const o of v.hold) expect(hex(encodeHold(o.address, o.lock))).toBe(o.hex);
    for (const o of v.release) expect(hex(encodeRelease(o.address, o.lock))).toBe(o.hex);
  });

  it('every listed frame has a matching BCC, including push frames and the 9D variant', () => {
    for (const h of [v.openAllVariant, ...v.push, ...v.openReplies.map((r) => r.hex)]) {
      const b = fromHex(h);
      expect(bcc(b, 0, b.length - 1)).toBe(b[b.length - 1]);
    }
  });

  it('decodes the open replies (status 00) and the failure reply identical to the command', () => {
    for (const r of [...v.openReplies, v.openFailureReply]) {
      const res = decodeShort(fromHex(r.hex), [HEAD_OPEN]);
      expect(res).toMatchObject({ kind: 'frame', skipped: 0, consumed: 5, frame: { address: r.address, channel: r.lock, value: r.status } });
    }
    expect(v.openFailureReply.hex).toBe(v.open[0]!.hex);
    expect(statusByteToActive(0x11)).toBe(true);
    expect(statusByteToActive(0x00)).toBe(false);
    expect(statusByteToActive(0x42)).toBeUndefined();
  });

  it('decodes the read-all captures under nearest-marker-first', () => {
    for (const r of v.readAllReplies) {
      const res = decodeStatusAll(fromHex(r.hex));
      expect(res.kind).toBe('frame');
      if (res.kind !== 'frame') continue;
      expect(res.frame.status.length).toBe(r.statusBytes);
      const active = statusBytesToActive(res.frame.status, 'nearest-marker-first', 24);
      expect(active.flatMap((on, i) => (on ? [i + 1] : []))).toEqual(r.active);
    }
  });

  it('first-byte-first reads the same bytes the other way round', () => {
    const res = decodeStatusAll(fromHex('80 01 00 00 02 33 B0'));
    if (res.kind !== 'frame') throw new Error('no frame');
    expect(statusBytesToActive(res.frame.status, 'first-byte-first', 24).flatMap((on, i) => (on ? [i + 1] : []))).toEqual([18]);
  });

  it('finds 7-, 8- and 11-byte read-all replies (§A.5, §A.8.3)', () => {
    for (const statusBytes of [3, 4, 7]) {
      const active = Array.from({ length: statusBytes * 8 }, (_, i) => i % 3 === 0);
      const frame = encodeReadAllReply(1, active, statusBytes, 'nearest-marker-first');
      expect(frame.length).toBe(statusBytes + 4);
      const res = decodeStatusAll(frame);
      expect(res).toMatchObject({ kind: 'frame', consumed: frame.length });
      if (res.kind === 'frame') expect(statusBytesToActive(res.frame.status, 'nearest-marker-first', active.length)).toEqual(active);
    }
  });

  it('a read-all reply shorter than the maximum is not final until its length is known', () => {
    const frame = fromHex('80 01 00 00 00 33 B2');
    expect(decodeStatusAll(frame)).toMatchObject({ kind: 'frame', final: false });
    expect(decodeStatusAll(frame, { expectedLength: 7 })).toMatchObject({ kind: 'frame', final: true });
    expect(decodeStatusAll(frame.subarray(0, 5))).toEqual({ kind: 'need-more', skipped: 0 });
  });

  it('skips and counts garbage before the head byte (§A.8.2)', () => {
    const buf = Buffer.concat([fromHex(v.garbagePrefix), fromHex('8A 01 01 00 8A')]);
    expect(decodeShort(buf, [HEAD_OPEN])).toMatchObject({ kind: 'frame', skipped: 4, consumed: 5 });
  });

  it('reports a bad BCC as an error, not a throw', () => {
    expect(decodeShort(fromHex('8A 01 01 00 8B'), [HEAD_OPEN])).toMatchObject({ kind: 'error', code: 'bad-checksum', skipped: 0 });
    const bad = fromHex('80 01 00 00 00 33 B3 00 00 00 00 00');
    expect(decodeStatusAll(bad)).toMatchObject({ kind: 'error', code: 'bad-checksum' });
  });

  it('decodes host requests for the simulator', () => {
    expect(decodeRequest(fromHex('00 80 01 00 33 B2'))).toMatchObject({ kind: 'frame', skipped: 1, frame: { kind: 'short', head: HEAD_STATUS, channel: 0 } });
    expect(decodeRequest(fromHex(v.batchOpen[0]!.hex))).toMatchObject({ kind: 'frame', frame: { kind: 'batch', address: 1 } });
  });

  it('rejects out-of-range arguments', () => {
    expect(() => encodeOpen(1, 0)).toThrow(RangeError);
    expect(() => encodeOpen(256, 1)).toThrow(RangeError);
  });
});

describe('xor-8a codec: properties', () => {
  const bytes = fc.uint8Array({ maxLength: 64 });

  it('random bytes never throw and never claim more bytes than given', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 12 }), (buf, expectedLength) => {
        for (const res of [decodeShort(buf, [HEAD_OPEN, HEAD_STATUS]), decodeStatusAll(buf, { expectedLength }), decodeRequest(buf)]) {
          const used = res.skipped + (res.kind === 'need-more' ? 0 : res.consumed);
          expect(used).toBeLessThanOrEqual(buf.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('open / read-one encode → decode round-trips behind any head-free garbage', () => {
    const garbage = fc.uint8Array({ maxLength: 8 }).map((g) => g.filter((b) => b !== HEAD_OPEN && b !== HEAD_STATUS));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 }), fc.boolean(), garbage, (addr, lock, open, g) => {
        const frame = open ? encodeOpen(addr, lock) : encodeReadOne(addr, lock);
        const res = decodeShort(Buffer.concat([g, frame]), [HEAD_OPEN, HEAD_STATUS]);
        expect(res).toMatchObject({ kind: 'frame', skipped: g.length, consumed: 5, frame: { address: addr, channel: lock } });
      }),
    );
  });

  it('read-all replies round-trip for both byte orders and 3–7 status bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 3, max: 7 }),
        fc.constantFrom('nearest-marker-first' as const, 'first-byte-first' as const),
        fc.array(fc.boolean(), { minLength: 56, maxLength: 56 }),
        (addr, n, order, bits) => {
          const active = bits.slice(0, n * 8);
          const frame = encodeReadAllReply(addr, active, n, order);
          const res = decodeStatusAll(frame, { expectedLength: frame.length });
          expect(res.kind).toBe('frame');
          if (res.kind !== 'frame') return;
          expect(res.frame.address).toBe(addr);
          expect(statusBytesToActive(res.frame.status, order, active.length)).toEqual(active);
        },
      ),
    );
  });

  it('an open reply round-trips its status', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 24 }), fc.boolean(), (addr, lock, active) => {
        const res = decodeShort(encodeShortReply(HEAD_OPEN, addr, lock, active), [HEAD_OPEN]);
        if (res.kind !== 'frame') throw new Error('no frame');
        expect(statusByteToActive(res.frame.value)).toBe(active);
      }),
    );
  });
});

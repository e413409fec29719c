import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/drivers/codec.js';
import {
  crc16, decodeFrame, encodeAllRelaysOff, encodeBitsReply, encodeException, encodePulse, encodeReadCoils, encodeReadInputs,
  encodeWriteCoil, pulseUnits,
} from '../../../src/drivers/modbus-relay/codec.js';
import { FC_READ_DISCRETE_INPUTS, FC_WRITE_SINGLE_COIL } from '../../../src/drivers/modbus-relay/constants.js';
import { modbusVectors as v } from '../../fixtures/modbus-relay.js';

const hex = (b: Uint8Array) => toHex(b).toUpperCase();

describe('modbus-relay codec: spec vectors (docs/lock-boards.md §C)', () => {
  it('encodes every frame of §C.2', () => {
    expect(hex(encodePulse(v.pulse.slave, v.pulse.relay, v.pulse.ms))).toBe(v.pulse.hex);
    expect(hex(encodeWriteCoil(v.relayOn.slave, v.relayOn.relay, true))).toBe(v.relayOn.hex);
    expect(hex(encodeWriteCoil(v.relayOff.slave, v.relayOff.relay, false))).toBe(v.relayOff.hex);
    expect(hex(encodeAllRelaysOff(v.allOff.slave))).toBe(v.allOff.hex);
    expect(hex(encodeReadCoils(v.readRelays.slave, v.readRelays.first, v.readRelays.count))).toBe(v.readRelays.hex);
    expect(hex(encodeReadInputs(v.readInputs.slave, v.readInputs.first, v.readInputs.count))).toBe(v.readInputs.hex);
  });

  it('CRC-16/MODBUS of the standard check string is 0x4B37', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x4b37);
  });

  it('pulse value is in 100 ms steps, at least one', () => {
    expect(pulseUnits(200)).toBe(2);
    expect(pulseUnits(10)).toBe(1);
    expect(pulseUnits(340)).toBe(3);
  });

  it('an FC05 reply is the echo of the request', () => {
    const res = decodeFrame(fromHex(v.pulse.hex), { direction: 'reply', slave: 1 });
    expect(res).toMatchObject({ kind: 'frame', consumed: 8, frame: { kind: 'address-value', fc: FC_WRITE_SINGLE_COIL, address: 0x0200, value: 2 } });
  });

  it('decodes an FC02 reply and an exception reply', () => {
    const bits = [true, false, false, true, false, false, false, false];
    const reply = encodeBitsReply(1, FC_READ_DISCRETE_INPUTS, bits);
    expect(hex(reply)).toMatch(/^01 02 01 09 /);
    expect(decodeFrame(reply, { direction: 'reply', slave: 1, byteCount: 1 })).toMatchObject({ kind: 'frame', frame: { kind: 'bits', data: Buffer.from([0x09]) } });
    expect(decodeFrame(encodeException(1, 5, 2), { direction: 'reply' })).toMatchObject({ kind: 'frame', frame: { kind: 'exception', fc: 5, exception: 2 } });
  });

  it('a bad CRC is an error; garbage before the slave id is skipped', () => {
    const bad = fromHex('01 05 02 00 00 02 4D B4');
    expect(decodeFrame(bad, { direction: 'reply', slave: 1 })).toMatchObject({ kind: 'error', code: 'bad-checksum' });
    const withGarbage = Buffer.concat([fromHex('00 FF 00'), fromHex(v.pulse.hex)]);
    expect(decodeFrame(withGarbage, { direction: 'reply', slave: 1 })).toMatchObject({ kind: 'frame', skipped: 3 });
  });
});

describe('modbus-relay codec: properties', () => {
  it('random bytes never throw in either direction', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('request' as const, 'reply' as const), (buf, direction) => {
        const res = decodeFrame(buf, { direction });
        expect(res.skipped + (res.kind === 'need-more' ? 0 : res.consumed)).toBeLessThanOrEqual(buf.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('requests round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 247 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 100, max: 5000 }), (slave, relay, ms) => {
        for (const frame of [encodePulse(slave, relay, ms), encodeReadInputs(slave, relay, 1), encodeWriteCoil(slave, relay, true)]) {
          const res = decodeFrame(frame, { direction: 'request', slave });
          expect(res).toMatchObject({ kind: 'frame', consumed: 8, frame: { slave, bytes: frame } });
        }
      }),
    );
  });

  it('bit replies round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 247 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 32 }), (slave, bits) => {
        const res = decodeFrame(encodeBitsReply(slave, FC_READ_DISCRETE_INPUTS, bits), { direction: 'reply', slave, byteCount: Math.ceil(bits.length / 8) });
        if (res.kind !== 'frame' || res.frame.kind !== 'bits') throw new Error('no bits frame');
        bits.forEach((on, i) => expect(((res.frame as { data: Buffer }).data[i >> 3]! >> (i & 7)) & 1).toBe(on ? 1 : 0));
      }),
    );
  });
});

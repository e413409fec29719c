import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeSign,
  decodePayload,
  DEFAULT_SIGN_VALUE_MODE,
  encodePayload,
  goQueryEscape,
  signBaseString,
  signParams,
  verifySign,
} from '../../../../src/cloud/dingshang/signer.js';
import { signVectors } from './fixtures.js';

describe('dingshang signer: §2.2 verified vectors', () => {
  it.each(signVectors)('$source', (v) => {
    expect(signBaseString(v.params, v.key)).toBe(`${v.base}&key=${v.key}`);
    expect(computeSign(v.params, v.key)).toBe(v.sign);
  });

  it.each(signVectors)('$source: same sign in url-encoded mode (no reserved characters)', (v) => {
    expect(computeSign(v.params, v.key, 'url-encoded')).toBe(v.sign);
  });

  it.each(signVectors)('$source: verifySign accepts the vector and rejects a flipped digit', (v) => {
    expect(verifySign({ ...v.params, sign: v.sign }, v.key)).toBe(true);
    expect(verifySign({ ...v.params, sign: v.sign.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, v.key)).toBe(false);
    expect(verifySign({ ...v.params, sign: v.sign.toLowerCase() }, v.key)).toBe(false); // §2.1 step 7: upper case
  });

  it('defaults to raw values (§2.3)', () => {
    expect(DEFAULT_SIGN_VALUE_MODE).toBe('raw');
  });
});

describe('dingshang signer: §2.1 rules', () => {
  const v = signVectors[0];

  it('drops sign, empty, "NULL", null and undefined values (steps 2–3)', () => {
    const noisy = { ...v.params, sign: 'WHATEVER', empty: '', nul: 'NULL', nothing: null, missing: undefined };
    expect(signBaseString(noisy, v.key)).toBe(`${v.base}&key=${v.key}`);
    expect(computeSign(noisy, v.key)).toBe(v.sign);
  });

  it('keeps "0" and whitespace (only empty and "NULL" are dropped)', () => {
    expect(signBaseString({ a: '0', b: ' ', timestamp: '1' }, 'k')).toBe('a=0&b= &timestamp=1&key=k');
  });

  it('sorts keys in byte order, case-sensitive (upper case before lower case)', () => {
    expect(signBaseString({ b: '1', B: '2', a_: '3', a: '4', timestamp: '5' }, 'k')).toBe('B=2&a=4&a_=3&b=1&timestamp=5&key=k');
  });

  it('does not depend on key order', () => {
    const entries = fc
      .dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 8 })
      .map((d) => Object.entries(d));
    const withPermutation = entries.chain((e) => fc.tuple(fc.constant(e), fc.shuffledSubarray(e, { minLength: e.length, maxLength: e.length })));
    fc.assert(
      fc.property(withPermutation, ([original, permuted]) => {
        const a = computeSign(Object.fromEntries(original), 'abc');
        expect(computeSign(Object.fromEntries(permuted), 'abc')).toBe(a);
        expect(a).toMatch(/^[0-9A-F]{32}$/);
      }),
    );
  });

  it('refuses an empty AppKey', () => {
    expect(() => computeSign(v.params, '')).toThrow(RangeError);
  });
});

describe('dingshang signer: raw vs url-encoded (§2.3)', () => {
  const params = {
    notify_url: 'https://example.com/notify?a=1&b=2',
    expired_at: '2024-12-31 23:59:59',
    timestamp: '1714185061',
  };

  it('joins raw values by default', () => {
    expect(signBaseString(params, 'k')).toBe('expired_at=2024-12-31 23:59:59&notify_url=https://example.com/notify?a=1&b=2&timestamp=1714185061&key=k');
  });

  it('escapes like Go url.Values.Encode in url-encoded mode', () => {
    expect(signBaseString(params, 'k', 'url-encoded')).toBe(
      'expired_at=2024-12-31+23%3A59%3A59&notify_url=https%3A%2F%2Fexample.com%2Fnotify%3Fa%3D1%26b%3D2&timestamp=1714185061&key=k',
    );
    expect(computeSign(params, 'k', 'url-encoded')).not.toBe(computeSign(params, 'k', 'raw'));
  });

  it('follows Go QueryEscape on the characters where encoders disagree', () => {
    expect(goQueryEscape('a~b*c d-e_f.g')).toBe('a~b%2Ac+d-e_f.g');
    expect(goQueryEscape('取')).toBe('%E5%8F%96');
  });
});

describe('dingshang signer: payload (§2.1 steps 8–9)', () => {
  it('encodes params + sign as standard base64 JSON, and decodes back', () => {
    const v = signVectors[1];
    const { payload } = encodePayload(v.params, v.key);
    expect(payload).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const back = decodePayload(payload);
    expect(back).toEqual({ ...v.params, sign: v.sign });
    expect(back !== null && verifySign(back, v.key)).toBe(true);
  });

  it('leaves empty values out of the payload too, like the reference libraries', () => {
    expect(signParams({ a: '2', b: '3', c: '', d: 'NULL', timestamp: '1718180788' }, 'abc')).toEqual({
      a: '2', b: '3', timestamp: '1718180788', sign: signVectors[1].sign,
    });
  });

  it('requires timestamp as Unix seconds and never reads the clock', () => {
    expect(() => encodePayload({ a: '1', timestamp: '' }, 'abc')).toThrow(RangeError);
    expect(() => encodePayload({ a: '1', timestamp: '1714185061000.5' }, 'abc')).toThrow(RangeError);
  });

  it('rejects bodies that are not padded base64 of a JSON object', () => {
    expect(decodePayload('')).toBeNull();
    expect(decodePayload('not base64!')).toBeNull();
    expect(decodePayload(Buffer.from('[1,2]').toString('base64'))).toBeNull();
    expect(decodePayload(Buffer.from('{"a":').toString('base64'))).toBeNull();
  });

  it('verifies older integer-valued payloads as Go %v prints them, and refuses nested values', () => {
    const sign = computeSign({ page: '1', timestamp: '1' }, 'k');
    expect(verifySign({ page: 1, timestamp: '1', sign }, 'k')).toBe(true);
    expect(verifySign({ page: { n: 1 }, timestamp: '1', sign }, 'k')).toBe(false);
    expect(verifySign({ page: '1', timestamp: '1' }, 'k')).toBe(false); // no sign
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hongxunJson, hongxunSign, hongxunSignBase, hongxunSignMatches } from '../../../../src/cloud/hongxun/signer.js';
import { CREDENTIALS, VECTOR_BASE, VECTOR_CANONICAL_JSON, VECTOR_REQUEST, VECTOR_SIGN, VECTOR_TIMESTAMP } from './fixtures.js';

const input = { createBy: CREDENTIALS.createBy, dataSource: CREDENTIALS.dataSource, request: VECTOR_REQUEST, timestamp: VECTOR_TIMESTAMP };

describe('hongxunJson (Appendix 1: keys sorted at every level)', () => {
  it('sorts nested keys, keeps array order, adds no whitespace', () => {
    expect(hongxunJson(VECTOR_REQUEST)).toBe(VECTOR_CANONICAL_JSON);
    expect(hongxunJson({ b: [{ z: 1, a: 2 }, 3], a: { d: true, c: 'x' } })).toBe('{"a":{"c":"x","d":true},"b":[{"a":2,"z":1},3]}');
  });

  it('sorts by code unit: upper case before lower case', () => {
    expect(hongxunJson({ b: 1, B: 2, a: 3, _: 4 })).toBe('{"B":2,"_":4,"a":3,"b":1}');
  });

  it('writes non-ASCII text raw, escapes what JSON must', () => {
    expect(hongxunJson({ s: '快递柜 "x"\n' })).toBe('{"s":"快递柜 \\"x\\"\\n"}');
  });

  it('keeps null members by default, drops them with nulls=omit, skips undefined', () => {
    const v = { w: null, q: 1, u: undefined, list: [null] };
    expect(hongxunJson(v)).toBe('{"list":[null],"q":1,"w":null}');
    expect(hongxunJson(v, { nulls: 'omit' })).toBe('{"list":[null],"q":1}');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => hongxunJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => hongxunJson({ n: 1n })).toThrow(TypeError);
  });
});

describe('hongxunSign (Appendix 1, self-derived vector)', () => {
  it('builds the base string step by step', () => {
    expect(hongxunSignBase(input, CREDENTIALS.sk)).toBe(VECTOR_BASE);
    expect(VECTOR_BASE).toBe(
      'CK001&KIOSK&{"actualQuantity":1,"customerNumber":"SO20240301001","productList":[{"customerLineNumber":"1","customerProductCode":"P-001","quantity":1}],"signType":"10","signedTime":"2024-03-01 17:59:30","signer":"快递柜"}&hx-test-sk&2024-03-01 18:00:00',
    );
  });

  it('hashes the UTF-8 bytes to the vector, lower case by default', () => {
    expect(hongxunSign(input, CREDENTIALS.sk)).toBe(VECTOR_SIGN);
    expect(createHash('md5').update(Buffer.from(VECTOR_BASE, 'utf8')).digest('hex')).toBe(VECTOR_SIGN);
  });

  it('follows the hex-case switch', () => {
    expect(hongxunSign(input, CREDENTIALS.sk, { hexCase: 'upper' })).toBe(VECTOR_SIGN.toUpperCase());
  });

  it('does not depend on the key order of the request', () => {
    const reordered = { ...input, request: JSON.parse(VECTOR_CANONICAL_JSON) as unknown };
    expect(hongxunSign(reordered, CREDENTIALS.sk)).toBe(VECTOR_SIGN);
  });

  it('changes with any input', () => {
    expect(hongxunSign({ ...input, timestamp: '2024-03-01 18:00:01' }, CREDENTIALS.sk)).not.toBe(VECTOR_SIGN);
    expect(hongxunSign(input, 'other')).not.toBe(VECTOR_SIGN);
  });

  it('compares case-insensitively', () => {
    expect(hongxunSignMatches(VECTOR_SIGN.toUpperCase(), VECTOR_SIGN)).toBe(true);
    expect(hongxunSignMatches(VECTOR_SIGN.slice(1), VECTOR_SIGN)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson } from '../../../../src/cloud/common/canonical-json.js';

/** RFC 8785 vectors: §3.2.4 (the worked example with its UTF-8 hex), §3.2.3 (sorting), Appendix B (numbers). */

function float(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

function refusal(value: unknown): { code: string; path: string } {
  try {
    canonicalJson(value);
  } catch (err) {
    if (err instanceof CanonicalJsonError) return { code: err.code, path: err.path };
    throw err;
  }
  throw new Error('expected a CanonicalJsonError');
}

describe('canonicalJson: RFC 8785 vectors', () => {
  it('§3.2.4: the worked example, byte for byte', () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    const hex =
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e' +
      '756d62657273223a5b3333333333333333332e333333333333332c31652b3330' +
      '2c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac24' +
      '5c75303030665c6e4127425c225c5c5c5c5c222f227d';
    expect(Buffer.from(canonicalJson(input), 'utf8').toString('hex')).toBe(hex);
    expect(canonicalJson(input)).toBe(String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`);
  });

  it('§3.2.3: members sorted by UTF-16 code units (the emoji before U+FB33)', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"
    }`) as Record<string, string>;
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('Appendix B: %s → %s', (bits, text) => {
    expect(canonicalJson(float(bits))).toBe(text);
    expect(canonicalJson([float(bits)])).toBe(`[${text}]`);
  });

  it.each([['7fffffffffffffff'], ['7ff0000000000000'], ['fff0000000000000']])('Appendix B: %s (NaN / ±Infinity) is refused', (bits) => {
    expect(refusal({ n: float(bits) })).toEqual({ code: 'non-finite-number', path: '$.n' });
  });
});

describe('canonicalJson: structure', () => {
  it('writes no whitespace, sorts nested members, keeps array order', () => {
    expect(canonicalJson({ b: [3, 1, { z: true, a: null }], a: 'x', c: {} })).toBe('{"a":"x","b":[3,1,{"a":null,"z":true}],"c":{}}');
  });

  it('does not sort by code point: U+10000 (D800 DC00) sorts before U+FFFF', () => {
    expect(canonicalJson({ '\uffff': 1, '\u{10000}': 2 })).toBe('{"\u{10000}":2,"\uffff":1}');
  });

  it('escapes only what JSON.stringify escapes, lower-case hex', () => {
    expect(canonicalJson('\u0000\b\t\n\f\r\u001f/\u007f\u2028<&>')).toBe('"\\u0000\\b\\t\\n\\f\\r\\u001f/\u007f\u2028<&>"');
  });

  it('accepts an object with a null prototype and the same object twice side by side', () => {
    const shared = { a: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: [shared, shared] });
    expect(canonicalJson(bare)).toBe('{"k":[{"a":1},{"a":1}]}');
  });
});

describe('canonicalJson: refusals', () => {
  it.each([
    ['undefined at the top', undefined, { code: 'unsupported-value', path: '$' }],
    ['undefined member', { a: undefined }, { code: 'unsupported-value', path: '$.a' }],
    ['undefined element', [1, undefined], { code: 'unsupported-value', path: '$[1]' }],
    // eslint-disable-next-line no-sparse-arrays
    ['a hole', [1, , 3], { code: 'unsupported-value', path: '$[1]' }],
    ['a function', { f: () => 1 }, { code: 'unsupported-value', path: '$.f' }],
    ['a symbol', [Symbol('s')], { code: 'unsupported-value', path: '$[0]' }],
    ['a bigint', { n: 1n }, { code: 'unsupported-value', path: '$.n' }],
    ['a Date (toJSON is not called)', { at: new Date(0) }, { code: 'unsupported-value', path: '$.at' }],
    ['a Map', new Map(), { code: 'unsupported-value', path: '$' }],
    ['NaN', [Number.NaN], { code: 'non-finite-number', path: '$[0]' }],
    ['-Infinity', { x: { y: -Infinity } }, { code: 'non-finite-number', path: '$.x.y' }],
    ['a lone high surrogate', { s: 'a\ud800' }, { code: 'lone-surrogate', path: '$.s' }],
    ['a lone low surrogate in a name', { '\udc00': 1 }, { code: 'lone-surrogate', path: '$.\udc00' }],
  ])('%s', (_name, value, expected) => {
    expect(refusal(value)).toEqual(expected);
  });

  it('a cycle, through an object or an array', () => {
    const o: Record<string, unknown> = { a: 1 };
    o['self'] = o;
    expect(refusal(o)).toEqual({ code: 'cycle', path: '$.self' });
    const a: unknown[] = [];
    a.push({ back: a });
    expect(refusal(a)).toEqual({ code: 'cycle', path: '$[0].back' });
  });

  it('the error names the place, never the value', () => {
    expect(() => canonicalJson({ token: 'abc\ud800' })).toThrow(/^lone-surrogate at \$\.token$/);
  });
});

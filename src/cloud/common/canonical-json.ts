/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) over JavaScript values: the
 * bytes a command signature covers (src/cloud/channel/README.md), and, with
 * the options below, the sorted-key JSON Hongxun signs (hongxun/signer.ts)
 * and the content key of a callback without an id (receiver/content-key.ts).
 * The one canonical JSON writer of src/cloud. Pure.
 *
 * - §3.2.1: no whitespace between tokens.
 * - §3.2.2.1 literals, §3.2.2.2 strings, §3.2.2.3 numbers: exactly what
 *   ECMAScript's JSON.stringify writes for a primitive (strings escape `"`,
 *   `\`, and U+0000–U+001F only, with `\b \t \n \f \r` short forms and
 *   lower-case `\u00xx`; numbers use Number.prototype.toString, `-0` → `0`).
 * - §3.2.3: object members sorted by their names as arrays of UTF-16 code
 *   units, which is what the default `Array.prototype.sort` compares.
 * - §3.1 / I-JSON (RFC 7493 §2.1): strings must be valid Unicode, so a lone
 *   surrogate is refused rather than escaped as JSON.stringify would.
 */

export type CanonicalJsonErrorCode =
  /** NaN or ±Infinity: JSON has no such number (§3.2.2.3 "MUST cause an error"). */
  | 'non-finite-number'
  /** undefined, a function, a symbol, a bigint, or an object that is not a plain object or array (Date, Map, class instance). */
  | 'unsupported-value'
  /** A string (value or member name) with an unpaired UTF-16 surrogate. */
  | 'lone-surrogate'
  /** An object or array that contains itself. */
  | 'cycle';

/**
 * A value that has no canonical JSON form. `path` points at it, e.g. `$.args.tags[2]`; no value is quoted.
 * A TypeError: the value's type (or shape) is one JSON cannot carry.
 */
export class CanonicalJsonError extends TypeError {
  override readonly name = 'CanonicalJsonError';
  constructor(
    readonly code: CanonicalJsonErrorCode,
    readonly path: string,
  ) {
    super(`${code} at ${path}`);
  }
}

// In /u mode a well-formed pair is one code point, so only lone halves match.
const LONE_SURROGATE = /\p{Cs}/u;

export interface CanonicalJsonOptions {
  /**
   * `refuse` (default, RFC 8785): an `undefined` member or element throws
   * `unsupported-value`. `omit`: members whose value is `undefined` are left
   * out and `undefined` elements written `null`, as JSON.stringify does.
   */
  undefined?: 'refuse' | 'omit';
  /** `omit` leaves out members whose value is `null` (Hongxun `jsonNulls`). Default `keep`. */
  nulls?: 'keep' | 'omit';
  /** `refuse` (default, I-JSON) throws `lone-surrogate`; `escape` writes `\udxxx` as JSON.stringify does. */
  loneSurrogates?: 'refuse' | 'escape';
}

type Resolved = Required<CanonicalJsonOptions>;

/**
 * The canonical JSON text of `value`. Throws CanonicalJsonError for anything
 * JSON cannot carry exactly: non-finite numbers, undefined (also as a member
 * or element: JSON.stringify would silently drop or null it, and the signer
 * and the verifier must never disagree about what was covered), functions,
 * symbols, bigints, non-plain objects, lone surrogates and cycles.
 * `toJSON` methods are not called.
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const parts: string[] = [];
  const o: Resolved = { undefined: options.undefined ?? 'refuse', nulls: options.nulls ?? 'keep', loneSurrogates: options.loneSurrogates ?? 'refuse' };
  write(value, '$', new Set<object>(), parts, o);
  return parts.join('');
}

function write(value: unknown, path: string, open: Set<object>, out: string[], o: Resolved): void {
  switch (typeof value) {
    case 'string':
      out.push(quote(value, path, o));
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError('non-finite-number', path);
      // ES Number::toString is the §3.2.2.3 algorithm; JSON.stringify also turns -0 into "0".
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      if (open.has(value)) throw new CanonicalJsonError('cycle', path);
      open.add(value);
      if (Array.isArray(value)) writeArray(value, path, open, out, o);
      else if (isPlainObject(value)) writeObject(value, path, open, out, o);
      else throw new CanonicalJsonError('unsupported-value', path);
      // Only the current branch counts: the same object twice side by side is not a cycle.
      open.delete(value);
      return;
    case 'undefined':
      // Only an element reaches here under `omit` (members are filtered out before).
      if (o.undefined === 'omit') {
        out.push('null');
        return;
      }
      throw new CanonicalJsonError('unsupported-value', path);
    default:
      throw new CanonicalJsonError('unsupported-value', path);
  }
}

function writeArray(value: readonly unknown[], path: string, open: Set<object>, out: string[], o: Resolved): void {
  out.push('[');
  // An index loop, not forEach: holes in a sparse array are `undefined` and refused.
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out.push(',');
    write(value[i], `${path}[${i}]`, open, out, o);
  }
  out.push(']');
}

function writeObject(value: Record<string, unknown>, path: string, open: Set<object>, out: string[], o: Resolved): void {
  out.push('{');
  const names = Object.keys(value)
    .filter((name) => !(o.undefined === 'omit' && value[name] === undefined) && !(o.nulls === 'omit' && value[name] === null))
    .sort();
  names.forEach((name, i) => {
    const memberPath = `${path}.${name}`;
    if (i > 0) out.push(',');
    out.push(quote(name, memberPath, o), ':');
    write(value[name], memberPath, open, out, o);
  });
  out.push('}');
}

function quote(text: string, path: string, o: Resolved): string {
  if (o.loneSurrogates === 'refuse' && LONE_SURROGATE.test(text)) throw new CanonicalJsonError('lone-surrogate', path);
  return JSON.stringify(text);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

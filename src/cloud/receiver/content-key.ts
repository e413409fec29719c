/**
 * A dedupe key for a callback that carries no id of its own: the SHA-256 of
 * its content in a canonical form, so the same content redelivered gets the
 * same key whatever the key order or whitespace of the JSON it came in.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted (code-unit order) at every level; array order kept. Throws TypeError for a value JSON cannot hold (a bigint, a cycle). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, new Set()));
}

function sortKeys(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => sortKeys(v, seen))
    : Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, sortKeys((value as Record<string, unknown>)[k], seen)]),
      );
  seen.delete(value);
  return out;
}

/** `sha256:<64 hex>` of the canonical JSON of `fields`. Throws like canonicalJson. */
export function contentKey(fields: Readonly<Record<string, unknown>>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex')}`;
}

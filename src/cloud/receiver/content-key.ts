/**
 * A dedupe key for a callback that carries no id of its own: the SHA-256 of
 * its content in a canonical form, so the same content redelivered gets the
 * same key whatever the key order or whitespace of the JSON it came in.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';

/**
 * `sha256:<64 hex>` of the canonical JSON of `fields` (keys sorted at every
 * level, array order kept; lenient as JSON.stringify, since `fields` comes
 * from JSON.parse). Throws CanonicalJsonError (a TypeError) for a cycle.
 */
export function contentKey(fields: Readonly<Record<string, unknown>>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(fields, { undefined: 'omit', loneSurrogates: 'escape' }), 'utf8').digest('hex')}`;
}

import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../../src/cloud/common/redact.js';

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret, leaves values shorter than the minimum and absent ones alone', () => {
    expect(redactSecrets('bad sign abcd1234 for key k-secret (abcd1234)', ['abcd1234', 'k-secret', undefined, '1'])).toBe(
      'bad sign [redacted] for key [redacted] ([redacted])',
    );
    expect(redactSecrets('pin 1234 and 12', ['1234', '12'], 4)).toBe('pin [redacted] and 12');
    expect(redactSecrets('whsec_abc', ['abc'], 8)).toBe('whsec_abc');
  });
});

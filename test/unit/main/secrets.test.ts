import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCabinetSecret } from '../../../src/main/secrets.js';
import { sealCode, unsealCode } from '../../../src/core/sealed-code.js';

describe('cabinet secret', () => {
  it('is generated once into the data folder, private, and read back the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-secret-'));
    const first = loadCabinetSecret(undefined, dir);
    expect(first).toHaveLength(32);
    expect(statSync(join(dir, 'cabinet.secret')).mode & 0o777).toBe(0o600);
    expect(loadCabinetSecret(undefined, dir).equals(first)).toBe(true);
    expect(readFileSync(join(dir, 'cabinet.secret'), 'utf8').trim()).toBe(first.toString('hex'));
  });

  it('prefers the configured secret', () => {
    expect(loadCabinetSecret('a-configured-secret-value', '/nonexistent').toString()).toBe('a-configured-secret-value');
  });

  it('seals a code so only the same secret opens it, and tampering is detected', () => {
    const secret = Buffer.alloc(32, 7);
    const sealed = sealCode(secret, '12345678');
    expect(sealed).not.toContain('12345678');
    expect(unsealCode(secret, sealed)).toBe('12345678');
    expect(() => unsealCode(Buffer.alloc(32, 8), sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('87654321').toString('base64url');
    expect(() => unsealCode(secret, parts.join('.'))).toThrow();
  });
});

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The per-cabinet secret keys the pickup-code HMAC and seals the one copy of a
 * freshly issued code that must travel to the operator's cloud (it has to text
 * the code to the recipient). It lives outside the database, so a copied
 * database reveals no code.
 */
export function loadCabinetSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = join(dataDir, 'cabinet.secret');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  // 'wx': never overwrite a secret another process wrote a moment ago.
  try {
    writeFileSync(file, secret.toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    throw err;
  }
  chmodSync(file, 0o600);
  return secret;
}

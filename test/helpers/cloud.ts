import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/main/config/load-config.js';
import type { Config } from '../../src/main/config/schema.js';

/** A fresh Standard Webhooks secret. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** A port that was free a moment ago: a restarted mock must come back on the address the agent knows. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The demo cabinet on the in-process simulator in a fresh folder, with the
 * document `doc` merged into the file (parsed like any configuration file).
 */
export function agentConfig(doc: Record<string, unknown>): Config {
  const dir = mkdtempSync(join(tmpdir(), 'ck-cloud-'));
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      simulator: { transport: 'mock', autoCloseMs: 100 },
      supervision: { activePollMs: 30 },
      log: { level: 'silent', file: false },
      ...doc,
    }),
  );
  return loadConfig({ file, env: {}, cwd: dir });
}

export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

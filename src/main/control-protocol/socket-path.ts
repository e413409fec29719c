import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * Where the running agent listens for its CLI: a Unix socket in the data
 * folder (only the service user can reach it), a named pipe on Windows.
 */
export function controlSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\cabinet-kiosk-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
  return join(dataDir, 'agent.sock');
}

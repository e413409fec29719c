import { spawn } from 'node:child_process';

export interface Ids {
  uid: number;
  gid: number;
}

export const NOBODY: Ids = { uid: 65534, gid: 65534 };

/**
 * Runs `node <args>` as another user (the tests run as root) and parses the
 * one JSON value it prints: how a test plays a local user who is not the agent.
 * Rejects with what it printed when that is not JSON.
 */
export function runJsonAs<T>(as: Ids, args: readonly string[], what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { ...as, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`${what} printed ${JSON.stringify(out)}: ${err}`));
      }
    });
  });
}

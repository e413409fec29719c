import { request } from 'node:http';
import type { Result } from '../../shared/errors.js';
import { commandPath, type ControlCommand } from './commands.js';

export type AgentReply = { reached: true; result: Result<unknown> } | { reached: false; reason: string };

/**
 * Sends one command to a running agent. `reached: false` means no agent is
 * listening (no socket, refused): the CLI then does the work itself.
 */
export function callAgent(socketPath: string, command: ControlCommand, input: unknown): Promise<AgentReply> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(input ?? {});
    const req = request(
      { socketPath, path: commandPath(command), method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ reached: true, result: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Result<unknown> });
          } catch (err) {
            reject(new Error(`the agent answered with something that is not JSON: ${(err as Error).message}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') resolve({ reached: false, reason: err.code });
      else reject(err);
    });
    req.end(body);
  });
}

import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { KioskError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Agent } from '../agent.js';
import { AgentAlreadyRunning } from '../data-lock.js';
import { localCaller, type ControlCaller } from '../caller.js';
import { isControlCommand } from '../control-protocol/commands.js';
import { runControlCommand } from './commands.js';
import { toErrorResult } from '../error-result.js';

export { AgentAlreadyRunning };

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The local control API: `POST /v1/<command>` with a JSON body, answered with
 * a Result envelope. It listens on a Unix socket of mode 0600, so only the
 * agent's user (and root) can connect, and every command is audited as that
 * user (caller.ts). The data folder lock (data-lock.ts), taken before this,
 * keeps a second agent out; the socket only answers the CLI. It answers
 * `agent-busy` until `getAgent()` has an agent.
 */
export async function startControlServer(getAgent: () => Agent | undefined, socketPath: string, log: Logger): Promise<Server> {
  await claimSocket(socketPath);
  const caller = localCaller();
  const server = createServer((req, res) => {
    void handle(getAgent, req, caller, log).then((result) => {
      res.writeHead(result.ok ? 200 : statusFor(result.error.code), { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    });
  });
  // Long waits (a courier's door) must not be cut by Node's default timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Node binds a Unix socket synchronously inside listen(), so this umask
    // makes it 0600 from the first instant; the chmod below makes sure.
    const umask = process.platform === 'win32' ? null : process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (umask !== null) process.umask(umask);
    }
  });
  if (process.platform !== 'win32') chmodSync(socketPath, 0o600);
  return server;
}

export function stopControlServer(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    if (process.platform !== 'win32' && existsSync(socketPath)) unlinkSync(socketPath);
  });
}

async function handle(getAgent: () => Agent | undefined, req: IncomingMessage, caller: ControlCaller, log: Logger) {
  try {
    const agent = getAgent();
    if (!agent) throw new KioskError('agent-busy', 'the agent is still starting; try again in a moment');
    const match = /^\/v1\/([a-z-]+)$/.exec(req.url ?? '');
    const name = match?.[1];
    if (req.method !== 'POST' || !name || !isControlCommand(name)) throw new KioskError('bad-request', `no such command: ${req.method} ${req.url}`);
    const input = await readJson(req);
    log.info({ command: name, actor: caller.actor }, 'control command');
    return { ok: true as const, value: await runControlCommand(agent, name, input, caller) };
  } catch (err) {
    const result = toErrorResult(err);
    if (result.error.code === 'internal') log.error({ err }, 'control command failed');
    // The refusal's code (code-invalid, locked-out …) and never the input: a run of code-invalid is a brute-force attempt.
    else log.info({ command: req.url, code: result.error.code }, 'control command refused');
    return result;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new KioskError('bad-request', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new KioskError('bad-request', 'request body is not JSON');
  }
}

function statusFor(code: string): number {
  return code === 'bad-request' ? 400 : code === 'internal' ? 500 : 409;
}

/**
 * Removes a stale socket file left by a crash. With the data folder lock held
 * a live answer cannot come from an agent of this folder; refusing then still
 * beats unlinking a socket someone else serves.
 */
async function claimSocket(socketPath: string): Promise<void> {
  if (process.platform === 'win32' || !existsSync(socketPath)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new AgentAlreadyRunning(`another cabinet-kiosk agent is running (control socket ${socketPath} answers); stop it first`);
  unlinkSync(socketPath);
}

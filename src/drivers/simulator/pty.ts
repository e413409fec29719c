import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasExecutable } from '../transport/discovery.js';

/** Whether a `socat` executable is on PATH (checked without spawning anything). */
export function socatAvailable(path = process.env.PATH ?? ''): boolean {
  return hasExecutable('socat', path);
}

export interface PtyPair {
  /** The agent opens this (a stable symlink in a temp dir, like /dev/serial/by-id). */
  agentPath: string;
  /** The simulator opens this. */
  simulatorPath: string;
  readonly plugged: boolean;
  /** Kills socat: both ends see the device vanish, the links disappear. */
  unplug(): Promise<void>;
  /** Starts socat again with the same link names, so the agent's path comes back. */
  replug(): Promise<void>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

/**
 * A socat PTY pair: `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`.
 * Ready when socat logs "starting data transfer loop" and both links exist.
 */
export async function createPtyPair(opts: { dir?: string } = {}): Promise<PtyPair> {
  if (!socatAvailable()) throw new Error('socat is not installed or not on PATH (apt-get install socat)');
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'cabinet-kiosk-pty-')));
  const agentPath = join(dir, 'agent');
  const simulatorPath = join(dir, 'board');
  let child: ChildProcess | undefined;
  const launch = async () => {
    const c = await startSocat(agentPath, simulatorPath);
    c.once('exit', () => {
      if (child === c) child = undefined; // died on its own: the pair is unplugged
    });
    child = c;
  };
  await launch();
  const stop = async () => {
    const c = child;
    child = undefined;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      await exited;
    }
  };
  return {
    agentPath,
    simulatorPath,
    get plugged() {
      return child !== undefined;
    },
    unplug: stop,
    async replug() {
      if (!child) await launch();
    },
    async close() {
      await stop();
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function startSocat(a: string, b: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let poll: NodeJS.Timeout | undefined;
    const fail = (why: string) => {
      clearTimeout(timer);
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`socat did not start (${why}): ${stderr.trim()}`));
    };
    const ready = () => {
      if (!existsSync(a) || !existsSync(b)) return;
      clearTimeout(timer);
      clearInterval(poll);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.once('error', () => undefined);
      // Keep draining stderr so socat never blocks on a full pipe.
      child.stderr!.removeAllListeners('data');
      child.stderr!.resume();
      resolve(child);
    };
    const timer = setTimeout(() => fail(`no PTYs after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The links exist once socat reaches its transfer loop; re-check briefly in case they lag the log line.
      if (poll || !stderr.includes('starting data transfer loop')) return;
      poll = setInterval(ready, 5);
      ready();
    });
  });
}

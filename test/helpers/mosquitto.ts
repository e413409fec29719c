import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { freePort } from './cloud.js';

/**
 * A real Mosquitto broker for the fleet tests and the bench: its own config
 * file on 127.0.0.1, a free port, persistence in its own folder (so a
 * graceful restart keeps persistent sessions and their queued QoS 1
 * messages, as a production broker does). A machine without mosquitto fails
 * the test loudly: there is no in-process stand-in.
 */
export const MOSQUITTO_CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto'];

export function mosquittoPath(): string {
  const found = MOSQUITTO_CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error(`mosquitto is not installed (looked in ${MOSQUITTO_CANDIDATES.join(', ')}): apt-get install mosquitto (.ci/run does)`);
  }
  return found;
}

export interface MosquittoOptions {
  /** Extra lines for mosquitto.conf. */
  extra?: string[];
  /** Default 100 (Mosquitto's default is 20; AWS IoT allows 100 in flight). */
  maxInflight?: number;
}

export class Mosquitto {
  readonly url: string;
  #child: ChildProcess | null = null;
  log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly configPath: string,
  ) {
    this.url = `mqtt://127.0.0.1:${port}`;
  }

  /** Writes `<dir>/mosquitto.conf` and starts the broker; resolves once it accepts TCP. */
  static async start(dir: string, options: MosquittoOptions = {}): Promise<Mosquitto> {
    const bin = mosquittoPath();
    mkdirSync(join(dir, 'persist'), { recursive: true });
    const port = await freePort();
    const configPath = join(dir, 'mosquitto.conf');
    writeFileSync(
      configPath,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        // Started as root, Mosquitto drops to the `mosquitto` user, which cannot write our private temp folder: stay who we are.
        `user ${userInfo().username}`,
        'persistence true',
        `persistence_location ${join(dir, 'persist')}/`,
        'autosave_interval 1',
        `max_inflight_messages ${options.maxInflight ?? 100}`,
        'max_queued_messages 100000',
        // Small PUBACKs and results go out at once (docs/fleet.md §8).
        'set_tcp_nodelay true',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        ...(options.extra ?? []),
        '',
      ].join('\n'),
    );
    const broker = new Mosquitto(dir, port, configPath);
    await broker.#spawn(bin);
    return broker;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async #spawn(bin: string = mosquittoPath()): Promise<void> {
    const child = spawn(bin, ['-c', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}: ${this.log}`);
      if (await accepts(this.port)) return;
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port} within 20 s: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM (Mosquitto saves its persistence file on the way out) and wait for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Stops and starts again on the same port with the same persistence. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.#spawn();
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

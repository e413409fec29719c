import { execFile } from 'node:child_process';
import type { Logger } from '../../shared/logger.js';

/**
 * sd_notify(3) for a Node process, by running systemd's own `systemd-notify`.
 *
 * Why a child process: the notification socket ($NOTIFY_SOCKET) is an
 * AF_UNIX SOCK_DGRAM socket, and Node has no Unix datagram sockets (`dgram`
 * is UDP only, `net` is stream only). The npm packages that have one are
 * native add-ons built against libsystemd, which this project does not ship
 * (a second native module to rebuild for Electron's ABI).
 *
 * What it costs: systemd sees the message come from the child's pid, not the
 * main pid, so the unit needs `NotifyAccess=all` (main would drop every
 * message). `systemd-notify` waits, by default, until systemd has processed
 * the message (a BARRIER=1 round trip), so the short-lived child is still
 * there to be attributed to the unit; `--no-block` would lose that. With
 * `all`, any process of the unit's cgroup may notify: those are the agent's
 * own children (socat for the demo simulator), run as the same user. See
 * docs/architecture.md §7.
 *
 * The alternative we did not take: a wrapper that opens the datagram socket,
 * connects it and execs the agent with the descriptor inherited (the agent
 * then write(2)s on it with its own pid, so `main` would do). It needs an
 * interpreter with socket calls in ExecStart (perl or python) and changes
 * the packaged command line; the process per ping every 15 s is cheaper
 * than that dependency.
 */
export class SdNotify {
  readonly #socket: string;
  readonly #log: Logger;
  readonly #binary: string;
  #inFlight = 0;
  #failedOnce = false;

  private constructor(socket: string, log: Logger, binary: string) {
    this.#socket = socket;
    this.#log = log;
    this.#binary = binary;
  }

  /**
   * The notifier when systemd asked for notifications (NOTIFY_SOCKET set),
   * else null. The variable is removed from `env` (sd_notify's
   * unset_environment): the agent's children must not notify in its name.
   */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger, binary = 'systemd-notify'): SdNotify | null {
    const socket = env['NOTIFY_SOCKET'];
    if (socket === undefined || socket === '') return null;
    delete env['NOTIFY_SOCKET'];
    return new SdNotify(socket, log, binary);
  }

  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /**
   * Sends one message of `KEY=VALUE` fields (one datagram). Resolves true
   * once systemd took it, false when it could not be sent (logged once: a
   * missing systemd-notify makes the watchdog kill the agent, and the log
   * says why).
   */
  send(fields: Record<string, string>): Promise<boolean> {
    const args = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`);
    this.#inFlight += 1;
    return new Promise<boolean>((resolve) => {
      execFile(this.#binary, args, { env: { NOTIFY_SOCKET: this.#socket, PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeout: 10_000 }, (err, _stdout, stderr) => {
        this.#inFlight -= 1;
        if (err) {
          if (!this.#failedOnce) {
            this.#failedOnce = true;
            const code = (err as NodeJS.ErrnoException).code;
            const hint = code === 'ENOENT' ? 'systemd-notify is not installed (package systemd)' : stderr.trim() || err.message;
            this.#log.error({ code, fields: Object.keys(fields) }, `cannot notify systemd: ${hint}; the service watchdog will restart the agent`);
          }
          resolve(false);
          return;
        }
        if (this.#failedOnce) this.#log.info({}, 'systemd notifications work again');
        this.#failedOnce = false;
        resolve(true);
      });
    });
  }
}

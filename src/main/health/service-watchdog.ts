import type { Logger } from '../../shared/logger.js';
import { SdNotify } from './sd-notify.js';
import { healthVerdict, statusText, tickLag, watchdogPingIntervalMs, type HealthBounds, type HealthInputs, type HealthVerdict } from './watchdog-policy.js';

/** How often the loop-lag sampler ticks: fine enough to see a blocked loop, four timers a second. */
const SAMPLE_MS = 250;

export interface WatchdogProbes {
  /** A trivial read of the database: null when it answered, else the error's text. */
  database(): string | null;
  bus(): HealthInputs['bus'];
  facts(): { busConnected: boolean; outboxPending: number };
}

export interface ServiceWatchdogOptions {
  probes: WatchdogProbes;
  bounds: HealthBounds;
  log: Logger;
  /** Default process.env (NOTIFY_SOCKET is taken out of it). */
  env?: NodeJS.ProcessEnv;
  pid?: number;
  clock?: () => number;
  /** Default `systemd-notify` on PATH. */
  notifyBinary?: string;
}

/**
 * The agent's side of systemd's service protocol (sd_notify(3)): READY=1 once
 * it serves, STATUS= lines, WATCHDOG=1 at half of WatchdogSec while
 * healthy (watchdog-policy.ts), STOPPING=1 on the way down. Without
 * NOTIFY_SOCKET (a terminal, `npm start`, Windows) `create` returns null and
 * nothing runs.
 */
export class ServiceWatchdog {
  readonly #notify: SdNotify;
  readonly #opts: ServiceWatchdogOptions;
  readonly #clock: () => number;
  readonly #pingMs: number | null;
  #sampler: NodeJS.Timeout | undefined;
  #pinger: NodeJS.Timeout | undefined;
  #lastSampleAt = 0;
  #worstLag = 0;
  #lastStatus = '';
  #verdict: HealthVerdict = { healthy: true, problems: [] };
  #pings = 0;

  private constructor(notify: SdNotify, opts: ServiceWatchdogOptions, pingMs: number | null) {
    this.#notify = notify;
    this.#opts = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#pingMs = pingMs;
  }

  static create(opts: ServiceWatchdogOptions): ServiceWatchdog | null {
    const env = opts.env ?? process.env;
    // Read before fromEnv takes NOTIFY_SOCKET away; both belong to this process only.
    const pingMs = watchdogPingIntervalMs(env, opts.pid ?? process.pid);
    const notify = SdNotify.fromEnv(env, opts.log, opts.notifyBinary);
    if (!notify) return null;
    delete env['WATCHDOG_USEC'];
    delete env['WATCHDOG_PID'];
    return new ServiceWatchdog(notify, opts, pingMs);
  }

  /** Half of WatchdogSec, or null when the unit has no watchdog (READY and STATUS still go out). */
  get pingIntervalMs(): number | null {
    return this.#pingMs;
  }

  /** The last decision, for `status`. */
  get verdict(): HealthVerdict {
    return this.#verdict;
  }

  get pings(): number {
    return this.#pings;
  }

  /** The agent serves: READY=1, then the pings start. */
  async ready(): Promise<void> {
    this.#lastSampleAt = this.#clock();
    const verdict = this.#decide();
    await this.#notify.send({ READY: '1', STATUS: this.#status(verdict), MAINPID: String(this.#opts.pid ?? process.pid) });
    if (this.#pingMs === null) return;
    this.#lastSampleAt = this.#clock();
    this.#sampler = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#pinger = setInterval(() => void this.#tick(), this.#pingMs);
    // A ping timer must never keep a stopping process alive.
    this.#sampler.unref();
    this.#pinger.unref();
  }

  /** The agent is shutting down: systemd waits for it (TimeoutStopSec) instead of calling it hung. */
  async stopping(): Promise<void> {
    this.stop();
    await this.#notify.send({ STOPPING: '1', STATUS: 'stopping' });
  }

  stop(): void {
    clearInterval(this.#sampler);
    clearInterval(this.#pinger);
    this.#sampler = undefined;
    this.#pinger = undefined;
  }

  #sample(): void {
    const now = this.#clock();
    this.#worstLag = Math.max(this.#worstLag, tickLag(this.#lastSampleAt, now, SAMPLE_MS));
    this.#lastSampleAt = now;
  }

  #decide(): HealthVerdict {
    const { probes, bounds } = this.#opts;
    // The sampler may not have run yet after a block: count the time since its last tick too.
    this.#sample();
    const inputs: HealthInputs = { now: this.#clock(), loopLagMs: this.#worstLag, databaseError: probes.database(), bus: probes.bus() };
    this.#worstLag = 0;
    return healthVerdict(inputs, bounds);
  }

  async #tick(): Promise<void> {
    const before = this.#verdict;
    const verdict = this.#decide();
    this.#verdict = verdict;
    if (verdict.healthy !== before.healthy) {
      if (verdict.healthy) this.#opts.log.info({}, 'healthy again: watchdog pings resume');
      else this.#opts.log.error({ problems: verdict.problems }, 'unhealthy: watchdog pings withheld, systemd restarts the agent unless it recovers');
    }
    const status = this.#status(verdict);
    const fields: Record<string, string> = {};
    if (verdict.healthy) fields['WATCHDOG'] = '1';
    if (status !== this.#lastStatus) fields['STATUS'] = status;
    // A ping still under way (a slow systemd) is enough: do not pile processes up.
    if (Object.keys(fields).length === 0 || this.#notify.busy) return;
    this.#lastStatus = status;
    if (await this.#notify.send(fields)) this.#pings += verdict.healthy ? 1 : 0;
  }

  #status(verdict: HealthVerdict): string {
    try {
      return statusText(verdict, this.#opts.probes.facts());
    } catch {
      return statusText(verdict, { busConnected: false, outboxPending: 0 });
    }
  }
}

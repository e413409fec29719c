import type { HeartbeatHealth } from '../../cloud/index.js';
import type { Logger } from '../../shared/logger.js';
import type { EventPayload } from '../../shared/events.js';
import * as store from '../../store/index.js';
import { readCrashRecord, removeCrashRecord, type CrashRecord } from './crash-record.js';

/** One RSS sample a minute, an hour of them: 60 numbers, nothing to notice. */
export const RSS_SAMPLE_MS = 60_000;
export const RSS_WINDOW_MS = 60 * 60_000;
const MB = 1024 * 1024;

/** At most this many screen crash reports become events per window; the rest are dropped (the screen's own bounds keep well under it). */
const MAX_SCREEN_REPORTS = 20;
const SCREEN_REPORT_WINDOW_MS = 10 * 60_000;

const STARTS_KEY = 'health.agent-starts';
const LAST_CRASH_KEY = 'health.last-agent-crash';
const LAST_SCREEN_CRASH_KEY = 'health.last-screen-crash';

export interface RssSample {
  at: number;
  mb: number;
}

/** The samples within `windowMs` of the newest, the new one included. */
export function keepRecent(samples: readonly RssSample[], sample: RssSample, windowMs: number): RssSample[] {
  return [...samples.filter((s) => sample.at - s.at < windowMs), sample];
}

/** Least-squares slope of RSS over time, MB per hour; null with fewer than 3 samples (a trend needs them). */
export function rssSlopeMbPerHour(samples: readonly RssSample[]): number | null {
  if (samples.length < 3) return null;
  const xs = samples.map((s) => s.at / 3_600_000);
  const mx = xs.reduce((a, x) => a + x, 0) / xs.length;
  const my = samples.reduce((a, s) => a + s.mb, 0) / samples.length;
  let num = 0;
  let den = 0;
  samples.forEach((s, i) => {
    num += (xs[i]! - mx) * (s.mb - my);
    den += (xs[i]! - mx) ** 2;
  });
  return den === 0 ? 0 : Math.round((num / den) * 100) / 100;
}

export interface LastCrash {
  at: number;
  what: string;
}

export interface WatchdogView {
  enabled: boolean;
  healthy: boolean;
  problems: string[];
}

/** What `status`, the heartbeat and the fleet link show of the agent's own health. */
export interface HealthSummary {
  startedAt: number;
  uptimeMs: number;
  /** Starts of the agent on this database, this one included. */
  starts: number;
  /** starts − 1: every start after the first is a restart (update, crash, watchdog, reboot). */
  restarts: number;
  lastAgentCrash: LastCrash | null;
  lastScreenCrash: LastCrash | null;
  rss: { nowMb: number; slopeMbPerHour: number | null; samples: RssSample[] };
  watchdog: WatchdogView;
}

export interface RuntimeHealthDeps {
  db: store.Db;
  dataDir: string;
  /** Where an event of this type goes (the agent's route table). */
  destinations: (type: 'agent.crashed' | 'screen.crashed') => readonly string[];
  eventQueued?: () => void;
  log: Logger;
  clock?: () => number;
  rss?: () => number;
}

/**
 * The agent's record of itself: how often it started, how it last crashed
 * (the crash record an earlier run left is turned into an `agent.crashed`
 * event here), the screen's last crash, and an hour of RSS samples.
 */
export class RuntimeHealth {
  readonly startedAt: number;
  readonly starts: number;
  readonly #deps: RuntimeHealthDeps;
  readonly #clock: () => number;
  readonly #rss: () => number;
  #samples: RssSample[] = [];
  #screenReports: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #watchdog: () => WatchdogView = () => ({ enabled: false, healthy: true, problems: [] });

  private constructor(deps: RuntimeHealthDeps, starts: number) {
    this.#deps = deps;
    this.#clock = deps.clock ?? Date.now;
    this.#rss = deps.rss ?? (() => process.memoryUsage.rss());
    this.startedAt = this.#clock();
    this.starts = starts;
  }

  /** Counts this start, reports a crash record left by the last run, starts the RSS sampler. */
  static start(deps: RuntimeHealthDeps): RuntimeHealth {
    const starts = Number(store.getSetting(deps.db, STARTS_KEY) ?? '0') + 1;
    store.setSetting(deps.db, STARTS_KEY, String(starts));
    const health = new RuntimeHealth(deps, starts);
    health.#reportCrashRecord();
    health.#sample();
    health.#timer = setInterval(() => health.#sample(), RSS_SAMPLE_MS);
    health.#timer.unref();
    return health;
  }

  /** The service watchdog's last verdict, when one runs (start.ts). */
  useWatchdog(view: () => WatchdogView): void {
    this.#watchdog = view;
  }

  /**
   * A crash the screen reported (the contract's `reportScreenCrash`): one
   * `screen.crashed` event and the last-crash line of `status`.
   */
  recordScreenCrash(report: Omit<EventPayload<'screen.crashed'>, 'at'>): boolean {
    const at = this.#clock();
    // The screen's side is the touchscreen's user: a crash loop (or a person at a shell) must not flood the outbox.
    this.#screenReports = this.#screenReports.filter((t) => at - t < SCREEN_REPORT_WINDOW_MS);
    if (this.#screenReports.length >= MAX_SCREEN_REPORTS) return false;
    this.#screenReports.push(at);
    const payload: EventPayload<'screen.crashed'> = { ...report, at };
    const { db } = this.#deps;
    store.inTransaction(db, () => {
      store.recordEvent(db, { type: 'screen.crashed', parcelId: null, compartmentId: null, payload, occurredAt: at }, this.#deps.destinations('screen.crashed'));
      store.setSetting(db, LAST_SCREEN_CRASH_KEY, JSON.stringify({ at, what: `${report.process} ${report.reason}${report.exitCode === null ? '' : ` (exit ${report.exitCode})`}; ${report.recovery}` }), at);
    });
    this.#deps.eventQueued?.();
    return true;
  }

  summary(): HealthSummary {
    const now = this.#clock();
    return {
      startedAt: this.startedAt,
      uptimeMs: now - this.startedAt,
      starts: this.starts,
      restarts: this.starts - 1,
      lastAgentCrash: this.#setting(LAST_CRASH_KEY),
      lastScreenCrash: this.#setting(LAST_SCREEN_CRASH_KEY),
      rss: { nowMb: round(this.#rss() / MB), slopeMbPerHour: rssSlopeMbPerHour(this.#samples), samples: [...this.#samples] },
      watchdog: this.#watchdog(),
    };
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sample(): void {
    this.#samples = keepRecent(this.#samples, { at: this.#clock(), mb: round(this.#rss() / MB) }, RSS_WINDOW_MS);
  }

  #setting(key: string): LastCrash | null {
    try {
      const raw = store.getSetting(this.#deps.db, key);
      return raw === undefined ? null : (JSON.parse(raw) as LastCrash);
    } catch {
      return null;
    }
  }

  /**
   * Idempotent: the event and the last-crash setting commit together, then
   * the file goes; a start that dies between the two sees the same `at` and
   * only removes the file.
   */
  #reportCrashRecord(): void {
    const { db, dataDir, log } = this.#deps;
    const crash = readCrashRecord(dataDir);
    if (!crash) return;
    if (this.#setting(LAST_CRASH_KEY)?.at !== crash.at) {
      const reportedAt = this.#clock();
      store.inTransaction(db, () => {
        const payload: EventPayload<'agent.crashed'> = { ...crash, reportedAt };
        store.recordEvent(db, { type: 'agent.crashed', parcelId: null, compartmentId: null, payload, occurredAt: crash.at }, this.#deps.destinations('agent.crashed'));
        store.setSetting(db, LAST_CRASH_KEY, JSON.stringify({ at: crash.at, what: describeCrash(crash) }), reportedAt);
      });
      this.#deps.eventQueued?.();
      log.error({ crash }, 'the last run of the agent crashed; reported as agent.crashed');
    }
    removeCrashRecord(dataDir);
  }
}

/** The heartbeat's cut of the summary (src/cloud/channel/command.ts heartbeatHealthSchema). */
export function heartbeatHealth(s: HealthSummary): HeartbeatHealth {
  return {
    uptimeMs: Math.max(0, Math.round(s.uptimeMs)),
    starts: s.starts,
    restarts: s.restarts,
    lastAgentCrash: s.lastAgentCrash,
    lastScreenCrash: s.lastScreenCrash,
    rssMb: s.rss.nowMb,
    rssSlopeMbPerHour: s.rss.slopeMbPerHour,
    watchdog: s.watchdog,
  };
}

export function describeCrash(c: CrashRecord): string {
  return `${c.origin}: ${c.name}: ${c.message} (pid ${c.pid}, version ${c.version})`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

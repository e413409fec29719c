/**
 * The cabinet's side of the fleet link (docs/fleet.md): the MQTT connection
 * and its events destination are built before the flows (the destination is
 * routed like a vendor's); once the flows exist, FleetAgent publishes state,
 * telemetry and alarms, and runs commands and jobs through the channel's
 * executor, verification and inbox dedupe, and applies desired configuration.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  alarmAckSchema,
  CommandProcessor,
  FleetDestination,
  FleetLink,
  verifyDesired,
  type AlarmPayload,
  type CommandResult,
  type FleetSettings,
  type FleetTls,
  type JobStatus,
  type OutboundEvent,
  type ReportedPayload,
  type RoutedDestination,
  type SettingValue,
} from '../../cloud/index.js';
import { DOMAIN_EVENT_TYPES } from '../../shared/events.js';
import type { Logger } from '../../shared/logger.js';
import * as store from '../../store/index.js';
import type { Alarms } from '../alarms.js';
import type { Config } from '../config/schema.js';
import type { Hardware } from '../hardware.js';
import type { Kiosk } from '../../core/kiosk.js';
import { agentCommandExecutor, CommandRefused } from './channel-executor.js';
import type { CloudLink } from './cloud-link.js';
import { FleetReporter } from './fleet-reporter.js';
import { resolveSettings, type RuntimeSettings } from './fleet-settings.js';
import { heartbeatFacts } from './channel-wiring.js';
import { StoreInbox } from './store-ports.js';
import type { HealthSummary } from '../health/runtime-health.js';
import { safeJson } from '../util/safe-json.js';

export interface FleetBuild {
  link: FleetLink;
  settings: FleetSettings;
  routed: RoutedDestination;
  /** Set by FleetAgent: every event the broker acknowledged. */
  delivered: { listener: (event: OutboundEvent) => void };
}

/** The link and its destination when `cloud.fleet` is configured; null otherwise. Throws FleetError / a file error for settings that cannot work. */
export function buildFleet(config: Config, logger: Logger): FleetBuild | null {
  const settings = config.cloud.fleet;
  if (settings === undefined) return null;
  const link = new FleetLink(settings, { clientId: settings.clientId ?? config.cabinet.id, thing: settings.thingName ?? config.cabinet.id }, readTls(settings, config.source), { logger });
  const delivered = { listener: (_event: OutboundEvent): void => undefined };
  const destination = new FleetDestination(settings.name, link, (event) => delivered.listener(event));
  return { link, settings, delivered, routed: { destination, eventTypes: DOMAIN_EVENT_TYPES } };
}

/** PEM files named relative to the configuration file (the embedded defaults: the working directory). */
function readTls(s: FleetSettings, source: string): FleetTls {
  const base = isAbsolute(source) ? dirname(source) : process.cwd();
  const read = (p: string | undefined): Buffer | undefined => (p === undefined ? undefined : readFileSync(isAbsolute(p) ? p : resolve(base, p)));
  const tls: FleetTls = {};
  const ca = read(s.ca);
  const cert = read(s.cert);
  const key = read(s.key);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  return tls;
}

export interface FleetAgentParts {
  config: Config;
  db: store.Db;
  hardware: Hardware;
  kiosk: Kiosk;
  cloud: CloudLink;
  alarms: Alarms;
  quickCheck: { ok: boolean; detail: string[] };
  /** The agent's health summary for the state snapshot (src/main/health/runtime-health.ts). */
  health?: () => HealthSummary;
  log: Logger;
}

/** The settings key of the applied desired configuration (survives a restart). */
const APPLIED_KEY = 'fleet.config.applied';

/** The runtime half: state, telemetry, alarms, commands, jobs, configuration. */
export class FleetAgent {
  readonly #link: FleetLink;
  readonly #settings: FleetSettings;
  readonly #parts: FleetAgentParts;
  readonly #log: Logger;
  readonly #processor: CommandProcessor;
  readonly #reporter: FleetReporter;
  readonly #booted: RuntimeSettings;
  #runtime: RuntimeSettings;
  #configVersion = 0;
  #overrides: Record<string, SettingValue> = {};
  #lastOutcome: ReportedPayload['last'] = null;
  #offState: (() => void) | null = null;

  constructor(build: FleetBuild, parts: FleetAgentParts) {
    this.#link = build.link;
    this.#settings = build.settings;
    this.#parts = parts;
    this.#log = parts.log.child({ module: 'main/fleet' });
    const s = build.settings;
    this.#booted = { 'fleet.heartbeatMs': s.heartbeatMs, 'fleet.stateDebounceMs': s.stateDebounceMs, 'fleet.alarmRepeatMs': s.alarmRepeatMs };
    this.#runtime = { ...this.#booted };
    this.#restoreApplied();
    const facts = () => heartbeatFacts(parts);
    this.#processor = new CommandProcessor(
      { secret: s.secret, replayWindowMs: s.replayWindowMs, maxQueued: s.maxQueued },
      {
        inbox: new StoreInbox(parts.db),
        executor: agentCommandExecutor(parts, { facts, setConfig: (settings) => this.#setConfig(settings), log: this.#log }),
        now: Date.now,
        logger: parts.log.child({ module: 'cloud/fleet' }),
      },
    );
    this.#reporter = new FleetReporter(this.#link, { ...parts, runtime: () => this.#runtime, configView: () => ({ version: this.#configVersion, settings: this.#runtime }), log: this.#log });
    const reporter = this.#reporter;
    build.delivered.listener = (event) => {
      if (event.type === 'keypad.locked-out') reporter.lockout(event.payload.lockedUntil, `${event.payload.failures} wrong codes (${event.payload.source})`);
      reporter.markDirty(); // the outbox depth changed
    };
  }

  start(): void {
    const link = this.#link;
    link.on('commands', (payload) => this.#processor.submit(payload.toString('utf8'), (result) => this.#publishResult(result)));
    link.on('jobs', (payload) => this.#onJob(payload.toString('utf8')));
    link.on('desired', (payload) => void this.#onDesired(payload));
    link.on('alarmAck', (payload) => {
      const ack = alarmAckSchema.safeParse(safeJson(payload));
      if (ack.success) this.#reporter.ack(ack.data.id);
    });
    this.#offState = link.onStateChange((state) => {
      if (state !== 'connected') return;
      // Back on the broker: events go now rather than after the drainer's back-off.
      this.#parts.cloud.resumeDestination(this.#settings.name);
      void this.#publishReported();
      this.#reporter.connected();
    });
    this.#reporter.start();
    link.start();
  }

  async stop(): Promise<void> {
    this.#offState?.();
    this.#reporter.stop();
    this.#processor.close();
    await this.#processor.idle();
    await this.#link.stop();
  }

  #publishResult(result: CommandResult): void {
    this.#link.publish(this.#link.topics.results, JSON.stringify(result), { qos: 1 }).catch((err: unknown) => this.#log.warn({ err: errText(err), commandId: result.id }, 'command result not published; a redelivery gets the stored one'));
  }

  #onJob(text: string): void {
    const raw = safeJson(text) as { id?: unknown } | undefined;
    const id = typeof raw?.id === 'string' ? raw.id : null;
    const status = (s: Omit<JobStatus, 'at'>): void => {
      this.#link.publish(this.#link.topics.jobStatus, JSON.stringify({ ...s, at: Date.now() }), { qos: 1 }).catch((err: unknown) => this.#log.warn({ err: errText(err), jobId: id }, 'job status not published'));
    };
    status({ id, state: 'in-progress' });
    this.#processor.submit(text, (result) => status({ id: result.id, state: result.ok ? 'succeeded' : 'failed', result }));
  }

  async #onDesired(payload: Buffer): Promise<void> {
    if (payload.length === 0) return; // the retained document was cleared
    const verdict = verifyDesired(payload, this.#link.thing, this.#settings.secret);
    if (!verdict.ok) {
      this.#log.warn({ code: verdict.code, reason: verdict.message }, 'desired configuration refused');
      return;
    }
    const { version, settings } = verdict.desired;
    // The retained document comes again at every connect: a version already handled is not applied twice.
    if (version <= Math.max(this.#configVersion, this.#lastOutcome?.version ?? 0)) return;
    await this.#apply(version, settings);
  }

  /** The set-config command/job: the current overrides with `patch` on top, as the next version. */
  async #setConfig(patch: Record<string, SettingValue>): Promise<unknown> {
    const version = Math.max(this.#configVersion, this.#lastOutcome?.version ?? 0) + 1;
    const outcome = await this.#apply(version, { ...this.#overrides, ...patch });
    if (outcome.outcome !== 'applied') throw new CommandRefused(outcome.error?.code ?? 'bad-config', outcome.error?.message ?? 'not applied');
    return { version, settings: this.#runtime };
  }

  /**
   * Validates the whole document, applies it at once, checks the link still
   * works with it, and reports. A document that fails validation changes
   * nothing (`rejected`); one that fails the check is undone (`rolled-back`).
   */
  async #apply(version: number, desired: Record<string, SettingValue>): Promise<NonNullable<ReportedPayload['last']>> {
    const verdict = resolveSettings(this.#booted, desired);
    let outcome: NonNullable<ReportedPayload['last']>;
    if (!verdict.ok) {
      outcome = { version, outcome: 'rejected', error: { code: 'bad-setting', key: verdict.key, message: verdict.message } };
    } else {
      const before = { runtime: this.#runtime, overrides: this.#overrides, version: this.#configVersion };
      this.#runtime = verdict.settings;
      this.#overrides = { ...desired };
      this.#configVersion = version;
      this.#reporter.reconfigure();
      const problem = await this.#healthCheck();
      if (problem === null) {
        try {
          store.setSetting(this.#parts.db, APPLIED_KEY, JSON.stringify({ version, settings: desired }));
          outcome = { version, outcome: 'applied' };
        } catch (err) {
          outcome = { version, outcome: 'rolled-back', error: { code: 'not-stored', message: `could not be stored: ${errText(err)}` } };
        }
      } else {
        outcome = { version, outcome: 'rolled-back', error: { code: 'health-check', message: problem } };
      }
      if (outcome.outcome !== 'applied') {
        this.#runtime = before.runtime;
        this.#overrides = before.overrides;
        this.#configVersion = before.version;
        this.#reporter.reconfigure();
      }
    }
    this.#lastOutcome = outcome;
    this.#log[outcome.outcome === 'applied' ? 'info' : 'warn']({ version, outcome: outcome.outcome, error: outcome.error }, 'desired configuration handled');
    await this.#publishReported();
    this.#reporter.markDirty();
    return outcome;
  }

  /** After applying: the broker still takes a QoS 1 message from us (the settings must never cut the operator off). */
  async #healthCheck(): Promise<string | null> {
    if (this.#link.state() !== 'connected') return null; // offline: nothing to prove; the next connect reports
    try {
      await this.#link.publish(this.#link.topics.telemetry, JSON.stringify({ type: 'config-check', at: Date.now(), version: this.#configVersion }), { qos: 1, signal: AbortSignal.timeout(10_000) });
      return null;
    } catch (err) {
      return `the broker did not acknowledge a message under the new settings: ${errText(err)}`;
    }
  }

  async #publishReported(): Promise<void> {
    const report: ReportedPayload = { version: this.#configVersion, settings: this.#runtime, last: this.#lastOutcome, at: Date.now() };
    await this.#link.publish(this.#link.topics.reported, JSON.stringify(report), { qos: 1, retain: true }).catch((err: unknown) => this.#log.warn({ err: errText(err) }, 'reported configuration not published; sent again at the next connect'));
  }

  #restoreApplied(): void {
    const raw = store.getSetting(this.#parts.db, APPLIED_KEY);
    if (raw === undefined) return;
    const parsed = safeJson(raw) as { version?: unknown; settings?: unknown } | undefined;
    if (typeof parsed?.version !== 'number' || typeof parsed.settings !== 'object' || parsed.settings === null) return;
    const verdict = resolveSettings(this.#booted, parsed.settings as Record<string, SettingValue>);
    if (!verdict.ok) {
      this.#log.warn({ key: verdict.key, reason: verdict.message }, 'stored fleet configuration no longer valid; booted settings in force');
      return;
    }
    this.#runtime = verdict.settings;
    this.#overrides = parsed.settings as Record<string, SettingValue>;
    this.#configVersion = parsed.version;
  }
}

export type { AlarmPayload };

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

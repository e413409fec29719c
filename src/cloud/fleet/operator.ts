/**
 * The operator's side of the fleet link (docs/fleet.md §7): reads the
 * retained state of every cabinet, sends signed commands and desired
 * configuration, follows and acknowledges alarms. Used by `cabinet-kiosk
 * fleet` and the bench; it talks to the broker, never to an agent.
 */
import { randomUUID } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { signCommand, commandResultSchema, type CommandResult } from '../channel/command.js';
import type { FleetTls } from './config.js';
import { FleetError } from './errors.js';
import { noDelay } from './link.js';
import { connectMqtt } from './mqtt-client.js';
import {
  alarmPayloadSchema,
  fleetTopics,
  fleetWildcard,
  reportedPayloadSchema,
  signDesired,
  statePayloadSchema,
  statusPayloadSchema,
  thingOf,
  desiredPayloadSchema,
  type AlarmPayload,
  type ReportedPayload,
  type SettingValue,
  type StatePayload,
  type StatusPayload,
} from './topics.js';

export interface OperatorSettings {
  url: string;
  topicPrefix: string;
  /** As the cabinets' `topicLeafPrefix`; default none. */
  topicLeafPrefix?: string | undefined;
  /** The command key of every cabinet, unless `secrets` names one for it. */
  secret?: string | undefined;
  secrets?: Record<string, string> | undefined;
  username?: string | undefined;
  password?: string | undefined;
  tls?: FleetTls;
  /** Default a random `operator-…` id with a clean session. */
  clientId?: string | undefined;
  protocolVersion?: 4 | 5;
}

/** One cabinet as `fleet status` lists it. */
export interface CabinetRow {
  thing: string;
  online: boolean | null;
  statusAt: number | null;
  state: StatePayload | null;
}

export class FleetOperator {
  readonly #client: MqttClient;
  readonly #settings: OperatorSettings;
  readonly #listeners = new Set<(topic: string, payload: Buffer) => void>();
  readonly #subscribed = new Set<string>();

  private constructor(client: MqttClient, settings: OperatorSettings) {
    this.#client = client;
    this.#settings = settings;
    client.on('message', (topic, payload) => {
      for (const l of [...this.#listeners]) l(topic, payload);
    });
  }

  static async connect(settings: OperatorSettings, timeoutMs = 15_000): Promise<FleetOperator> {
    const tls = settings.tls ?? {};
    const options: IClientOptions = {
      clientId: settings.clientId ?? `operator-${randomUUID()}`,
      clean: true,
      protocolVersion: settings.protocolVersion ?? 4,
      connectTimeout: timeoutMs,
      reconnectPeriod: 1000,
      ...(settings.username === undefined ? {} : { username: settings.username }),
      ...(settings.password === undefined ? {} : { password: settings.password }),
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key }),
    };
    const client = await connectMqtt(settings.url, options);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new FleetError('timeout', `no connection to ${settings.url} within ${timeoutMs} ms`)), timeoutMs);
        client.once('connect', () => (clearTimeout(timer), resolve()));
        client.once('error', (err) => (clearTimeout(timer), reject(err)));
      });
    } catch (err) {
      client.end(true);
      throw err;
    }
    client.on('error', () => undefined);
    noDelay(client);
    client.on('connect', () => noDelay(client));
    return new FleetOperator(client, settings);
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }

  /**
   * Every cabinet's retained `status` and `state`. Complete when a probe
   * message published after the subscription comes back (a broker delivers a
   * subscription's retained messages before later ones to the same client);
   * brokers without that order fall back to `settleMs` of quiet.
   */
  async snapshot(options: { timeoutMs?: number; settleMs?: number } = {}): Promise<CabinetRow[]> {
    const prefix = this.#settings.topicPrefix;
    const rows = new Map<string, CabinetRow>();
    const row = (thing: string): CabinetRow => {
      let r = rows.get(thing);
      if (r === undefined) rows.set(thing, (r = { thing, online: null, statusAt: null, state: null }));
      return r;
    };
    const mid = this.#settings.topicLeafPrefix ?? '';
    await this.#collect([fleetWildcard(prefix, 'status', mid), fleetWildcard(prefix, 'state', mid)], options, (topic, payload) => {
      const at = thingOf(prefix, topic, mid);
      if (at === null || payload.length === 0) return;
      const parsed = parseJson(payload);
      if (at.leaf === 'status') {
        const s = statusPayloadSchema.safeParse(parsed);
        if (s.success) Object.assign(row(at.thing), { online: s.data.online, statusAt: s.data.at });
      } else if (at.leaf === 'state') {
        const s = statePayloadSchema.safeParse(parsed);
        if (s.success) row(at.thing).state = s.data;
      }
    });
    return [...rows.values()].sort((a, b) => a.thing.localeCompare(b.thing));
  }

  /** Signs `type`/`args` with the cabinet's key, publishes it on its `commands` (or `jobs`) topic and waits for its result. */
  async command(thing: string, type: string, args: Record<string, unknown>, options: { timeoutMs?: number; via?: 'commands' | 'jobs'; id?: string } = {}): Promise<CommandResult> {
    const topics = fleetTopics(this.#settings.topicPrefix, thing, this.#settings.topicLeafPrefix ?? '');
    const signed = signCommand({ id: options.id ?? randomUUID(), type, args, issuedAt: Date.now() }, this.#secretFor(thing));
    const via = options.via ?? 'commands';
    const resultTopic = via === 'jobs' ? topics.jobStatus : topics.results;
    await this.#subscribe(resultTopic);
    const answer = this.#await(
      (topic, payload) => {
        if (topic !== resultTopic) return undefined;
        const parsed = parseJson(payload);
        if (via === 'jobs') {
          const job = parsed as { id?: unknown; state?: unknown; result?: unknown };
          if (job.id !== signed.id || job.state === 'in-progress') return undefined;
          const r = commandResultSchema.safeParse(job.result);
          return r.success ? r.data : undefined;
        }
        const r = commandResultSchema.safeParse(parsed);
        return r.success && r.data.id === signed.id ? r.data : undefined;
      },
      options.timeoutMs ?? 15_000,
      `no result for ${type} ${signed.id} from ${thing}`,
    );
    await this.#client.publishAsync(via === 'jobs' ? topics.jobs : topics.commands, JSON.stringify(signed), { qos: 1 });
    return answer;
  }

  /** Merges `patch` into the cabinet's desired configuration, publishes it (retained, signed) and waits for the report of that version. */
  async setConfig(thing: string, patch: Record<string, SettingValue>, options: { timeoutMs?: number } = {}): Promise<ReportedPayload> {
    const topics = fleetTopics(this.#settings.topicPrefix, thing, this.#settings.topicLeafPrefix ?? '');
    // The patch goes on top of what the cabinet runs (its report), not on a desired document it may have rejected.
    let desired: Record<string, SettingValue> = {};
    let inForce: Record<string, SettingValue> | null = null;
    let version = 0;
    await this.#collect([topics.desired, topics.reported], { settleMs: 500 }, (topic, payload) => {
      const parsed = parseJson(payload);
      if (topic === topics.desired) {
        const d = desiredPayloadSchema.safeParse(parsed);
        if (d.success) ((desired = d.data.settings), (version = Math.max(version, d.data.version)));
      } else {
        const r = reportedPayloadSchema.safeParse(parsed);
        if (r.success) {
          version = Math.max(version, r.data.version, r.data.last?.version ?? 0);
          inForce = Object.fromEntries(Object.entries(r.data.settings).filter((e): e is [string, SettingValue] => ['string', 'number', 'boolean'].includes(typeof e[1])));
        }
      }
    });
    const next = version + 1;
    const doc = signDesired(thing, next, { ...(inForce ?? desired), ...patch }, this.#secretFor(thing));
    await this.#subscribe(topics.reported);
    const report = this.#await(
      (topic, payload) => {
        if (topic !== topics.reported) return undefined;
        const r = reportedPayloadSchema.safeParse(parseJson(payload));
        return r.success && r.data.last?.version === next ? r.data : undefined;
      },
      options.timeoutMs ?? 15_000,
      `no report of configuration version ${next} from ${thing}`,
    );
    await this.#client.publishAsync(topics.desired, JSON.stringify(doc), { qos: 1, retain: true });
    try {
      return await report;
    } finally {
      // A broker does not send the retained report again to a subscription it already has: the next call subscribes afresh.
      this.#subscribed.delete(topics.reported);
      await this.#client.unsubscribeAsync(topics.reported).catch(() => undefined);
    }
  }

  /** Calls `onAlarm` for every alarm message of every cabinet (repeats included); acknowledges each when `ack`. */
  async followAlarms(onAlarm: (thing: string, alarm: AlarmPayload) => void, options: { ack?: boolean } = {}): Promise<() => void> {
    const prefix = this.#settings.topicPrefix;
    const mid = this.#settings.topicLeafPrefix ?? '';
    const listener = (topic: string, payload: Buffer): void => {
      const at = thingOf(prefix, topic, mid);
      if (at?.leaf !== 'alarms') return;
      const alarm = alarmPayloadSchema.safeParse(parseJson(payload));
      if (!alarm.success) return;
      onAlarm(at.thing, alarm.data);
      if (options.ack) void this.ackAlarm(at.thing, alarm.data.id).catch(() => undefined);
    };
    this.#listeners.add(listener);
    await this.#subscribe(fleetWildcard(prefix, 'alarms', mid));
    return () => this.#listeners.delete(listener);
  }

  async ackAlarm(thing: string, id: string): Promise<void> {
    await this.#client.publishAsync(fleetTopics(this.#settings.topicPrefix, thing, this.#settings.topicLeafPrefix ?? '').alarmAck, JSON.stringify({ id }), { qos: 1 });
  }

  /** Raw access for the bench's subscribers. */
  get client(): MqttClient {
    return this.#client;
  }

  #secretFor(thing: string): string {
    const secret = this.#settings.secrets?.[thing] ?? this.#settings.secret;
    if (secret === undefined) throw new FleetError('stopped', `no command key for ${thing}: set secret (or secrets.${thing}) in the operator settings`);
    return secret;
  }

  async #subscribe(topic: string): Promise<void> {
    if (this.#subscribed.has(topic)) return;
    await this.#client.subscribeAsync(topic, { qos: 1 });
    this.#subscribed.add(topic);
  }

  /** Subscribes to `topics` plus a probe topic, hands every message to `onMessage` until the probe returns (or `settleMs` of quiet), then unsubscribes. */
  async #collect(topics: string[], options: { timeoutMs?: number; settleMs?: number }, onMessage: (topic: string, payload: Buffer) => void): Promise<void> {
    const probe = `${this.#settings.topicPrefix}/~probe/${randomUUID()}`;
    const settleMs = options.settleMs ?? 3000;
    const timeoutMs = options.timeoutMs ?? 30_000;
    let quiet: ReturnType<typeof setTimeout> | undefined;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const arm = (): void => {
      if (quiet !== undefined) clearTimeout(quiet);
      quiet = setTimeout(finish, settleMs);
    };
    const hard = setTimeout(finish, timeoutMs);
    const listener = (topic: string, payload: Buffer): void => {
      if (topic === probe) return finish();
      if (!topics.some((t) => matches(t, topic))) return;
      onMessage(topic, payload);
      arm();
    };
    this.#listeners.add(listener);
    try {
      await this.#client.subscribeAsync([...topics, probe], { qos: 1 });
      arm();
      await this.#client.publishAsync(probe, '', { qos: 1 });
      await done;
    } finally {
      clearTimeout(hard);
      if (quiet !== undefined) clearTimeout(quiet);
      this.#listeners.delete(listener);
      await this.#client.unsubscribeAsync([...topics.filter((t) => !this.#subscribed.has(t)), probe]).catch(() => undefined);
    }
  }

  #await<T>(match: (topic: string, payload: Buffer) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new FleetError('timeout', `${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (topic: string, payload: Buffer): void => {
        const value = match(topic, payload);
        if (value === undefined) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(value);
      };
      this.#listeners.add(listener);
    });
  }
}

export type { StatusPayload };

/** MQTT topic filter match (`+` one level, `#` the rest). */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

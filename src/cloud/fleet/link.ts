/**
 * The cabinet's one MQTT connection (docs/fleet.md §1): a
 * persistent session under a stable client id, QoS 1, a retained last will
 * that marks the cabinet offline, a retained online message on every
 * connect, and a reconnect with full jitter that never gives up. I/O only:
 * what is published is decided by src/main.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { retryDelayMs } from '../sync/backoff.js';
import type { FleetSettings, FleetTls } from './config.js';
import { FleetError } from './errors.js';
import { connectMqtt } from './mqtt-client.js';
import { deepestTopicLevels, fleetTopics, type FleetLeaf, type FleetTopics, type StatusPayload } from './topics.js';

export type FleetLinkState = 'connecting' | 'connected' | 'offline';

export interface FleetLinkDeps {
  logger?: Logger;
  now?: () => number;
  random?: () => number;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  /** Ends the wait for the PUBACK (the packet may still go out: at least once). */
  signal?: AbortSignal;
}

/** A connection that stayed up this long resets the reconnect backoff. */
const STABLE_AFTER_MS = 10_000;
/** Full jitter can draw 0: never redial in a tight loop. */
const MIN_REDIAL_MS = 100;
/** The leaves the cabinet subscribes to. */
const INBOUND: readonly FleetLeaf[] = ['commands', 'desired', 'jobs', 'alarmAck'];

export class FleetLink {
  readonly topics: FleetTopics;
  readonly clientId: string;
  /** The cabinet's level in every topic. */
  readonly thing: string;
  readonly #settings: FleetSettings;
  readonly #tls: FleetTls;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #handlers = new Map<FleetLeaf, (payload: Buffer) => void>();
  readonly #stateListeners = new Set<(state: FleetLinkState) => void>();
  readonly #connectWaiters = new Set<() => void>();
  #client: MqttClient | null = null;
  #state: FleetLinkState = 'offline';
  #failures = 0;
  #connectedAt = 0;
  #redial: ReturnType<typeof setTimeout> | null = null;
  #stopping = false;
  /** Between start() and the client's creation (mqtt.js loads on first use). */
  #dialling = false;
  #inflight = 0;
  readonly #slotWaiters: Array<() => void> = [];
  #lastError: string | null = null;
  #nextPublishAt = 0;

  constructor(settings: FleetSettings, ids: { clientId: string; thing: string }, tls: FleetTls = {}, deps: FleetLinkDeps = {}) {
    const levels = deepestTopicLevels(settings.topicPrefix, settings.topicLeafPrefix);
    if (levels > settings.limits.maxTopicLevels) {
      throw new FleetError('topic-too-deep', `cloud.fleet.topicPrefix makes topics of ${levels} levels; limits.maxTopicLevels is ${settings.limits.maxTopicLevels}`);
    }
    this.#settings = settings;
    this.#tls = tls;
    this.clientId = ids.clientId;
    this.thing = ids.thing;
    this.topics = fleetTopics(settings.topicPrefix, ids.thing, settings.topicLeafPrefix);
    this.#log = (deps.logger ?? silentLogger).child({ module: 'cloud/fleet' });
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /** Dials now; reconnects by itself until stop(). */
  start(): void {
    if (this.#client !== null || this.#dialling) return;
    this.#stopping = false;
    const s = this.#settings;
    const options: IClientOptions = {
      clientId: this.clientId,
      clean: false,
      protocolVersion: s.protocolVersion,
      keepalive: s.keepaliveS,
      connectTimeout: s.connectTimeoutMs,
      // Ours, with jitter (a fleet that lost its broker together must not come back in lock-step).
      reconnectPeriod: 0,
      // A QoS 0 telemetry line from before a disconnect is stale by the time it could go.
      queueQoSZero: false,
      will: this.#will(),
      ...(s.username === undefined ? {} : { username: s.username }),
      ...(s.password === undefined ? {} : { password: s.password }),
      ...(this.#tls.ca === undefined ? {} : { ca: this.#tls.ca }),
      ...(this.#tls.cert === undefined ? {} : { cert: this.#tls.cert }),
      ...(this.#tls.key === undefined ? {} : { key: this.#tls.key }),
      // Secure by default: mqtts:// checks the broker's certificate and name.
      rejectUnauthorized: true,
    };
    this.#setState('connecting');
    this.#dialling = true;
    void connectMqtt(s.url, options).then(
      (client) => {
        this.#dialling = false;
        if (!this.#stopping) return this.#attach(client);
        // stop() came while mqtt.js was loading.
        client.end(true);
        this.#setState('offline');
      },
      (err: unknown) => {
        this.#dialling = false;
        this.#lastError = err instanceof Error ? err.message : String(err);
        this.#log.error({ err: this.#lastError }, 'fleet: the MQTT client could not be loaded');
        this.#setState('offline');
      },
    );
  }

  #attach(client: MqttClient): void {
    this.#client = client;
    client.on('connect', (connack) => void this.#onConnect(client, connack.sessionPresent));
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    client.on('error', (err) => {
      this.#lastError = err.message;
      this.#log.warn({ err: err.message, code: (err as { code?: unknown }).code }, 'fleet broker connection error');
    });
    client.on('close', () => this.#onClose(client));
  }

  /** Publishes `offline` (reason stopped, retained) when connected, then disconnects. The session stays on the broker. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#redial !== null) clearTimeout(this.#redial);
    this.#redial = null;
    const client = this.#client;
    this.#client = null;
    if (client === null) return;
    if (client.connected) {
      const offline: StatusPayload = { online: false, at: this.#now(), reason: 'stopped' };
      await withTimeout(client.publishAsync(this.topics.status, JSON.stringify(offline), { qos: 1, retain: true }), 2000).catch(() => undefined);
    }
    await withTimeout(client.endAsync(), 3000).catch(() => client.end(true));
    for (const w of this.#slotWaiters.splice(0)) w();
    this.#setState('offline');
  }

  /** QoS 1 publishes that may await their PUBACK at once (`limits.maxInflight`). */
  get maxInflight(): number {
    return this.#settings.limits.maxInflight;
  }

  state(): FleetLinkState {
    return this.#state;
  }

  lastError(): string | null {
    return this.#lastError;
  }

  onStateChange(listener: (state: FleetLinkState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** The handler of one inbound leaf (commands, desired, jobs, alarm acks); one each. */
  on(leaf: FleetLeaf, handler: (payload: Buffer) => void): void {
    this.#handlers.set(leaf, handler);
  }

  /** Resolves once connected (at once if so); rejects with the signal's reason. */
  waitConnected(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.#connectWaiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#connectWaiters.delete(done);
        reject(signal?.reason instanceof Error ? signal.reason : new FleetError('not-acknowledged', 'aborted while waiting for the broker'));
      };
      if (signal?.aborted) return onAbort();
      this.#connectWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Publishes and, for QoS 1, resolves on the broker's PUBACK. Refuses a
   * payload over `limits.maxPayloadBytes`; waits for a free slot under
   * `limits.maxInflight`. Rejects when the signal aborts first (the packet may
   * still reach the broker: at least once).
   */
  async publish(topic: string, payload: string, options: PublishOptions): Promise<void> {
    const client = this.#client;
    if (client === null || this.#stopping) throw new FleetError('stopped', 'the fleet link is stopped');
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > this.#settings.limits.maxPayloadBytes) {
      throw new FleetError('payload-too-large', `${bytes} bytes on ${topic}; limits.maxPayloadBytes is ${this.#settings.limits.maxPayloadBytes}`, { bytes });
    }
    if (options.qos === 0) {
      if (client.connected) client.publish(topic, payload, { qos: 0, retain: options.retain ?? false });
      return;
    }
    await this.#slot(options.signal);
    try {
      await this.#pace(options.signal);
      const sent = client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
      await (options.signal === undefined ? sent : raceAbort(sent, options.signal));
    } finally {
      this.#release();
    }
  }

  #will(): NonNullable<IClientOptions['will']> {
    const will: StatusPayload = { online: false, at: this.#now(), reason: 'last-will' };
    return { topic: this.topics.status, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true };
  }

  async #onConnect(client: MqttClient, sessionPresent: boolean): Promise<void> {
    noDelay(client);
    this.#connectedAt = this.#now();
    this.#lastError = null;
    this.#log.info({ url: redactUrl(this.#settings.url), clientId: this.clientId, sessionPresent }, 'fleet broker connected');
    try {
      // Subscribed before anything is announced: an operator who sees `online` can send at once.
      await client.subscribeAsync(INBOUND.map((leaf) => this.topics[leaf]), { qos: 1 });
      const online: StatusPayload = { online: true, at: this.#now(), reason: 'connected' };
      await client.publishAsync(this.topics.status, JSON.stringify(online), { qos: 1, retain: true });
    } catch (err) {
      this.#log.warn({ err: errorText(err) }, 'fleet subscribe/online failed; the connection will be redialled');
      return;
    }
    if (client !== this.#client) return;
    this.#setState('connected');
    for (const w of [...this.#connectWaiters]) w();
  }

  #onClose(client: MqttClient): void {
    if (client !== this.#client || this.#stopping) return;
    if (this.#state === 'connected' && this.#now() - this.#connectedAt >= STABLE_AFTER_MS) this.#failures = 0;
    const delay = Math.max(MIN_REDIAL_MS, retryDelayMs(this.#failures, { baseMs: this.#settings.reconnectBaseMs, capMs: this.#settings.reconnectCapMs }, this.#random));
    this.#failures += 1;
    this.#setState('offline');
    this.#log.info({ retryInMs: delay, failures: this.#failures, lastError: this.#lastError }, 'fleet broker connection closed; redialling');
    if (this.#redial !== null) clearTimeout(this.#redial);
    this.#redial = setTimeout(() => {
      this.#redial = null;
      if (this.#stopping || client !== this.#client) return;
      // A fresh will per connect: its `at` says which connection it buried.
      client.options.will = this.#will();
      this.#setState('connecting');
      client.reconnect();
    }, delay);
  }

  #onMessage(topic: string, payload: Buffer): void {
    const leaf = INBOUND.find((l) => this.topics[l] === topic);
    const handler = leaf === undefined ? undefined : this.#handlers.get(leaf);
    if (handler === undefined) return;
    try {
      handler(payload);
    } catch (err) {
      this.#log.error({ err: errorText(err), leaf }, 'fleet message handler threw');
    }
  }

  #setState(state: FleetLinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) {
      try {
        listener(state);
      } catch (err) {
        this.#log.error({ err: errorText(err) }, 'fleet state listener threw');
      }
    }
  }

  async #slot(signal?: AbortSignal): Promise<void> {
    while (this.#inflight >= this.#settings.limits.maxInflight) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new FleetError('not-acknowledged', 'aborted');
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
      if (this.#stopping) throw new FleetError('stopped', 'the fleet link is stopped');
    }
    this.#inflight += 1;
  }

  /** Spaces QoS 1 publishes to `maxPublishPerSecond` (a broker's per-connection rate limit). */
  async #pace(signal?: AbortSignal): Promise<void> {
    const rate = this.#settings.maxPublishPerSecond;
    if (rate === 0) return;
    const now = this.#now();
    const at = Math.max(now, this.#nextPublishAt);
    this.#nextPublishAt = at + 1000 / rate;
    if (at > now) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, at - now);
        signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason instanceof Error ? signal.reason : new FleetError('not-acknowledged', 'aborted'))), { once: true });
      });
    }
  }

  #release(): void {
    this.#inflight -= 1;
    this.#slotWaiters.shift()?.();
  }
}


function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new FleetError('not-acknowledged', 'aborted before the PUBACK'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new FleetError('timeout', `no answer within ${ms} ms`)), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * Nagle off on the connection (mqtt.js leaves it on): a command's result and
 * a PUBACK are small writes that otherwise wait for the peer's delayed ACK.
 */
export function noDelay(client: MqttClient): void {
  const stream = client.stream as unknown as { setNoDelay?: (on: boolean) => unknown };
  stream.setNoDelay?.(true);
}

/** The URL without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

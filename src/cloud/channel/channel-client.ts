/**
 * The command channel: a WebSocket the cabinet dials out to the operator's
 * cloud (cabinets sit behind NAT), kept up with backoff and ping/pong, that
 * carries signed commands in and results and heartbeats out (README.md here).
 */
import { WebSocket, type RawData } from 'ws';
import { type Logger, silentLogger } from '../../shared/logger.js';
import type { InboxPort } from '../sync/ports.js';
import { retryDelayMs } from '../sync/backoff.js';
import { DEFAULT_REPLAY_WINDOW_MS, heartbeatSchema, type CommandResult, type Heartbeat, type HeartbeatFacts } from './command.js';
import { CommandProcessor, type ChannelCommandExecutor } from './command-processor.js';
import { ChannelError } from './errors.js';

/** For the screen: `connected` (open and answering pings), `connecting` (dialling), `offline` (waiting to redial, or stopped). */
export type ChannelState = 'connected' | 'connecting' | 'offline';

export interface CommandChannelOptions {
  /** ws:// or wss:// endpoint. Only its host is ever logged (a query may carry a token). */
  url: string;
  /** Device token, sent as `Authorization: Bearer <token>` on the upgrade. Never logged. */
  token: string;
  /** HMAC key of the commands (its UTF-8 bytes). Never logged. */
  secret: string;
  /** Commands issued further than this from our clock, either way, are refused `stale`. Default 5 min. */
  replayWindowMs?: number;
  /** Heartbeat period; one is also sent right after each connect. Default 60 000 ms. */
  heartbeatMs?: number;
  /** A ping goes out this long after the connect and after each pong. Default 30 000 ms. */
  pingIntervalMs?: number;
  /** No pong within this after a ping: the connection is dead, drop it and redial. Default 10 000 ms. */
  pongTimeoutMs?: number;
  /** Opening handshake limit (TCP + TLS + upgrade). Default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /** First redial delay ceiling; doubles per failure, full jitter. Default 1000 ms. */
  backoffBaseMs?: number;
  /** Longest redial delay. Default 60 000 ms. */
  backoffCapMs?: number;
  /** A connection that stayed up this long resets the backoff. Default 30 000 ms. */
  stableAfterMs?: number;
  /** Largest message accepted; a bigger one closes the connection (1009). Default 64 KiB. */
  maxMessageBytes?: number;
  /** Commands waiting to run beyond this are answered `busy`. Default 100. */
  maxQueued?: number;
}

export interface ChannelTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CommandChannelDeps {
  inbox: InboxPort;
  executor: ChannelCommandExecutor;
  /** The heartbeat's facts, read when one is due. A throw skips that heartbeat (logged). */
  heartbeatFacts: () => HeartbeatFacts | Promise<HeartbeatFacts>;
  logger?: Logger;
  /** Default Date.now: the replay window, `receivedAt`, heartbeat `at`, the stable-connection check. */
  now?: () => number;
  /** Default Math.random: the backoff jitter. */
  random?: () => number;
  /** Default the global setTimeout/clearTimeout. */
  timers?: ChannelTimers;
}

export const CHANNEL_DEFAULTS = {
  replayWindowMs: DEFAULT_REPLAY_WINDOW_MS,
  heartbeatMs: 60_000,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  backoffBaseMs: 1000,
  backoffCapMs: 60_000,
  stableAfterMs: 30_000,
  maxMessageBytes: 64 * 1024,
  maxQueued: 100,
} as const satisfies Required<Omit<CommandChannelOptions, 'url' | 'token' | 'secret'>>;

type Settings = { -readonly [K in keyof typeof CHANNEL_DEFAULTS]: number };

/** A graceful close gets this long before the socket is cut. */
const CLOSE_GRACE_MS = 2000;
const GOING_AWAY = 1001;

const globalTimers: ChannelTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Connection {
  socket: WebSocket;
  openedAt: number | null;
  pingTimer: unknown;
  pongTimer: unknown;
  heartbeatTimer: unknown;
}

/**
 * One channel per agent. `start()` dials; `stop()` closes and waits for the
 * command in hand. Never throws after the constructor: every failure is a
 * redial with backoff, logged.
 */
export class CommandChannel {
  readonly #url: URL;
  readonly #token: string;
  readonly #settings: Settings;
  readonly #processor: CommandProcessor;
  readonly #heartbeatFacts: CommandChannelDeps['heartbeatFacts'];
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #timers: ChannelTimers;
  readonly #listeners = new Set<(state: ChannelState) => void>();

  #state: ChannelState = 'offline';
  #started = false;
  #stopped = false;
  #connection: Connection | null = null;
  #redialTimer: unknown = null;
  #failures = 0;
  #lastError: string | null = null;
  #stopping: Promise<void> | null = null;

  /** Throws ChannelError (`bad-url`, `bad-token`, `bad-secret`, `bad-option`). */
  constructor(options: CommandChannelOptions, deps: CommandChannelDeps) {
    this.#url = channelUrl(options.url);
    if (options.token.length === 0 || !/^[\x21-\x7e]+$/.test(options.token)) {
      throw new ChannelError('bad-token', 'the channel device token must be non-empty printable ASCII without spaces');
    }
    if (options.secret.length === 0) throw new ChannelError('bad-secret', 'the channel command secret is empty');
    this.#token = options.token;
    this.#settings = settings(options);
    this.#log = (deps.logger ?? silentLogger).child({ module: 'cloud/channel' });
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    this.#timers = deps.timers ?? globalTimers;
    this.#heartbeatFacts = deps.heartbeatFacts;
    this.#processor = new CommandProcessor(
      { secret: options.secret, replayWindowMs: this.#settings.replayWindowMs, maxQueued: this.#settings.maxQueued },
      { inbox: deps.inbox, executor: deps.executor, now: this.#now, logger: this.#log },
    );
  }

  /** Dials now. A second call does nothing; after stop() neither does this. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#dial();
  }

  state(): ChannelState {
    return this.#state;
  }

  /** Why the last connection failed or ended (e.g. `Unexpected server response: 401`); null after a clean connect. */
  lastError(): string | null {
    return this.#lastError;
  }

  /** Calls `listener` on every change of state(); returns the unsubscribe. */
  onStateChange(listener: (state: ChannelState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Closes the connection (1001 going away), aborts the running command's
   * signal, drops what is queued (unrecorded: the cloud resends it) and
   * resolves once the command in hand has stored its result.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<void> {
    this.#stopped = true;
    if (this.#redialTimer !== null) this.#timers.clearTimeout(this.#redialTimer);
    this.#redialTimer = null;
    this.#processor.close();
    const connection = this.#connection;
    if (connection !== null) await this.#close(connection);
    await this.#processor.idle();
    this.#setState('offline');
  }

  #dial(): void {
    this.#redialTimer = null;
    if (this.#stopped) return;
    this.#setState('connecting');
    this.#log.debug({ host: this.#url.host, failures: this.#failures }, 'channel dialling');
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url, {
        headers: { authorization: `Bearer ${this.#token}` },
        handshakeTimeout: this.#settings.handshakeTimeoutMs,
        maxPayload: this.#settings.maxMessageBytes,
        // A redirect would carry the token to wherever it points.
        followRedirects: false,
        perMessageDeflate: false,
      });
    } catch (err) {
      // The URL was checked in the constructor; this is a ws refusal we did not foresee. Keep trying, loudly.
      this.#lastError = err instanceof Error ? err.message : 'cannot dial';
      this.#log.error({ host: this.#url.host, error: this.#lastError }, 'channel cannot dial');
      this.#redial(null);
      return;
    }
    const connection: Connection = { socket, openedAt: null, pingTimer: null, pongTimer: null, heartbeatTimer: null };
    this.#connection = connection;

    socket.on('open', () => this.#opened(connection));
    socket.on('message', (data) => this.#received(data));
    socket.on('pong', () => this.#ponged(connection));
    // ws emits 'close' after every 'error', handshake failures included: the redial happens there.
    socket.on('error', (err) => {
      this.#lastError = err.message;
    });
    socket.on('close', (code, reason) => this.#closed(connection, code, reason.toString('utf8')));
  }

  #opened(connection: Connection): void {
    connection.openedAt = this.#now();
    this.#lastError = null;
    this.#log.info({ host: this.#url.host }, 'channel connected');
    this.#setState('connected');
    this.#schedulePing(connection);
    void this.#heartbeat(connection);
  }

  #received(data: RawData): void {
    if (this.#stopped) return;
    const text = rawText(data);
    this.#processor.submit(text, (result) => this.#answer(result));
  }

  /** On the connection that is up now: a command that arrived before a reconnect is answered on the new one. */
  #answer(result: CommandResult): void {
    if (!this.#send(result)) this.#log.warn({ commandId: result.id }, 'channel result not sent: offline (stored; a redelivery gets it)');
  }

  #send(message: CommandResult | Heartbeat): boolean {
    const socket = this.#connection?.socket;
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  #schedulePing(connection: Connection): void {
    connection.pingTimer = this.#timers.setTimeout(() => {
      connection.pingTimer = null;
      if (connection.socket.readyState !== WebSocket.OPEN) return;
      connection.socket.ping();
      connection.pongTimer = this.#timers.setTimeout(() => {
        connection.pongTimer = null;
        this.#lastError = `no pong within ${this.#settings.pongTimeoutMs} ms`;
        this.#log.warn({ host: this.#url.host, pongTimeoutMs: this.#settings.pongTimeoutMs }, 'channel dead: no pong; dropping it');
        // terminate, not close: a dead peer would never finish the closing handshake.
        connection.socket.terminate();
      }, this.#settings.pongTimeoutMs);
    }, this.#settings.pingIntervalMs);
  }

  #ponged(connection: Connection): void {
    if (connection.pongTimer === null) return;
    this.#timers.clearTimeout(connection.pongTimer);
    connection.pongTimer = null;
    this.#schedulePing(connection);
  }

  async #heartbeat(connection: Connection): Promise<void> {
    connection.heartbeatTimer = null;
    if (this.#connection !== connection || connection.socket.readyState !== WebSocket.OPEN) return;
    try {
      const facts = await this.#heartbeatFacts();
      // Checked like everything else crossing a boundary: the cloud never gets a heartbeat its schema refuses.
      const heartbeat = heartbeatSchema.safeParse({ ...facts, type: 'heartbeat', at: this.#now() });
      if (heartbeat.success) this.#send(heartbeat.data);
      else this.#log.error({ issues: heartbeat.error.issues.map((i) => i.path.join('.')) }, 'channel heartbeat skipped: its facts do not fit the schema');
    } catch (err) {
      this.#log.warn({ err: err instanceof Error ? err.message : typeof err }, 'channel heartbeat skipped: its facts could not be read');
    }
    if (this.#connection !== connection || connection.socket.readyState !== WebSocket.OPEN) return;
    connection.heartbeatTimer = this.#timers.setTimeout(() => void this.#heartbeat(connection), this.#settings.heartbeatMs);
  }

  #closed(connection: Connection, code: number, reason: string): void {
    this.#clearTimers(connection);
    if (this.#connection === connection) this.#connection = null;
    if (this.#stopped) return;
    const upMs = connection.openedAt === null ? null : this.#now() - connection.openedAt;
    if (upMs !== null && upMs >= this.#settings.stableAfterMs) this.#failures = 0;
    if (connection.openedAt !== null && this.#lastError === null) this.#lastError = `closed by the server (${code}${reason ? ` ${reason.slice(0, 120)}` : ''})`;
    this.#redial({ code, upMs });
  }

  #redial(context: { code: number; upMs: number | null } | null): void {
    const delay = retryDelayMs(this.#failures, { baseMs: this.#settings.backoffBaseMs, capMs: this.#settings.backoffCapMs }, this.#random);
    this.#failures++;
    this.#log.warn({ host: this.#url.host, ...context, error: this.#lastError, redialInMs: delay }, 'channel down; redialling');
    this.#setState('offline');
    this.#redialTimer = this.#timers.setTimeout(() => this.#dial(), delay);
  }

  async #close(connection: Connection): Promise<void> {
    this.#clearTimers(connection);
    const socket = connection.socket;
    if (socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (socket.readyState === WebSocket.OPEN) {
      socket.close(GOING_AWAY, 'agent stopping');
      const cut = this.#timers.setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      await closed;
      this.#timers.clearTimeout(cut);
    } else {
      socket.terminate();
      await closed;
    }
  }

  #clearTimers(connection: Connection): void {
    for (const key of ['pingTimer', 'pongTimer', 'heartbeatTimer'] as const) {
      if (connection[key] !== null) this.#timers.clearTimeout(connection[key]);
      connection[key] = null;
    }
  }

  #setState(state: ChannelState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch (err) {
        this.#log.error({ err: err instanceof Error ? err.message : typeof err }, 'channel state listener threw');
      }
    }
  }
}

function channelUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ChannelError('bad-url', 'the channel url is not a URL');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ChannelError('bad-url', `the channel url must be ws:// or wss://, not ${url.protocol}`);
  return url;
}

function settings(options: CommandChannelOptions): Settings {
  const out = { ...CHANNEL_DEFAULTS } as Settings;
  for (const key of Object.keys(CHANNEL_DEFAULTS) as Array<keyof Settings>) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) throw new ChannelError('bad-option', `channel option ${key} must be a positive integer`, { option: key });
    out[key] = value;
  }
  return out;
}

/** Text and binary frames alike, as UTF-8: verifyCommand refuses whatever is not a command. */
function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

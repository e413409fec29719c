import { EventEmitter } from 'node:events';
import type { Logger } from '../../shared/logger.js';
import { DriverError } from '../errors.js';
import { classifyPortError, portFactory, type PortFactory, type PortStream, type SerialSettings } from './port-opener.js';

export interface PortFault {
  code: 'port-permission' | 'port-open-failed';
  path: string;
  message: string;
}

export interface ReconnectingPortEvents {
  data: [chunk: Buffer];
  connected: [info: { path: string; reconnect: boolean }];
  disconnected: [info: { path: string; reason: string }];
  fault: [fault: PortFault];
}

export interface ReconnectOptions {
  /** First wait before looking for the adapter again. Default 250 ms. */
  initialDelayMs?: number;
  /** Backoff cap. Default 5000 ms. */
  maxDelayMs?: number;
  /** Retry period after "permission denied": slow, but never given up (§G.3). Default 10 000 ms. */
  permissionRetryMs?: number;
}

const DEFAULTS: Required<ReconnectOptions> = { initialDelayMs: 250, maxDelayMs: 5000, permissionRetryMs: 10_000 };

/**
 * One long-lived serial port that survives USB unplugs (§G.5): on `close`
 * with `disconnected`, or an ENOENT/ENXIO/EIO/EBADF error, it reports
 * `disconnected`, polls for the path with bounded backoff, reopens and
 * reports `connected` (reconnect: true). `start()` never throws because the
 * adapter is missing: it keeps trying in the background.
 */
export class ReconnectingPort extends EventEmitter<ReconnectingPortEvents> {
  readonly #factory: PortFactory;
  readonly #opts: Required<ReconnectOptions>;
  #stream: PortStream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #closed = false;
  #everConnected = false;
  #lastFault = '';
  reconnects = 0;

  constructor(
    readonly settings: SerialSettings,
    private readonly log: Logger,
    opts: ReconnectOptions & { factory?: PortFactory } = {},
  ) {
    super();
    this.#factory = opts.factory ?? portFactory(settings.binding);
    this.#opts = { ...DEFAULTS, ...opts };
  }

  get path(): string {
    return this.settings.path;
  }

  get connected(): boolean {
    return this.#stream?.isOpen === true;
  }

  /** The open stream, for tests and diagnostics (e.g. the mock binding behind it). */
  get stream(): PortStream | undefined {
    return this.#stream;
  }

  /** Opens once; on failure schedules background retries. Resolves true when open. */
  async start(): Promise<boolean> {
    await this.#tryOpen();
    return this.connected;
  }

  write(data: Buffer): Promise<void> {
    const stream = this.#stream;
    if (!stream?.isOpen) return Promise.reject(new DriverError('not-connected', `serial port ${this.path} is not open`, { path: this.path }));
    return new Promise((resolve, reject) => {
      stream.write(data, (err) => (err ? reject(this.#gone(err)) : undefined));
      stream.drain((err) => (err ? reject(this.#gone(err)) : resolve()));
    });
  }

  /** Discards unread input and unsent output (tcflush); errors are ignored. */
  flush(): Promise<void> {
    const stream = this.#stream;
    if (!stream?.isOpen) return Promise.resolve();
    return new Promise((resolve) => stream.flush(() => resolve()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream?.isOpen) await new Promise<void>((resolve) => stream.close(() => resolve()));
  }

  #gone(err: Error): DriverError {
    return new DriverError('port-gone', `serial port ${this.path} failed: ${err.message}`, { path: this.path }, { cause: err });
  }

  async #tryOpen(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#everConnected && !(await this.#factory.exists(this.path))) return this.#retryLater('gone');
      const stream = await this.#factory.open(this.settings);
      if (this.#closed) return void stream.close();
      this.#attach(stream);
    } catch (err) {
      this.#onOpenFailed(err);
    }
  }

  #attach(stream: PortStream): void {
    this.#stream = stream;
    const reconnect = this.#everConnected;
    this.#everConnected = true;
    this.#attempt = 0;
    this.#lastFault = '';
    if (reconnect) this.reconnects++;
    stream.on('data', (chunk: Buffer) => this.emit('data', chunk));
    stream.on('error', (err: Error) => {
      this.log.warn({ err, path: this.path }, 'serial port error');
      if (classifyPortError(err) === 'gone' && stream.isOpen) stream.close();
    });
    stream.on('close', (err: Error | null) => this.#onClose(stream, err));
    this.log.info({ path: this.path, reconnect }, 'serial port open');
    this.emit('connected', { path: this.path, reconnect });
  }

  #onClose(stream: PortStream, err: Error | null): void {
    if (this.#stream !== stream) return; // our own close()
    this.#stream = undefined;
    const reason = err?.message ?? 'port closed';
    this.log.warn({ path: this.path, reason }, 'serial port disconnected');
    this.emit('disconnected', { path: this.path, reason });
    this.#retryLater('gone');
  }

  #onOpenFailed(err: unknown): void {
    const kind = classifyPortError(err);
    const message = err instanceof Error ? err.message : String(err);
    if (!this.#everConnected && this.#attempt === 0) this.emit('disconnected', { path: this.path, reason: message });
    if (kind === 'permission') {
      // §G.3: not a transient fault; say so every time, keep trying slowly.
      this.log.error({ path: this.path, err }, 'no permission to open the serial port (add the service user to "dialout")');
      this.emit('fault', { code: 'port-permission', path: this.path, message });
    } else if (kind !== 'gone' && message !== this.#lastFault) {
      this.log.warn({ path: this.path, err }, 'serial port open failed');
      this.emit('fault', { code: 'port-open-failed', path: this.path, message });
    }
    this.#lastFault = message;
    this.#retryLater(kind);
  }

  #retryLater(kind: ReturnType<typeof classifyPortError>): void {
    if (this.#closed) return;
    const { initialDelayMs, maxDelayMs, permissionRetryMs } = this.#opts;
    const delay = kind === 'permission' ? permissionRetryMs : Math.min(maxDelayMs, initialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tryOpen(), delay);
    this.#timer.unref();
  }
}

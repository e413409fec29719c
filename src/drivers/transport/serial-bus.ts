import { performance } from 'node:perf_hooks';
import type { Logger } from '../../shared/logger.js';
import { toHex, type FrameCodec, type FrameErrorCode } from '../codec.js';
import { DriverError, describeTarget } from '../errors.js';
import { FrameLog, type FrameLogEntry } from './frame-log.js';
import { ReplyReader, type ReaderHooks, type ReaderStatus } from './reply-reader.js';
import { TurnQueue, type TurnPriority } from './turn-queue.js';

/** Timeouts and retry counts (docs/architecture.md, style rule 4). docs/lock-boards.md §A.7, §E.2. */
export const REPLY_TIMEOUT_MS = 1500;
export const OPEN_ALL_TIMEOUT_MS = 10_000;
/** Fallback end-of-reply silence, only for variable-length replies (§A.7: Open-Locker's 25 ms). */
export const QUIET_MS = 25;
export const READ_RETRIES = 2;
/** After a timeout or bad frame: the line must be silent this long before the next request (§A.8.6). */
export const SETTLE_QUIET_MS = 50;
export const SETTLE_MAX_MS = 500;

/** The narrow port the bus drives (a ReconnectingPort in production). */
export interface BusPort {
  readonly connected: boolean;
  write(data: Buffer): Promise<void>;
  flush(): Promise<void>;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'disconnected', listener: (info: { reason: string }) => void): unknown;
}

export interface SerialBusOptions {
  baudRate: number;
  /** Bits per character incl. start/parity/stop; default 10 (8N1). */
  bitsPerChar?: number;
  /** The RS-485 adapter echoes what it sends: drop it (§A.8.1). Default false. */
  echo?: boolean;
  /** Default 1500 ms. */
  replyTimeoutMs?: number;
  /** Default 10 000 ms; at least that (§A.5: the board pulses one lock after another). */
  openAllTimeoutMs?: number;
  /** Default 25 ms. */
  quietMs?: number;
  /** Extra attempts for reads (never for opens). Default 2. */
  readRetries?: number;
  /** Default 50. */
  frameLogSize?: number;
}

export interface BusRequest<F> {
  tx: Buffer;
  codec: FrameCodec<F>;
  /** The reply for this request: address + command. Other valid frames are dropped. */
  matches(frame: F): boolean;
  what: { board: number; lock?: number; cmd: string };
  /** `read`s retry (bounded); `command`s are sent exactly once. */
  kind: 'read' | 'command';
  priority?: TurnPriority;
  timeout?: 'reply' | 'open-all' | number;
  /** `optional`: no reply within the timeout resolves `null` (docs/lock-boards.md §B.5 UNKNOWN unlock reply). */
  reply?: 'required' | 'optional';
}

export interface BusStats {
  requests: number;
  timeouts: number;
  retries: number;
  badFrames: number;
  garbageBytes: number;
  unsolicitedBytes: number;
  echoesStripped: number;
  foreignFrames: number;
}

interface Attempt {
  finish(result: { frame: unknown } | { error: DriverError }): void;
  push(chunk: Buffer): void;
}

/**
 * One RS-485 bus: exactly one request in flight (§A.7, §E.1). The reply is
 * taken the moment a whole valid matching frame is in; quiet time is waited for
 * only for variable-length replies. After a timeout or a bad frame the line is
 * allowed to go quiet and is flushed, so a late reply is never mistaken for
 * the next answer (§A.8.6). ≥ 3.5 character times + 1 ms separate transactions.
 */
export class SerialBus {
  readonly stats: BusStats = { requests: 0, timeouts: 0, retries: 0, badFrames: 0, garbageBytes: 0, unsolicitedBytes: 0, echoesStripped: 0, foreignFrames: 0 };
  readonly #turns = new TurnQueue();
  readonly #log: FrameLog;
  readonly #opts: Required<SerialBusOptions>;
  readonly #gapMs: number;
  #active: Attempt | undefined;
  #settling: (() => void) | undefined;
  #lastActivity = -Infinity;

  constructor(
    private readonly port: BusPort,
    options: SerialBusOptions,
    private readonly logger: Logger,
  ) {
    this.#opts = {
      bitsPerChar: 10, echo: false, replyTimeoutMs: REPLY_TIMEOUT_MS, openAllTimeoutMs: OPEN_ALL_TIMEOUT_MS, quietMs: QUIET_MS,
      readRetries: READ_RETRIES, frameLogSize: 50, ...options,
    };
    this.#log = new FrameLog(this.#opts.frameLogSize);
    // Modbus rule Open-Locker applies to every board: ceil(3.5 chars + 1 ms) (§A.7, §C.3).
    this.#gapMs = Math.ceil((3.5 * this.#opts.bitsPerChar * 1000) / this.#opts.baudRate + 1);
    port.on('data', (chunk) => this.#onData(chunk));
    port.on('disconnected', ({ reason }) => this.#active?.finish({ error: new DriverError('port-gone', `serial port lost: ${reason}`) }));
  }

  get options(): Readonly<Required<SerialBusOptions>> {
    return this.#opts;
  }

  /** Minimum silence between transactions, ms. */
  get gapMs(): number {
    return this.#gapMs;
  }

  frames(): FrameLogEntry[] {
    return this.#log.entries();
  }

  /**
   * Sends one request and resolves with its reply frame (or `null` for an
   * optional reply that did not come). Rejects with `reply-timeout`,
   * `bad-checksum`/`bad-frame` (a reply came but was corrupt), `port-gone`,
   * `not-connected` or `bus-closed`. Reads are retried `readRetries` times,
   * each attempt queued afresh so a command can go in between.
   */
  async request<F>(req: BusRequest<F>): Promise<F | null> {
    const retries = req.kind === 'read' ? this.#opts.readRetries : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(req);
      } catch (err) {
        const retryable = err instanceof DriverError && ['reply-timeout', 'bad-checksum', 'bad-frame'].includes(err.code);
        if (!retryable || attempt >= retries) throw err;
        this.stats.retries++;
        this.logger.debug({ ...req.what, attempt: attempt + 1, code: err.code }, 'retrying read');
      }
    }
  }

  /** Refuses queued requests; the one in flight finishes or times out. */
  /** Keeps polls off the bus for `ms`: a command is coming (see TurnQueue.holdPolls). */
  holdPolls(ms: number): void {
    this.#turns.holdPolls(performance.now() + ms);
  }

  close(): void {
    this.#turns.close();
  }

  async #once<F>(req: BusRequest<F>): Promise<F | null> {
    const release = await this.#turns.acquire(req.priority ?? 'command');
    let failed = true;
    try {
      if (!this.port.connected) throw new DriverError('not-connected', `serial port not connected; cannot ${describeTarget(req.what)}`, { ...req.what });
      await this.#waitGap();
      const frame = await this.#transact(req);
      // An optional reply that did not come may still be on its way: settle as after a timeout.
      failed = frame === null;
      return frame;
    } finally {
      if (failed && this.port.connected) void this.#settle().finally(release);
      else release();
    }
  }

  async #waitGap(): Promise<void> {
    // Timers run on a millisecond clock and may fire a fraction early: re-check.
    for (let wait = this.#gapMs - (performance.now() - this.#lastActivity); wait > 0; wait = this.#gapMs - (performance.now() - this.#lastActivity)) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    }
  }

  #transact<F>(req: BusRequest<F>): Promise<F | null> {
    this.stats.requests++;
    const timeoutMs = typeof req.timeout === 'number' ? req.timeout : req.timeout === 'open-all' ? this.#opts.openAllTimeoutMs : this.#opts.replyTimeoutMs;
    return new Promise<F | null>((resolve, reject) => {
      let replyTimer: NodeJS.Timeout | undefined;
      let quietTimer: NodeJS.Timeout | undefined;
      const reader = new ReplyReader(req.codec, req.matches, this.#hooks(req), this.#opts.echo ? req.tx : null);
      const attempt: Attempt = {
        finish: (result) => {
          if (this.#active !== attempt) return;
          this.#active = undefined;
          clearTimeout(replyTimer);
          clearTimeout(quietTimer);
          if ('error' in result) reject(result.error);
          else resolve(result.frame as F | null);
        },
        push: (chunk) => {
          clearTimeout(quietTimer);
          const status = reader.push(chunk);
          if (status.kind === 'done') return attempt.finish({ frame: status.frame });
          const wait = this.#quietWait(status, reader);
          if (wait > 0) quietTimer = setTimeout(() => this.#onQuiet(req, reader, attempt), wait);
        },
      };
      const onTimeout = () => {
        if (req.reply === 'optional' && !reader.lastError) return attempt.finish({ frame: null });
        attempt.finish({ error: this.#timeoutError(req, reader, timeoutMs) });
      };
      // The matcher is in place before the first byte leaves (docs/architecture.md, style rule 4).
      this.#active = attempt;
      replyTimer = setTimeout(onTimeout, timeoutMs);
      this.#log.add('tx', req.tx);
      if (this.logger.isLevelEnabled?.('debug')) this.logger.debug({ ...req.what, hex: toHex(req.tx) }, 'tx');
      this.port.write(req.tx).then(
        () => {
          this.#lastActivity = performance.now();
          // Counted from when the bytes left, not from when they were queued.
          if (this.#active === attempt) {
            clearTimeout(replyTimer);
            replyTimer = setTimeout(onTimeout, timeoutMs);
          }
        },
        (err: unknown) => attempt.finish({ error: err instanceof DriverError ? err : new DriverError('port-gone', String(err), { ...req.what }, { cause: err }) }),
      );
    });
  }

  /** How long silence must last before acting on the reader's state; 0 = keep waiting for the timeout. */
  #quietWait<F>(status: ReaderStatus<F>, reader: ReplyReader<F>): number {
    if (status.kind === 'tentative') return this.#opts.quietMs;
    // A corrupt reply: fail fast once the line is quiet instead of sitting out the whole timeout.
    if (reader.lastError) return this.#opts.quietMs;
    // Half a frame and then silence: USB adapters burst, so allow a few quiet periods (§A.7).
    if (status.kind === 'partial') return this.#opts.quietMs * 4;
    return 0;
  }

  #onQuiet<F>(req: BusRequest<F>, reader: ReplyReader<F>, attempt: Attempt): void {
    const frame = reader.finishOnQuiet();
    if (frame !== undefined) return attempt.finish({ frame });
    const code: FrameErrorCode = reader.lastError?.code ?? 'bad-frame';
    const detail = reader.lastError?.detail ?? 'incomplete frame, then silence';
    attempt.finish({ error: new DriverError(code, `corrupt reply from ${describeTarget(req.what)}: ${detail}`, { ...req.what }) });
  }

  #timeoutError<F>(req: BusRequest<F>, reader: ReplyReader<F>, ms: number): DriverError {
    if (reader.lastError) {
      return new DriverError(reader.lastError.code, `corrupt reply from ${describeTarget(req.what)}: ${reader.lastError.detail}`, { ...req.what, ms });
    }
    this.stats.timeouts++;
    return new DriverError('reply-timeout', `no reply from ${describeTarget(req.what)} within ${ms} ms`, { ...req.what, ms });
  }

  #hooks<F>(req: BusRequest<F>): ReaderHooks {
    const dump = (dir: string, bytes: Uint8Array, note?: string) => {
      if (this.logger.isLevelEnabled?.('debug')) this.logger.debug({ ...req.what, hex: toHex(bytes), note }, dir);
    };
    return {
      garbage: (bytes) => {
        this.stats.garbageBytes += bytes.length;
        this.#log.add('rx', bytes, false, 'garbage');
        dump('rx garbage', bytes);
      },
      badFrame: (code, bytes, detail) => {
        this.stats.badFrames++;
        this.#log.add('rx', bytes, false, code);
        dump('rx bad frame', bytes, detail);
      },
      echo: (bytes) => {
        this.stats.echoesStripped++;
        this.#log.add('rx', bytes, true, 'echo');
      },
      foreign: (bytes) => {
        this.stats.foreignFrames++;
        this.#log.add('rx', bytes, false, 'not the awaited reply');
        dump('rx foreign', bytes);
      },
      reply: (bytes) => {
        this.#log.add('rx', bytes);
        dump('rx', bytes);
      },
    };
  }

  #onData(chunk: Buffer): void {
    this.#lastActivity = performance.now();
    if (this.#active) return this.#active.push(chunk);
    // Between transactions nothing is expected: late replies, push frames, noise.
    this.stats.unsolicitedBytes += chunk.length;
    this.#log.add('rx', chunk, false, 'unsolicited');
    if (this.logger.isLevelEnabled?.('debug')) this.logger.debug({ hex: toHex(chunk) }, 'rx unsolicited');
    this.#settling?.();
  }

  /** Waits for SETTLE_QUIET_MS of silence (at most SETTLE_MAX_MS), then flushes. */
  #settle(): Promise<void> {
    return new Promise<void>((resolve) => {
      let quiet: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(quiet);
        clearTimeout(cap);
        this.#settling = undefined;
        void this.port.flush().then(resolve);
      };
      const restart = () => {
        clearTimeout(quiet);
        quiet = setTimeout(done, SETTLE_QUIET_MS);
      };
      const cap = setTimeout(done, SETTLE_MAX_MS);
      this.#settling = restart;
      restart();
    });
  }
}

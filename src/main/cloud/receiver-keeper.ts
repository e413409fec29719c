import { type ReceiverAddress, retryDelayMs } from '../../cloud/index.js';
import type { Logger } from '../../shared/logger.js';

/** The part of the alarm registry (src/main/alarms.ts) the keeper raises and clears. */
export interface ReceiverAlarm {
  raise(code: 'receiver-down', detail: string | null): void;
  clear(code: 'receiver-down'): void;
}

/** What the keeper drives: src/cloud/receiver/server.ts `CallbackReceiver`. */
export interface Bindable {
  start(): Promise<ReceiverAddress>;
  stop(): Promise<void>;
}

export interface ReceiverKeeperOptions {
  alarm: ReceiverAlarm;
  log: Logger;
  /** Full-jitter backoff between bind attempts: uniform in [0, min(capMs, baseMs · 2^n)). */
  retryBaseMs: number;
  retryCapMs: number;
  /** Called each time the receiver listens (its base URL). */
  onListening?: (address: ReceiverAddress) => void;
  random?: () => number;
}

/**
 * Keeps the vendor callback receiver listening without ever holding up the
 * agent: a taken port (another process, a previous agent's socket in
 * TIME_WAIT, an address not configured yet) raises `receiver-down` and the
 * bind is retried in the background, forever, with bounded jittered backoff.
 * Pickups never depend on it; vendors redeliver callbacks that found no one
 * listening, so nothing is lost while it is down, only delayed.
 */
export class ReceiverKeeper {
  readonly #receiver: Bindable;
  readonly #opts: ReceiverKeeperOptions;
  #timer: NodeJS.Timeout | null = null;
  #attempt: Promise<void> | null = null;
  #failures = 0;
  #stopped = false;
  #address: ReceiverAddress | null = null;

  constructor(receiver: Bindable, opts: ReceiverKeeperOptions) {
    this.#receiver = receiver;
    this.#opts = opts;
  }

  /** Tries to bind once and resolves either way; a failure schedules the next try. Never throws. */
  start(): Promise<void> {
    return this.#try();
  }

  /** Where it listens, or null while it is down. */
  get address(): ReceiverAddress | null {
    return this.#address;
  }

  /** Cancels a pending retry, waits for an attempt in flight, stops listening. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#attempt;
    await this.#receiver.stop();
  }

  #try(): Promise<void> {
    this.#attempt = this.#receiver.start().then(
      (address) => this.#up(address),
      (err: unknown) => this.#down(err),
    );
    return this.#attempt;
  }

  #up(address: ReceiverAddress): void {
    this.#address = address;
    if (this.#failures > 0) this.#opts.log.info({ url: address.url, failedAttempts: this.#failures }, 'callback receiver bound after retrying');
    this.#failures = 0;
    this.#opts.alarm.clear('receiver-down');
    this.#opts.onListening?.(address);
  }

  #down(err: unknown): void {
    const detail = err instanceof Error ? err.message : String(err);
    const delayMs = retryDelayMs(this.#failures, { baseMs: this.#opts.retryBaseMs, capMs: this.#opts.retryCapMs }, this.#opts.random);
    // First failure at warn; the repeats only at debug, the alarm says it is still down.
    this.#opts.log[this.#failures === 0 ? 'warn' : 'debug']({ error: detail, retryInMs: delayMs }, 'callback receiver cannot listen; vendor callbacks wait for their redelivery, pickups are not affected');
    this.#failures++;
    this.#opts.alarm.raise('receiver-down', detail);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopped) void this.#try();
    }, delayMs);
    // An in-process CLI command must not stay alive for a retry.
    this.#timer.unref();
  }
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Epoch ms; default `Date.now`. */
  now?(): number;
}

/**
 * One re-armable timeout: `arm` sets what fires and when, every `touch`
 * (a tap or a key anywhere) starts the wait again, `disarm` stops it.
 */
export class IdleTimer {
  #handle: unknown = null;
  #afterMs = 0;
  #onIdle: (() => void) | null = null;
  #deadline: number | null = null;
  readonly #timers: Timers;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  arm(afterMs: number, onIdle: () => void): void {
    this.#afterMs = afterMs;
    this.#onIdle = onIdle;
    this.#restart();
  }

  touch(): void {
    if (this.#onIdle) this.#restart();
  }

  disarm(): void {
    this.#clear();
    this.#onIdle = null;
  }

  get armed(): boolean {
    return this.#onIdle !== null;
  }

  /** When it fires (epoch ms), or null while disarmed: what the visible countdown shows. */
  get deadline(): number | null {
    return this.#deadline;
  }

  /** The full wait of the current arming (for the countdown's window). */
  get afterMs(): number {
    return this.#afterMs;
  }

  #restart(): void {
    this.#clear();
    const onIdle = this.#onIdle;
    if (!onIdle) return;
    this.#deadline = (this.#timers.now?.() ?? Date.now()) + this.#afterMs;
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = null;
      this.#onIdle = null;
      this.#deadline = null;
      onIdle();
    }, this.#afterMs);
  }

  #clear(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
    this.#deadline = null;
  }
}

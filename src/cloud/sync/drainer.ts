import { assertNever } from '../../shared/domain.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { OutboundEvent } from '../common/outbound-event.js';
import { DEFAULT_BASE_MS, nextRetryDelayMs, type BackoffOptions } from './backoff.js';
import { classifyError } from './classify.js';
import type { DeliverableRow, DeliveryOutcome, Destination, DestinationHealth, OutboxPort } from './ports.js';

/** The timer functions the drainer sleeps with; injectable so a test can drive time. */
export interface SyncTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: SyncTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface DrainerOptions {
  /** Rows read per `nextDeliverable` call: the most the drainer ever holds. Default 100. */
  pageSize?: number;
  /**
   * Longest idle sleep before looking again. The drainer knows when rows it
   * failed itself fall due; rows made due by anything else (a retry after a
   * restart, `retryDead`) are found by this poll. Default 5000 ms.
   */
  pollMs?: number;
  /** One attempt's limit; its signal then aborts with a `TimeoutError`. Default 10 000 ms. */
  attemptTimeoutMs?: number;
  /** Retry delays: full jitter, default base 1 s, cap 15 min. */
  backoff?: BackoffOptions;
  /**
   * Retry outcomes in a row (across parcels) after which the destination
   * counts as offline: the drainer stops walking the page and backs off as a
   * whole, instead of spending one attempt (and one write) on every parcel of
   * a backlog against a dead endpoint. Any answer that is not a retry resets
   * it, so one stuck parcel never trips it. Default 3.
   */
  offlineAfterFailures?: number;
  /** Default silentLogger. */
  logger?: Logger;
  /** Default Date.now. */
  now?: () => number;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** Default the real setTimeout/clearTimeout. */
  timers?: SyncTimers;
}

export type HealthListener = (health: DestinationHealth) => void;

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_POLL_MS = 5000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
const DEFAULT_OFFLINE_AFTER = 3;

/** What one attempt came to; `stopped` = aborted by stop(), the row is left as it was. */
type AttemptResult = DeliveryOutcome | { kind: 'stopped' };

/**
 * Drains one destination's outbox rows: oldest first per parcel, with
 * backoff, pause on bad credentials, and dead-lettering; one attempt at a
 * time, or a wave of `destination.concurrency` attempts for rows of
 * different parcels, whose outcomes are recorded in page order.
 *
 * Ordering rests on the store's rule (store/outbox.ts `nextDeliverable`): a
 * row is offered only when its parcel has no older pending or dead row, so a
 * page holds at most one row per parcel and a failed row (still pending, due
 * later) holds its parcel's later rows back, while rows of other parcels and
 * rows without a parcel go on. The drainer therefore walks a page in order
 * and moves past a failure; it never reorders.
 *
 * Delivery is at least once: a row is marked only after the destination's
 * answer, so a crash or a lost acknowledgement means the event goes again
 * (with the same id, which the receiver dedupes on). Nothing is ever deleted.
 *
 * States (`health().state`): `idle` until the first answer after start() or
 * resume() (connectivity unknown) and after stop(); `online` after an answer
 * that was not a retry; `offline` while backing off the whole destination
 * (see `offlineAfterFailures`, or a Retry-After); `paused` after a 401/403,
 * until resume().
 */
export class DestinationDrainer {
  readonly #destination: Destination;
  readonly #outbox: OutboxPort;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #timers: SyncTimers;
  readonly #pageSize: number;
  readonly #pollMs: number;
  readonly #attemptTimeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #offlineAfter: number;
  readonly #listeners = new Set<HealthListener>();

  #health: DestinationHealth;
  #loop: Promise<void> | null = null;
  #stopping = false;
  #paused = false;
  /** A wake() arrived since the last page read: the next idle sleep returns at once. */
  #wakePending = false;
  /** Ends the current sleep; null when not sleeping. */
  #interruptSleep: (() => void) | null = null;
  #sleepWakeable = false;
  readonly #inFlight = new Set<AbortController>();
  /** Retry outcomes in a row (any parcel). */
  #consecutiveFailures = 0;
  /** No attempt before this time: the destination as a whole is backing off. */
  #holdoffUntil = 0;
  /** Earliest retryAt this drainer gave a failed row, while still in the future. */
  #earliestRetryAt: number | null = null;
  /** Outbox (SQLite) errors in a row, for the loop's own backoff. */
  #portFailures = 0;

  constructor(destination: Destination, outbox: OutboxPort, options: DrainerOptions = {}) {
    this.#destination = destination;
    this.#outbox = outbox;
    this.#log = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers ?? realTimers;
    this.#pageSize = positiveInt(options.pageSize ?? DEFAULT_PAGE_SIZE, 'pageSize');
    this.#pollMs = positiveInt(options.pollMs ?? DEFAULT_POLL_MS, 'pollMs');
    this.#attemptTimeoutMs = positiveInt(options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, 'attemptTimeoutMs');
    this.#offlineAfter = positiveInt(options.offlineAfterFailures ?? DEFAULT_OFFLINE_AFTER, 'offlineAfterFailures');
    this.#backoff = options.backoff ?? {};
    this.#health = { name: destination.name, state: 'idle', lastDeliveredAt: null, lastError: null, nextAttemptAt: null };
  }

  get name(): string {
    return this.#destination.name;
  }

  /** Starts the loop; no-op while it runs. */
  start(): void {
    if (this.#loop !== null) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /**
   * Aborts the attempt in flight (its row stays pending, unmarked) and
   * resolves once the loop has ended. A stopped drainer can start() again.
   */
  async stop(): Promise<void> {
    if (this.#loop === null) return;
    this.#stopping = true;
    for (const attempt of this.#inFlight) attempt.abort(new DOMException('sync stopped', 'AbortError'));
    this.#interruptSleep?.();
    await this.#loop;
    this.#loop = null;
    this.#update({ state: this.#paused ? 'paused' : 'idle', nextAttemptAt: null });
  }

  /**
   * New rows were committed: look now instead of at the next poll. Does not
   * cut short a back-off of the whole destination (offline, Retry-After) or a
   * pause.
   */
  wake(): void {
    this.#wakePending = true;
    if (this.#sleepWakeable) this.#interruptSleep?.();
  }

  /**
   * The destination's configuration changed: leave `paused` and forget the
   * back-off, so the next attempt goes now. No-op unless paused or offline.
   */
  resume(): void {
    if (!this.#paused && this.#holdoffUntil === 0 && this.#consecutiveFailures === 0) return;
    this.#paused = false;
    this.#holdoffUntil = 0;
    this.#consecutiveFailures = 0;
    this.#log.info('destination resumed');
    this.#update({ state: 'idle', nextAttemptAt: null });
    this.#interruptSleep?.();
  }

  health(): DestinationHealth {
    return { ...this.#health };
  }

  /** Called with a fresh snapshot on every change of health(). Returns the unsubscribe. */
  onHealthChange(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#step();
      } catch (err) {
        // The outbox threw (SQLite busy, disk full, a corrupt row): log, say
        // so on the screen, back off, and go on. The loop never dies quietly.
        this.#portFailures += 1;
        // Floored at base: full jitter can draw 0, and a failing SQLite call must not spin.
        const delay = Math.max(this.#backoff.baseMs ?? DEFAULT_BASE_MS, nextRetryDelayMs(this.#portFailures - 1, undefined, this.#backoff, this.#random));
        this.#log.error({ err, failures: this.#portFailures, retryInMs: delay }, 'outbox access failed; sync backs off');
        this.#update({ lastError: `outbox: ${errorMessage(err)}` });
        await this.#sleep(delay, false);
      }
    }
  }

  /** One turn of the loop: wait while paused or backing off, else read one page and walk it. */
  async #step(): Promise<void> {
    if (this.#paused) {
      await this.#sleep(Number.POSITIVE_INFINITY, false);
      return;
    }
    const now = this.#now();
    if (this.#holdoffUntil > now) {
      await this.#sleep(this.#holdoffUntil - now, false);
      return;
    }
    this.#wakePending = false; // this read covers every commit before it
    const page = this.#outbox.nextDeliverable(this.#destination.name, now, this.#pageSize);
    if (page.length === 0) {
      this.#portFailures = 0;
      if (this.#earliestRetryAt !== null && this.#earliestRetryAt <= now) this.#earliestRetryAt = null;
      this.#update({ nextAttemptAt: this.#earliestRetryAt });
      const untilRetry = this.#earliestRetryAt === null ? this.#pollMs : this.#earliestRetryAt - now;
      await this.#sleep(Math.min(this.#pollMs, untilRetry), true);
      return;
    }
    // Rows of different parcels may be in flight together: the page holds one row per parcel.
    const width = Math.max(1, Math.floor(this.#destination.concurrency ?? 1));
    for (let from = 0; from < page.length; from += width) {
      if (this.#stopping || this.#paused || this.#holdoffUntil > this.#now()) return;
      const wave = page.slice(from, from + width);
      const results = await Promise.all(wave.map((row) => this.#attempt(row.event)));
      for (const [i, row] of wave.entries()) {
        const result = results[i]!;
        // Stopped: that row is left as it was; the others of the wave are recorded.
        if (result.kind !== 'stopped') this.#record(row, result);
      }
      if (results.some((r) => r.kind === 'stopped')) return;
    }
  }

  /** One delivery, bounded by the attempt timeout and by stop(). Never throws. */
  async #attempt(event: OutboundEvent): Promise<AttemptResult> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timer = this.#timers.setTimeout(
      () => controller.abort(new DOMException(`no answer within ${this.#attemptTimeoutMs} ms`, 'TimeoutError')),
      this.#attemptTimeoutMs,
    );
    let outcome: DeliveryOutcome;
    try {
      // Raced against the signal: a destination that ignores it still cannot hold the loop.
      outcome = await untilAborted(() => this.#destination.deliver(event, controller.signal), controller.signal);
    } catch (err) {
      outcome = classifyError(err);
    } finally {
      this.#timers.clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
    // An acknowledgement that arrived anyway is the truth and is recorded; any
    // other answer to an aborted attempt says nothing about the event.
    if (this.#stopping && outcome.kind !== 'delivered') return { kind: 'stopped' };
    return outcome;
  }

  /** Writes the outcome to the outbox and to health. Throws what the outbox throws. */
  #record(row: DeliverableRow, outcome: DeliveryOutcome): void {
    const { id: eventId } = row.event;
    const name = this.#destination.name;
    const now = this.#now();
    switch (outcome.kind) {
      case 'delivered':
        this.#outbox.markDelivered(eventId, name, now, outcome.vendorRef);
        this.#answered();
        this.#update({ state: 'online', lastDeliveredAt: now, lastError: null, nextAttemptAt: this.#futureRetryAt(now) });
        this.#log.debug({ eventId, attempt: row.attempts + 1 }, 'event delivered');
        return;
      case 'dead':
        this.#outbox.markDead(eventId, name, outcome.reason, now);
        this.#answered();
        this.#update({ state: 'online', lastError: outcome.reason, nextAttemptAt: this.#futureRetryAt(now) });
        this.#log.warn({ eventId, attempt: row.attempts + 1, reason: outcome.reason }, 'event dead-lettered; its parcel waits until it is retried');
        return;
      case 'skipped':
        // No request went out: says nothing of the destination's health, so neither the state nor the failure count moves.
        this.#outbox.markSkipped(eventId, name, outcome.reason, now);
        this.#portFailures = 0;
        this.#log.debug({ eventId, reason: outcome.reason }, 'nothing to send for this event; skipped');
        return;
      case 'retry':
        this.#failed(row, outcome.reason, outcome.retryAfterMs, now);
        return;
      case 'unauthorised':
        // Paused first: if the write below throws, no more requests go out all the same.
        this.#paused = true;
        this.#update({ state: 'paused', lastError: outcome.reason, nextAttemptAt: null });
        this.#log.error({ eventId, reason: outcome.reason }, 'destination refused our credentials; paused until its configuration changes');
        // Due at once, so resume() retries it first; the reason lands on the row for the screen.
        this.#outbox.markFailed(eventId, name, { error: outcome.reason, retryAt: now });
        this.#portFailures = 0;
        return;
      default:
        assertNever(outcome, 'delivery outcome');
    }
  }

  #failed(row: DeliverableRow, reason: string, retryAfterMs: number | undefined, now: number): void {
    const retryAt = now + nextRetryDelayMs(row.attempts, retryAfterMs, this.#backoff, this.#random);
    this.#outbox.markFailed(row.event.id, this.#destination.name, { error: reason, retryAt });
    this.#portFailures = 0;
    this.#consecutiveFailures += 1;
    this.#earliestRetryAt = Math.min(this.#earliestRetryAt ?? retryAt, retryAt);
    const overLimit = this.#consecutiveFailures - this.#offlineAfter;
    // A Retry-After speaks for the whole endpoint (rate limit, maintenance), not for this event.
    if (retryAfterMs !== undefined || overLimit >= 0) {
      this.#holdoffUntil = Math.max(this.#holdoffUntil, now + nextRetryDelayMs(Math.max(0, overLimit), retryAfterMs, this.#backoff, this.#random));
    }
    const holding = this.#holdoffUntil > now;
    this.#update({
      ...(holding ? { state: 'offline' as const } : {}),
      lastError: reason,
      nextAttemptAt: holding ? this.#holdoffUntil : this.#futureRetryAt(now),
    });
    this.#log.warn({ eventId: row.event.id, attempt: row.attempts + 1, reason, retryAt, failuresInARow: this.#consecutiveFailures }, 'delivery failed; will retry');
  }

  /** The destination answered (not a retry): it is reachable again. */
  #answered(): void {
    this.#consecutiveFailures = 0;
    this.#holdoffUntil = 0;
    this.#portFailures = 0;
  }

  #futureRetryAt(now: number): number | null {
    return this.#earliestRetryAt !== null && this.#earliestRetryAt > now ? this.#earliestRetryAt : null;
  }

  /**
   * Sleeps `ms` (Infinity: until interrupted). stop() and resume() always end
   * it; wake() only when `wakeable`, and a wake() that came while the loop was
   * busy makes a wakeable sleep return at once.
   */
  #sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.#stopping || (wakeable && this.#wakePending)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? this.#timers.setTimeout(() => done(), Math.max(0, ms)) : undefined;
      const done = (): void => {
        if (timer !== undefined) this.#timers.clearTimeout(timer);
        this.#interruptSleep = null;
        this.#sleepWakeable = false;
        resolve();
      };
      this.#interruptSleep = done;
      this.#sleepWakeable = wakeable;
    });
  }

  #update(patch: Partial<Omit<DestinationHealth, 'name'>>): void {
    const next = { ...this.#health, ...patch };
    const old = this.#health;
    if (
      next.state === old.state &&
      next.lastDeliveredAt === old.lastDeliveredAt &&
      next.lastError === old.lastError &&
      next.nextAttemptAt === old.nextAttemptAt
    ) {
      return;
    }
    this.#health = next;
    for (const listener of this.#listeners) {
      try {
        listener({ ...next });
      } catch (err) {
        this.#log.error({ err }, 'health listener threw');
      }
    }
  }
}

/** `work()`'s result, or the signal's reason as soon as it aborts (work's late result is dropped). */
function untilAborted<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    // Promise.resolve().then: a deliver() that throws synchronously still lands in reject.
    Promise.resolve()
      .then(work)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import type { AlarmCode } from '../shared/domain.js';
import type { Logger } from '../shared/logger.js';
import * as store from '../store/index.js';

/** SQLite's answers that mean "the disk did not take it" (full, I/O error, locked by another writer): worth retrying. */
const RETRYABLE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|CANTOPEN|PROTOCOL)/;

export function isDiskFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.test(code);
}

interface Pending {
  label: string;
  fn: () => void;
  tries: number;
}

/**
 * The commits that record what a door did. The intent (and the pulse it
 * counts against its code) is committed before the pulse, so by the time a
 * result is recorded the pulse is already bounded; what must not happen is
 * that a result is lost, or that a customer whose door opened hears
 * "failed" because the disk was full. So a result that fails to commit is
 * kept and retried (backoff up to `maxDelayMs`) until it lands, with the
 * `commit-pending` alarm up; meanwhile no other door opens (`busy`).
 * Only disk faults are retried: any other error is a bug and is logged.
 */
export class ResultCommits {
  readonly #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;

  constructor(
    private readonly db: store.Db,
    private readonly log: Logger,
    private readonly alarm: (code: AlarmCode, up: boolean, detail: string | null) => void,
    private readonly opts: { firstDelayMs: number; maxDelayMs: number } = { firstDelayMs: 200, maxDelayMs: 5000 },
  ) {
    this.#delayMs = opts.firstDelayMs;
  }

  /** Results still waiting for the disk. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Commits `fn` in one transaction now, or queues it for retry when the
   * disk refuses. Returns false when it was queued. Results commit in order: a
   * new one waits behind any already queued.
   */
  commit(label: string, fn: () => void): boolean {
    if (this.#queue.length === 0 && this.#try({ label, fn, tries: 0 })) return true;
    this.#queue.push({ label, fn, tries: 1 });
    this.alarm('commit-pending', true, `${this.#queue.length} door result(s) waiting for the disk`);
    this.#schedule();
    return false;
  }

  /** Tries the queue now (the storage check before an open, and the retry timer). Returns the number still pending. */
  flush(): number {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      head.tries += 1;
      if (!this.#try(head)) return this.#queue.length;
      this.#queue.shift();
    }
    this.#delayMs = this.opts.firstDelayMs;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.alarm('commit-pending', false, null);
    return 0;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #try(p: Pending): boolean {
    try {
      store.inTransaction(this.db, p.fn);
      if (p.tries > 0) this.log.warn({ result: p.label, tries: p.tries }, 'door result recorded after the disk refused it');
      return true;
    } catch (err) {
      if (!isDiskFault(err)) {
        // Not the disk: retrying will not help, and keeping it would block every door.
        this.log.error({ err, result: p.label }, 'door result could not be recorded (not a disk fault): dropped; the audit trail lacks it');
        return true;
      }
      if (p.tries <= 1) this.log.error({ err, result: p.label }, 'door result could not be recorded: the disk refused it; retrying until it lands');
      return false;
    }
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.flush() > 0) {
        this.#delayMs = Math.min(this.#delayMs * 2, this.opts.maxDelayMs);
        this.#schedule();
      }
    }, this.#delayMs);
    this.#timer.unref?.();
  }
}

import { DriverError } from '../errors.js';

export type TurnPriority = 'command' | 'poll';

interface Waiter {
  priority: TurnPriority;
  grant: () => void;
  refuse: (err: Error) => void;
}

/**
 * The bus mutex: one holder at a time, FIFO within a priority, and commands
 * (opens, reads a person is waiting for) ahead of queued polls. So a command
 * waits behind at most the one transaction already on the wire.
 */
export class TurnQueue {
  #busy = false;
  #closed = false;
  #pollsHeldUntil = 0;
  readonly #waiting: Waiter[] = [];

  /**
   * Polls that ask for the bus before `until` (performance.now() ms) wait for
   * it: a person is about to ask for a door, and a poll already on the wire
   * would make them wait up to a whole transaction (issue #2 bench).
   */
  holdPolls(until: number): void {
    this.#pollsHeldUntil = Math.max(this.#pollsHeldUntil, until);
  }

  /** Resolves with a `release` function; rejects with `bus-closed` once closed. */
  async acquire(priority: TurnPriority): Promise<() => void> {
    while (priority === 'poll' && !this.#closed) {
      const wait = this.#pollsHeldUntil - performance.now();
      if (wait <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
    return this.#take(priority);
  }

  #take(priority: TurnPriority): Promise<() => void> {
    if (this.#closed) return Promise.reject(new DriverError('bus-closed', 'the serial bus is closed'));
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ priority, grant: () => resolve(this.#releaser()), refuse: reject });
    });
  }

  get pending(): number {
    return this.#waiting.length;
  }

  /** Refuses every queued waiter; the current holder finishes normally. */
  close(): void {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w.refuse(new DriverError('bus-closed', 'the serial bus was closed while this request was queued'));
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#next();
    };
  }

  #next(): void {
    const i = this.#waiting.findIndex((w) => w.priority === 'command');
    const [next] = this.#waiting.splice(i >= 0 ? i : 0, 1);
    if (next) next.grant();
    else this.#busy = false;
  }
}

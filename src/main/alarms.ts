import { EventEmitter } from 'node:events';
import type { AlarmCode } from '../shared/domain.js';

export interface Alarm {
  code: AlarmCode;
  since: number;
  detail: string | null;
}

/**
 * The agent's live alarms, one per code. Raising an alarm that is up only
 * refreshes its detail (its `since` stays); `changed` fires on every raise and
 * clear that changes the list, so the screen and the heartbeat follow.
 */
export class Alarms extends EventEmitter<{ changed: [Alarm[]] }> {
  readonly #up = new Map<AlarmCode, Alarm>();

  constructor(private readonly clock: () => number = Date.now) {
    super();
  }

  raise(code: AlarmCode, detail: string | null = null): void {
    const current = this.#up.get(code);
    if (current && current.detail === detail) return;
    this.#up.set(code, { code, since: current?.since ?? this.clock(), detail });
    this.emit('changed', this.list());
  }

  clear(code: AlarmCode): void {
    if (this.#up.delete(code)) this.emit('changed', this.list());
  }

  /** Raises or clears `code` from a condition. */
  set(code: AlarmCode, up: boolean, detail: string | null = null): void {
    if (up) this.raise(code, detail);
    else this.clear(code);
  }

  has(code: AlarmCode): boolean {
    return this.#up.has(code);
  }

  list(): Alarm[] {
    return [...this.#up.values()].sort((a, b) => a.since - b.since || a.code.localeCompare(b.code));
  }
}

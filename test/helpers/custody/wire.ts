/**
 * What the boards saw, recorded in the test process (the simulator outlives
 * every agent process): each open frame and each coil pulse, with whether the
 * lock actually released. The custody checks count frames and judge answers
 * against this record, never against what the agent says about itself.
 */
import type { SimFrameEvent, SimPulseEvent, SimulatorHandle } from '../../../src/drivers/index.js';

export interface WireEntry {
  seq: number;
  kind: 'open-frame' | 'read-frame' | 'pulse';
  board: number;
  lock: number | undefined;
  /** Pulses only: the lock released (the door opened or was already open). */
  opened?: boolean;
}

export class WireLog {
  readonly entries: WireEntry[] = [];
  #seq = 0;
  readonly #listeners: Array<(e: WireEntry) => void> = [];

  constructor(sim: SimulatorHandle) {
    sim.simulator.on('frame', (e: SimFrameEvent) => {
      if (e.kind === 'open-all') throw new Error('an open-all frame reached the boards: no custody flow may send one');
      this.#add({ kind: e.kind === 'open' ? 'open-frame' : 'read-frame', board: e.board, lock: e.lock });
    });
    sim.simulator.on('pulse', (e: SimPulseEvent) => this.#add({ kind: 'pulse', board: e.board, lock: e.lock, opened: e.opened }));
  }

  /** A position in the log: pass it to the queries to look only at what came after. */
  mark(): number {
    return this.#seq;
  }

  /** Open frames since `from`, optionally for one lock. */
  opens(from: number, board?: number, lock?: number): WireEntry[] {
    return this.entries.filter((e) => e.seq >= from && e.kind === 'open-frame' && (board === undefined || (e.board === board && e.lock === lock)));
  }

  /** Whether a pulse since `from` released this lock. */
  released(from: number, board: number, lock: number): boolean {
    return this.entries.some((e) => e.seq >= from && e.kind === 'pulse' && e.board === board && e.lock === lock && e.opened === true);
  }

  /** Calls `fn` once for the next open frame of this lock (the SIGKILL-after-write hook). */
  onNextOpen(board: number, lock: number, fn: () => void): void {
    const listener = (e: WireEntry) => {
      if (e.kind !== 'open-frame' || e.board !== board || e.lock !== lock) return;
      this.#listeners.splice(this.#listeners.indexOf(listener), 1);
      fn();
    };
    this.#listeners.push(listener);
  }

  #add(e: Omit<WireEntry, 'seq'>): void {
    const entry = { ...e, seq: this.#seq++ };
    this.entries.push(entry);
    for (const l of [...this.#listeners]) l(entry);
  }
}

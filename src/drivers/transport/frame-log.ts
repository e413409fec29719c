import { toHex } from '../codec.js';

export interface FrameLogEntry {
  /** Epoch ms. */
  at: number;
  dir: 'tx' | 'rx';
  hex: string;
  ok: boolean;
  note?: string;
}

interface Slot {
  at: number;
  dir: 'tx' | 'rx';
  bytes: Buffer;
  ok: boolean;
  note: string | undefined;
}

/**
 * The last N frames on the bus, for `diagnostics()`. Holds raw bytes; hex is
 * built only when someone asks, so logging costs nothing on the hot path.
 */
export class FrameLog {
  readonly #slots: Slot[] = [];
  #next = 0;

  constructor(readonly capacity = 50) {}

  add(dir: 'tx' | 'rx', bytes: Uint8Array, ok = true, note?: string): void {
    const slot: Slot = { at: Date.now(), dir, bytes: Buffer.from(bytes), ok, note };
    if (this.#slots.length < this.capacity) this.#slots.push(slot);
    else this.#slots[this.#next] = slot;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Oldest first. */
  entries(): FrameLogEntry[] {
    const ordered = this.#slots.length < this.capacity ? this.#slots : [...this.#slots.slice(this.#next), ...this.#slots.slice(0, this.#next)];
    return ordered.map((s) => ({ at: s.at, dir: s.dir, hex: toHex(s.bytes), ok: s.ok, ...(s.note ? { note: s.note } : {}) }));
  }
}

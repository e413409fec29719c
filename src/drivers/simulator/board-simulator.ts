import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { BoardProtocol } from '../../shared/domain.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { toHex } from '../codec.js';
import type { BoardModel } from './board-model.js';
import { RESPONDERS, type SimAnswer, type SimContext, type SimRequestKind } from './responders.js';

/**
 * `unplug-after-request`: the board takes the matching request (an open pulses
 * its lock), then the adapter vanishes before any reply, as when a USB cable is
 * pulled mid-command. The port stays gone until `setFault('unplug', false)`.
 */
export const FAULT_KINDS = ['no-reply', 'bad-checksum', 'still-locked', 'echo', 'garbage-prefix', 'unplug', 'late-reply', 'unplug-after-request'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Only requests to this board / lock. */
  board?: number;
  lock?: number;
  /** Only opens (incl. open-all) or only reads (incl. read-all). Default any. */
  on?: 'open' | 'read' | 'any';
  /** Applies to this many matching requests, then clears itself. Default: until cleared. */
  count?: number;
  /** `late-reply`: reply this long after the request. Default 2000 ms (past the 1500 ms reply timeout). */
  delayMs?: number;
  /** `garbage-prefix`: bytes sent before the reply. Default `FA FD 99 99` (§A.8.2). */
  bytes?: Buffer;
}

/** Where the simulator's bytes go: one end of a PTY pair or the mock link. */
export interface SimEndpoint {
  write(data: Buffer): void;
  unplug?(): Promise<void>;
  replug?(): Promise<void>;
}

export interface SimFrameEvent {
  /** performance.now() when the last byte of the request was read. */
  at: number;
  hex: string;
  decoded: string;
  protocol: BoardProtocol;
  kind: SimRequestKind;
  board: number;
  lock?: number;
}

/** A lock's coil was asked to fire: `opened` is false when the lock stayed shut (jammed, `still-locked`). */
export interface SimPulseEvent {
  at: number;
  board: number;
  lock: number;
  opened: boolean;
}

export interface BoardSimulatorEvents {
  frame: [SimFrameEvent];
  pulse: [SimPulseEvent];
  reply: [{ at: number; hex: string }];
}

export interface BoardSimulatorOptions {
  /** Hold each reply byte for its character time at this baud (10 bits/char), to show wire time. */
  paceBaud?: number;
  /** Board time per lock when opening all (§A.5). Default 20 ms. */
  openAllStepMs?: number;
  logger?: Logger;
}

const DEFAULT_GARBAGE = Buffer.from([0xfa, 0xfd, 0x99, 0x99]);

/**
 * Answers lock-board requests from a byte stream with the same codec modules
 * the driver uses, over a PTY or the mock link. Faults can be switched at run
 * time to exercise every error path of the agent.
 */
export class BoardSimulator extends EventEmitter<BoardSimulatorEvents> {
  readonly #faults = new Map<FaultKind, FaultOptions>();
  readonly #buffers = new Map<BoardProtocol, Buffer>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #log: Logger;
  readonly #charMs: number;
  readonly #openAllStepMs: number;
  #endpoint: SimEndpoint | undefined;
  #paceUntil = 0;
  /** The request being answered, so a pulse can consult the `still-locked` fault. */
  #current: SimAnswer | undefined;

  constructor(
    readonly model: BoardModel,
    opts: BoardSimulatorOptions = {},
  ) {
    super();
    this.#log = opts.logger ?? silentLogger;
    this.#charMs = opts.paceBaud ? 10_000 / opts.paceBaud : 0;
    this.#openAllStepMs = opts.openAllStepMs ?? 20;
    for (const b of model.boards()) this.#buffers.set(b.protocol, Buffer.alloc(0));
  }

  attach(endpoint: SimEndpoint): void {
    this.#endpoint = endpoint;
  }

  detach(): void {
    this.#endpoint = undefined;
    for (const p of this.#buffers.keys()) this.#buffers.set(p, Buffer.alloc(0));
  }

  /**
   * Switches a fault on (optionally scoped) or off. `unplug` acts at once:
   * the port disappears until `setFault('unplug', false)` or `clearFaults()`.
   */
  setFault(kind: FaultKind, on: boolean | FaultOptions = true): void {
    if (kind === 'unplug') {
      const endpoint = this.#endpoint;
      if (on === false) this.#faults.delete(kind);
      else this.#faults.set(kind, {});
      void (on === false ? endpoint?.replug?.() : endpoint?.unplug?.());
      return;
    }
    if (on === false) this.#faults.delete(kind);
    else this.#faults.set(kind, on === true ? {} : { ...on });
  }

  clearFaults(): void {
    const unplugged = this.#faults.has('unplug');
    this.#faults.clear();
    if (unplugged) void this.#endpoint?.replug?.();
  }

  faults(): Array<{ kind: FaultKind } & FaultOptions> {
    return [...this.#faults].map(([kind, o]) => ({ kind, ...o }));
  }

  /** Bytes the agent wrote. */
  receive(chunk: Buffer): void {
    const at = performance.now();
    for (const [protocol, pending] of this.#buffers) {
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        const res = RESPONDERS[protocol].decode(buf);
        if (res.kind === 'need-more') {
          buf = buf.subarray(res.skipped);
          break;
        }
        const end = res.skipped + (res.kind === 'frame' ? res.consumed : 1);
        if (res.kind === 'frame') this.#handle(protocol, buf.subarray(res.skipped, end), res.frame, at);
        buf = buf.subarray(end);
      }
      this.#buffers.set(protocol, Buffer.from(buf));
    }
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.detach();
  }

  #handle(protocol: BoardProtocol, bytes: Buffer, frame: unknown, at: number): void {
    const ctx: SimContext = { model: this.model, openAllStepMs: this.#openAllStepMs, pulse: (b, l) => this.#pulse(b, l) };
    const ans = RESPONDERS[protocol].answer(frame, ctx);
    if (!ans) return;
    const event: SimFrameEvent = { at, hex: toHex(bytes), decoded: ans.describe(), protocol, kind: ans.kind, board: ans.board, ...(ans.lock === undefined ? {} : { lock: ans.lock }) };
    this.emit('frame', event);
    this.#log.debug({ hex: event.hex, decoded: event.decoded }, 'simulator rx');
    this.#current = ans;
    const reply = ans.reply();
    this.#current = undefined;
    if (this.#take('unplug-after-request', ans)) {
      this.setFault('unplug');
      return;
    }
    this.#respond(ans, bytes, reply);
  }

  #pulse(board: number, lock: number): void {
    const refused = this.#current !== undefined && this.#take('still-locked', this.#current) !== undefined;
    const opened = !refused && this.model.pulse(board, lock);
    this.emit('pulse', { at: performance.now(), board, lock, opened });
  }

  #respond(ans: SimAnswer, request: Buffer, reply: Buffer | null): void {
    const out: Buffer[] = [];
    if (this.#take('echo', ans)) out.push(request);
    const late = this.#take('late-reply', ans);
    if (reply && !this.#take('no-reply', ans)) {
      const garbage = this.#take('garbage-prefix', ans);
      if (garbage) out.push(garbage.bytes ?? DEFAULT_GARBAGE);
      out.push(this.#take('bad-checksum', ans) ? corrupt(reply) : reply);
    }
    if (out.length === 0) return;
    const data = Buffer.concat(out);
    const delay = ans.delayMs + (late ? (late.delayMs ?? 2000) : 0);
    if (delay <= 0) return this.#send(data);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#send(data);
    }, delay);
    this.#timers.add(timer);
  }

  /** The fault's options if it applies to this request (and uses one of its `count`). */
  #take(kind: FaultKind, ans: SimAnswer): FaultOptions | undefined {
    const f = this.#faults.get(kind);
    if (!f) return undefined;
    if (f.board !== undefined && f.board !== ans.board) return undefined;
    if (f.lock !== undefined && f.lock !== ans.lock) return undefined;
    const isOpen = ans.kind === 'open' || ans.kind === 'open-all';
    const isRead = ans.kind === 'read' || ans.kind === 'read-all';
    if ((f.on === 'open' && !isOpen) || (f.on === 'read' && !isRead)) return undefined;
    if (f.count !== undefined && --f.count <= 0) this.#faults.delete(kind);
    return f;
  }

  #send(data: Buffer): void {
    const endpoint = this.#endpoint;
    if (!endpoint || this.#faults.has('unplug')) return;
    this.emit('reply', { at: performance.now(), hex: toHex(data) });
    if (!this.#charMs) return endpoint.write(data);
    // Paced: byte i leaves when the previous one has had its character time on the wire.
    const start = Math.max(performance.now(), this.#paceUntil);
    data.forEach((byte, i) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#endpoint?.write(Buffer.from([byte]));
      }, start + (i + 1) * this.#charMs - performance.now());
      this.#timers.add(timer);
    });
    this.#paceUntil = start + data.length * this.#charMs;
  }
}

function corrupt(frame: Buffer): Buffer {
  const copy = Buffer.from(frame);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x5a;
  return copy;
}

import type { FrameCodec, FrameErrorCode } from '../codec.js';

/** What the reader saw, reported as it happens (stats, frame log, debug dumps). */
export interface ReaderHooks {
  garbage(bytes: Uint8Array): void;
  badFrame(code: FrameErrorCode, bytes: Uint8Array, detail: string): void;
  echo(bytes: Uint8Array): void;
  /** A valid frame that is not the answer (other board, other command): dropped. */
  foreign(bytes: Uint8Array): void;
  reply(bytes: Uint8Array): void;
}

export type ReaderStatus<F> =
  | { kind: 'done'; frame: F }
  /** A valid reply that a longer one could still replace (variable length): wait for quiet. */
  | { kind: 'tentative' }
  /** Bytes of an unfinished frame (or echo) are buffered. */
  | { kind: 'partial' }
  | { kind: 'idle' };

/**
 * The receive side of one bus transaction: strips the echo of the frame just
 * sent (docs/lock-boards.md §A.8.1, §G.6), resyncs past garbage (§A.8.2) and bad
 * frames, and finds the frame the request is waiting for. No timers: the bus
 * owns time.
 */
export class ReplyReader<F> {
  #buf: Buffer = Buffer.alloc(0);
  #echo: Buffer | null;
  #done = false;
  lastError: { code: FrameErrorCode; detail: string } | undefined;

  constructor(
    private readonly codec: FrameCodec<F>,
    private readonly matches: (frame: F) => boolean,
    private readonly hooks: ReaderHooks,
    echo: Buffer | null,
  ) {
    this.#echo = echo;
  }

  push(chunk: Buffer): ReaderStatus<F> {
    if (this.#done) {
      this.hooks.garbage(chunk);
      return { kind: 'idle' };
    }
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    if (this.#echo && !this.#stripEcho()) return { kind: 'partial' };
    return this.#scan(false);
  }

  /** The line went quiet: take a tentative frame if one is buffered. */
  finishOnQuiet(): F | undefined {
    const status = this.#scan(true);
    return status.kind === 'done' ? status.frame : undefined;
  }

  /** Returns false while the buffer is still a prefix of the echo. */
  #stripEcho(): boolean {
    const echo = this.#echo!;
    const n = Math.min(echo.length, this.#buf.length);
    if (echo.compare(this.#buf, 0, n, 0, n) !== 0) {
      this.#echo = null; // not an echo after all (or the adapter does not echo): decode normally
      return true;
    }
    if (n < echo.length) return false;
    this.hooks.echo(this.#buf.subarray(0, n));
    this.#buf = this.#buf.subarray(n);
    this.#echo = null;
    return true;
  }

  #scan(quiet: boolean): ReaderStatus<F> {
    for (;;) {
      const res = this.codec.decode(this.#buf);
      if (res.skipped > 0) {
        this.hooks.garbage(this.#buf.subarray(0, res.skipped));
        this.#buf = this.#buf.subarray(res.skipped);
      }
      if (res.kind === 'need-more') return this.#buf.length > 0 ? { kind: 'partial' } : { kind: 'idle' };
      if (res.kind === 'error') {
        this.lastError = { code: res.code, detail: res.detail };
        this.hooks.badFrame(res.code, this.#buf.subarray(0, res.consumed), res.detail);
        this.#buf = this.#buf.subarray(1); // the "head" may have been garbage: rescan from the next byte
        continue;
      }
      const bytes = this.#buf.subarray(0, res.consumed);
      if (!this.matches(res.frame)) {
        this.hooks.foreign(bytes);
        this.#buf = this.#buf.subarray(res.consumed);
        continue;
      }
      if (!res.final && !quiet) return { kind: 'tentative' };
      this.hooks.reply(bytes);
      this.#done = true;
      const rest = this.#buf.subarray(res.consumed);
      if (rest.length > 0) this.hooks.garbage(rest);
      this.#buf = Buffer.alloc(0);
      return { kind: 'done', frame: res.frame };
    }
  }
}

import {
  BROWSER_SUBPROTOCOL,
  parseResult,
  serverFrame,
  SESSION_SUBPROTOCOL_PREFIX,
  TICKET_SUBPROTOCOL_PREFIX,
  UNAUTHORISED_CLOSE_CODE as CLOSE_UNAUTHORISED,
  type CallInput,
  type CallName,
  type CallResult,
  type PushedEvent,
} from '../../shared/contract.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../logic/backoff.js';
import type { Timers } from '../logic/idle-timer.js';
import { checkInput, failure, Listeners, parseEvent, type Warn } from './common.js';
import type { ConnectionState, KioskTransport } from './kiosk-api.js';
import { sessionStoreOver, type SessionStore } from './session-store.js';

/** The first subprotocol names the contract; the second carries the launch ticket or the session token. */
export const CONTRACT_SUBPROTOCOL = BROWSER_SUBPROTOCOL;
export const TICKET_PREFIX = TICKET_SUBPROTOCOL_PREFIX;
export const TOKEN_SUBPROTOCOL_PREFIX = SESSION_SUBPROTOCOL_PREFIX;
/** Close code browser mode uses for a missing, spent or wrong credential: retried at the slowest pace only. */
export const UNAUTHORISED_CLOSE_CODE = CLOSE_UNAUTHORISED;

const OPEN = 1;
/** How long a connection made after a 4401 must stay up before the screen counts as connected again. */
const REFUSAL_GRACE_MS = 500;

// Handlers declared method-style so both the DOM `WebSocket` and the `ws`
// package's class (whose events carry more fields) fit this shape.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket this client uses: the browser's and `ws`'s both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number }> | null;
  onerror: Handler<unknown> | null;
}
export type SocketConstructor = new (url: string, protocols: string[]) => SocketLike;

export interface WsClientOptions {
  /** `ws://<host>/contract`. */
  url: string;
  /**
   * The one-time ticket from `#ticket=…`, offered until a connection opens
   * with it; null when the page was reloaded (the session store then holds
   * the token). With neither, the server closes with 4401.
   */
  ticket: string | null;
  /** Keeps the session token the server hands over for a ticket. Default: memory only. */
  session?: SessionStore;
  /** `WebSocket` in the page; the `ws` package's class in tests. */
  WebSocketImpl: SocketConstructor;
  /** Reconnect waits. Default 500 ms doubling to 5 s. */
  backoff?: BackoffOptions;
  /** Default: the global timers. */
  timers?: Timers;
  /** Default: `console.warn`. */
  warn?: Warn;
}

/**
 * The contract over one WebSocket (browser mode). Calls made before the
 * socket opens wait for it; when it closes, every call not yet answered
 * resolves `agent-busy` (with `meta.linkLost` when its frame had left) and
 * the client reconnects with backoff; after close code 4401 (bad credential)
 * the status is `unauthorised` and it retries at the slowest pace only. The first connection
 * spends the launch ticket and is handed a session token; reconnects offer
 * that token.
 */
export class WsKioskClient implements KioskTransport {
  readonly #opts: Required<Omit<WsClientOptions, 'ticket'>>;
  #ticket: string | null;
  readonly #pending = new Map<number, (raw: unknown) => void>();
  /** Ids whose frame left on a socket: their answer is lost, not refused, when it closes. */
  readonly #sent = new Set<number>();
  readonly #unsent: Array<{ id: number; frame: string }> = [];
  readonly #events = new Listeners<PushedEvent>();
  readonly #statuses = new Listeners<ConnectionState>();
  #socket: SocketLike | null = null;
  #status: ConnectionState = 'connecting';
  #attempt = 0;
  #retryTimer: unknown = null;
  #stopped = false;
  #nextId = 1;

  constructor(options: WsClientOptions) {
    this.#opts = {
      backoff: DEFAULT_BACKOFF,
      timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
      warn: (message, detail) => console.warn(message, detail),
      session: sessionStoreOver(null),
      ...options,
    };
    this.#ticket = options.ticket;
  }

  get status(): ConnectionState {
    return this.#status;
  }

  start(): this {
    this.#connect();
    return this;
  }

  /** Closes for good: pending calls resolve `agent-busy`, no reconnect. */
  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer !== null) this.#opts.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000);
    }
    this.#failPending();
  }

  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallResult<N>> {
    const refused = checkInput(name, input);
    if (refused) return Promise.resolve(refused as CallResult<N>);
    if (this.#status === 'unauthorised') return Promise.resolve(failure<N>('not-authorised'));
    if (this.#stopped) return Promise.resolve(failure<N>('agent-busy'));
    const id = this.#nextId++;
    const frame = JSON.stringify({ id, name, input });
    return new Promise<CallResult<N>>((resolve) => {
      this.#pending.set(id, (raw) => resolve(parseResult(name, raw)));
      const socket = this.#socket;
      if (socket && socket.readyState === OPEN) this.#send(socket, id, frame);
      else this.#unsent.push({ id, frame });
    });
  }

  onEvent(listener: (e: PushedEvent) => void): () => void {
    return this.#events.add(listener);
  }

  onStatus(listener: (state: ConnectionState) => void): () => void {
    listener(this.#status);
    return this.#statuses.add(listener);
  }

  #connect(): void {
    this.#retryTimer = null;
    if (this.#stopped) return;
    const protocols = [CONTRACT_SUBPROTOCOL, ...this.#credential()];
    let socket: SocketLike;
    try {
      socket = new this.#opts.WebSocketImpl(this.#opts.url, protocols);
    } catch (err) {
      this.#opts.warn('cabinet-kiosk: cannot open the contract socket', err);
      this.#onClose(1006);
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      // The server has the ticket now: it redeemed it (a session frame follows) or closes with 4401.
      this.#ticket = null;
      this.#attempt = 0;
      if (this.#status === 'unauthorised') {
        // A refused credential is refused right after the upgrade: stay unauthorised until the
        // connection has outlived that, so the screen does not flicker with every retry.
        this.#retryTimer = this.#opts.timers.setTimeout(() => {
          this.#retryTimer = null;
          if (this.#socket === socket) this.#opened(socket);
        }, REFUSAL_GRACE_MS);
        return;
      }
      this.#opened(socket);
    };
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#onMessage(event.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#onClose(event.code);
    };
  }

  #opened(socket: SocketLike): void {
    this.#setStatus('open');
    for (const { id, frame } of this.#unsent.splice(0)) this.#send(socket, id, frame);
  }

  /** The ticket until a connection opened with it, else the session token, else nothing. */
  #credential(): string[] {
    if (this.#ticket) return [TICKET_PREFIX + this.#ticket];
    const token = this.#opts.session.read();
    return token ? [TOKEN_SUBPROTOCOL_PREFIX + token] : [];
  }

  #onClose(code: number): void {
    this.#failPending();
    if (this.#stopped) return;
    if (code === UNAUTHORISED_CLOSE_CODE) {
      // Refused, but not given up: an agent that restarts on its session file takes this page's
      // token back, and the screen recovers without anyone there. The slowest wait only: a
      // refused credential is not retried in a burst.
      this.#setStatus('unauthorised');
      this.#retryTimer = this.#opts.timers.setTimeout(() => this.#connect(), this.#opts.backoff.maxMs);
      return;
    }
    this.#setStatus('reconnecting');
    const delay = backoffDelay(this.#attempt++, this.#opts.backoff);
    this.#retryTimer = this.#opts.timers.setTimeout(() => this.#connect(), delay);
  }

  #onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      this.#opts.warn('cabinet-kiosk: dropped a non-text frame');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#opts.warn('cabinet-kiosk: dropped a frame that is not JSON');
      return;
    }
    const frame = serverFrame.safeParse(json);
    if (!frame.success) {
      this.#opts.warn('cabinet-kiosk: dropped a malformed frame', frame.error.issues[0]?.message);
      return;
    }
    if (frame.data.kind === 'session') {
      this.#opts.session.write(frame.data.token);
      return;
    }
    if (frame.data.kind === 'reply') {
      const settle = this.#pending.get(frame.data.id);
      if (!settle) {
        this.#opts.warn(`cabinet-kiosk: reply to unknown call ${frame.data.id}`);
        return;
      }
      this.#pending.delete(frame.data.id);
      this.#sent.delete(frame.data.id);
      settle(frame.data.result);
      return;
    }
    const event = parseEvent(frame.data.event, this.#opts.warn);
    if (event) this.#events.emit(event, this.#opts.warn);
  }

  #send(socket: SocketLike, id: number, frame: string): void {
    this.#sent.add(id);
    socket.send(frame);
  }

  /**
   * Every call not yet answered resolves `agent-busy`. A call whose frame had
   * left carries `meta.linkLost`: the agent may have acted on it (a pickup
   * may have opened a door), so the screen must not say it failed.
   */
  #failPending(): void {
    this.#unsent.length = 0;
    const settles = [...this.#pending.entries()];
    this.#pending.clear();
    for (const [id, settle] of settles) settle({ ok: false, error: this.#sent.has(id) ? { code: 'agent-busy', meta: { linkLost: true } } : { code: 'agent-busy' } });
    this.#sent.clear();
  }

  #setStatus(status: ConnectionState): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#statuses.emit(status, this.#opts.warn);
  }
}

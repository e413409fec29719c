import { WebSocket } from 'ws';
import { BROWSER_CONTRACT_PATH, BROWSER_SUBPROTOCOL, SESSION_SUBPROTOCOL_PREFIX, serverFrame, TICKET_SUBPROTOCOL_PREFIX, UNAUTHORISED_CLOSE_CODE } from '../../shared/contract.js';
import { readScreenEndpoint } from '../screen-endpoint.js';
import type { ShellLog } from './shell-log.js';

/** What a call gets while no agent answers: the contract's own "busy", which the screen shows as "one moment". */
export const AGENT_BUSY_RESULT = { ok: false, error: { code: 'agent-busy' } } as const;

/** Reconnect waits: 250 ms doubling to 5 s (an agent restart takes a few seconds). */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/** The part of `ws`'s WebSocket the link uses (tests pass the real one against a real agent). */
export type LinkSocket = Pick<WebSocket, 'on' | 'send' | 'close' | 'terminate' | 'readyState'>;
export type LinkSocketFactory = (url: string, protocols: string[], origin: string) => LinkSocket;

export interface AgentLinkOptions {
  /** The agent's endpoint file (screen-endpoint.ts): an unused one-time address, rewritten by the agent. */
  endpointFile: string;
  log: ShellLog;
  /** Default: `ws`'s WebSocket with the agent's Origin. */
  socket?: LinkSocketFactory;
  readFile?: (file: string) => string;
}

/**
 * The Electron shell's end of the screen contract: the same WebSocket a
 * browser-mode page uses, opened by the shell's main process as the kiosk
 * session's user. The agent checks that user's uid, the Origin, and the
 * credential: the first connection spends the one-time ticket from the
 * endpoint file and is handed a session token; reconnects offer the token.
 * When the agent restarted and does not know the token (close 4401), the
 * link reads the file again for a fresh ticket. It never gives up: the
 * window stays up and calls answer `agent-busy` until the agent is back.
 *
 * Each connection is one agent-side session (one staff login): `reset()`
 * closes it and opens a new one, so a reloaded or crashed page never inherits
 * a login.
 */
export class AgentLink {
  readonly #opts: AgentLinkOptions;
  readonly #sinks = new Set<(event: unknown) => void>();
  readonly #linkSinks = new Set<(connected: boolean) => void>();
  readonly #pending = new Map<number, (result: unknown) => void>();
  readonly #unsent: Array<{ id: number; frame: string }> = [];
  #socket: LinkSocket | null = null;
  #open = false;
  #token: string | null = null;
  #origin: string | null = null;
  #nextId = 1;
  #retryMs = FIRST_RETRY_MS;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #lastProblem: string | null = null;

  constructor(opts: AgentLinkOptions) {
    this.#opts = opts;
  }

  get connected(): boolean {
    return this.#open;
  }

  start(): this {
    this.#connect();
    return this;
  }

  /**
   * Relays one renderer call (`{ id, name, input }`); resolves with its result
   * (`{ ok, value }` / `{ ok: false, error }`) as the agent answered it. The
   * agent parses the envelope and the input: the shell only re-numbers it.
   */
  call(envelope: unknown): Promise<unknown> {
    // No connection under way (the agent is down, a retry is waiting): say so now rather than hang the screen.
    if (this.#closed || !this.#socket) return Promise.resolve(AGENT_BUSY_RESULT);
    const e = envelope as { name?: unknown; input?: unknown } | null;
    const id = this.#nextId++;
    const frame = JSON.stringify({ id, name: e?.name, input: e?.input });
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      if (this.#open) this.#socket!.send(frame);
      else this.#unsent.push({ id, frame });
    });
  }

  /** Receives every pushed event (raw; the renderer parses it) until the returned function is called. */
  onEvent(sink: (event: unknown) => void): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  /** Told `true` when a connection opens and `false` when it ends, until the returned function is called. */
  onLinkChange(sink: (connected: boolean) => void): () => void {
    this.#linkSinks.add(sink);
    return () => this.#linkSinks.delete(sink);
  }

  /** Ends this session (its staff login) and opens a new one at once. */
  reset(): void {
    if (this.#closed) return;
    this.#drop();
    this.#retryMs = FIRST_RETRY_MS;
    this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#drop();
    this.#sinks.clear();
    this.#linkSinks.clear();
  }

  #connect(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    const endpoint = readScreenEndpoint(this.#opts.endpointFile, BROWSER_CONTRACT_PATH, this.#opts.readFile);
    if (!('error' in endpoint)) {
      // A token is good only at the agent that issued it; a new address (port) means a new agent.
      if (endpoint.origin !== this.#origin) this.#token = null;
      this.#origin = endpoint.origin;
      this.#dial(endpoint.contractUrl, endpoint.origin, this.#token ? `${SESSION_SUBPROTOCOL_PREFIX}${this.#token}` : `${TICKET_SUBPROTOCOL_PREFIX}${endpoint.ticket}`);
    } else if (this.#token && this.#origin) {
      // No file (the agent is between runs, or its folder is not ours to read right now): the token may still be good there.
      this.#dial(`ws://${new URL(this.#origin).host}${BROWSER_CONTRACT_PATH}`, this.#origin, `${SESSION_SUBPROTOCOL_PREFIX}${this.#token}`);
    } else {
      this.#problem(`no agent endpoint yet (${endpoint.error}); retrying`);
      this.#retry();
    }
  }

  #dial(contractUrl: string, origin: string, credential: string): void {
    const factory = this.#opts.socket ?? ((url, protocols, o) => new WebSocket(url, protocols, { origin: o }));
    const socket = factory(contractUrl, [BROWSER_SUBPROTOCOL, credential], origin);
    this.#socket = socket;
    socket.on('open', () => {
      if (this.#socket !== socket) return;
      this.#setOpen(true);
      this.#retryMs = FIRST_RETRY_MS;
      if (this.#lastProblem) this.#opts.log.info({}, 'connected to the agent again');
      this.#lastProblem = null;
      for (const { frame } of this.#unsent.splice(0)) socket.send(frame);
    });
    socket.on('message', (data: Buffer) => this.#receive(data));
    socket.on('error', (err: Error) => this.#problem(`agent connection error: ${err.message}`));
    socket.on('close', (code: number) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#setOpen(false);
      this.#failPending();
      // The agent no longer knows the token (it restarted, or forgot it): take a fresh ticket from the file.
      if (code === UNAUTHORISED_CLOSE_CODE) {
        this.#token = null;
        this.#problem('the agent refused the session; reading its endpoint file again');
      } else {
        this.#problem(`agent connection closed (${code}); reconnecting`);
      }
      this.#retry();
    });
  }

  #receive(data: Buffer): void {
    let frame;
    try {
      frame = serverFrame.parse(JSON.parse(data.toString()));
    } catch {
      this.#opts.log.warn({}, 'ignored a malformed frame from the agent');
      return;
    }
    if (frame.kind === 'session') this.#token = frame.token;
    else if (frame.kind === 'event') for (const sink of this.#sinks) sink(frame.event);
    else {
      const resolve = this.#pending.get(frame.id);
      this.#pending.delete(frame.id);
      resolve?.(frame.result);
    }
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#setOpen(false);
    this.#failPending();
    socket?.close();
  }

  #setOpen(open: boolean): void {
    if (this.#open === open) return;
    this.#open = open;
    for (const sink of this.#linkSinks) sink(open);
  }

  /** Calls not answered when a connection ends resolve `agent-busy`: the agent may or may not have run them, and the screen says "try again". */
  #failPending(): void {
    this.#unsent.length = 0;
    for (const resolve of this.#pending.values()) resolve(AGENT_BUSY_RESULT);
    this.#pending.clear();
  }

  #retry(): void {
    if (this.#closed || this.#timer) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
    this.#timer = setTimeout(() => this.#connect(), wait);
  }

  /** Said once per outage, not at every retry. */
  #problem(text: string): void {
    if (this.#lastProblem === text) return;
    this.#lastProblem = text;
    this.#opts.log.warn({}, text);
  }
}

/**
 * The operator's side of the command channel (src/cloud/channel/README.md),
 * for tests and the demo: a `ws` server on 127.0.0.1 that checks the device
 * token on the upgrade, sends signed commands (or any raw text), and collects
 * what the cabinet answers: results by command id, heartbeats.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { cabinetMessageSchema, type CommandResult, type Heartbeat, signCommand, type SignedCommand, type UnsignedCommand } from '../../src/cloud/index.js';

export interface MockChannelOptions {
  /** Commands are signed with it. */
  secret: string;
  /** The device token a cabinet must present as `Authorization: Bearer <token>`; anything else gets 401. */
  token: string;
  /** 0 (default) = any free port. */
  port?: number;
  /** false: never answer pings, like a peer that died without closing (the client's pong timeout test). Default true. */
  answerPings?: boolean;
  /** How long the `next…`/`waitFor…` helpers wait before rejecting. Default 5000 ms. */
  waitMs?: number;
}

export interface MockChannel {
  /** `ws://127.0.0.1:<port>/channel` */
  readonly url: string;
  /** Every heartbeat received, in order. */
  readonly heartbeats: readonly Heartbeat[];
  /** Every result received, in order (duplicates included). */
  readonly results: readonly CommandResult[];
  /** Messages that were neither a heartbeat nor a result. */
  readonly invalid: readonly string[];
  /** Upgrades refused with 401. */
  readonly unauthorised: number;
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Pings received from cabinets (each answered unless `answerPings` is false). */
  readonly pings: number;
  /** Resolves once `count` pings were received since start. */
  waitForPings(count: number): Promise<void>;
  /** Connections open now. */
  openConnections(): number;
  /** Resolves once `count` connections were accepted since start (default: one more than now). */
  waitForConnection(count?: number): Promise<void>;
  /** Resolves once `count` upgrades were refused with 401. */
  waitForUnauthorised(count: number): Promise<void>;
  /** Signs `command` with the secret and sends it to every open connection. Throws RangeError when none is open. */
  send(command: UnsignedCommand): SignedCommand;
  /** Sends `text` as is (a bad signature, a stale or malformed command). Throws RangeError when none is open. */
  sendRaw(text: string): void;
  /** The next result for `id` (null: refusals of messages without a readable id) not handed out before. */
  nextResult(id: string | null): Promise<CommandResult>;
  /** The next heartbeat not handed out before. */
  nextHeartbeat(): Promise<Heartbeat>;
  /** Cuts every connection without a closing handshake (reconnect tests). */
  dropAll(): void;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5000;

/** Throws when the port cannot be bound. */
export async function startMockChannel(options: MockChannelOptions): Promise<MockChannel> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const expectedAuth = digest(`Bearer ${options.token}`);
  const wss = new WebSocketServer({ noServer: true, autoPong: options.answerPings ?? true, perMessageDeflate: false });
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('websocket only');
  });
  const results = new Mailbox<CommandResult>(waitMs);
  const heartbeats = new Mailbox<Heartbeat>(waitMs);
  const heartbeatLog: Heartbeat[] = [];
  const resultLog: CommandResult[] = [];
  const invalid: string[] = [];
  const counters = new Counters(waitMs);

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const auth = req.headers.authorization;
    if (auth === undefined || !timingSafeEqual(digest(auth), expectedAuth)) {
      // The client may reset as soon as it reads the status: that is not the mock's error.
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      counters.bump('unauthorised');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      counters.bump('accepted');
      ws.on('message', (data) => receive(String(data)));
      ws.on('ping', () => counters.bump('pings'));
    });
  });

  function receive(text: string): void {
    let parsed: ReturnType<typeof cabinetMessageSchema.safeParse>;
    try {
      parsed = cabinetMessageSchema.safeParse(JSON.parse(text));
    } catch {
      invalid.push(text);
      return;
    }
    if (!parsed.success) invalid.push(text);
    else if ('type' in parsed.data) {
      heartbeatLog.push(parsed.data);
      heartbeats.push(parsed.data);
    } else {
      resultLog.push(parsed.data);
      results.push(parsed.data);
    }
  }

  function open(): WebSocket[] {
    const sockets = [...wss.clients].filter((ws) => ws.readyState === ws.OPEN);
    if (sockets.length === 0) throw new RangeError('no cabinet is connected to the mock channel');
    return sockets;
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  return {
    url: `ws://127.0.0.1:${port}/channel`,
    heartbeats: heartbeatLog,
    results: resultLog,
    invalid,
    get unauthorised() {
      return counters.get('unauthorised');
    },
    get accepted() {
      return counters.get('accepted');
    },
    get pings() {
      return counters.get('pings');
    },
    waitForPings: (count) => counters.waitFor('pings', count),
    openConnections: () => [...wss.clients].filter((ws) => ws.readyState === ws.OPEN).length,
    waitForConnection: (count) => counters.waitFor('accepted', count ?? counters.get('accepted') + 1),
    waitForUnauthorised: (count) => counters.waitFor('unauthorised', count),
    send(command) {
      const signed = signCommand(command, options.secret);
      const text = JSON.stringify(signed);
      for (const ws of open()) ws.send(text);
      return signed;
    },
    sendRaw(text) {
      for (const ws of open()) ws.send(text);
    },
    nextResult: (id) => results.next((r) => r.id === id, `result for ${id ?? '(no id)'}`),
    nextHeartbeat: () => heartbeats.next(() => true, 'heartbeat'),
    dropAll() {
      for (const ws of wss.clients) ws.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function digest(text: string): Buffer {
  // Equal-length inputs for timingSafeEqual, whatever the header's length.
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Items handed out once each, to the first waiter whose filter takes them. */
class Mailbox<T> {
  readonly #items: T[] = [];
  readonly #waiters: Array<{ match: (item: T) => boolean; resolve: (item: T) => void }> = [];

  constructor(readonly waitMs: number) {}

  push(item: T): void {
    const i = this.#waiters.findIndex((w) => w.match(item));
    if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(item);
    else this.#items.push(item);
  }

  next(match: (item: T) => boolean, what: string): Promise<T> {
    const i = this.#items.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#items.splice(i, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`mock channel: no ${what} within ${this.waitMs} ms`));
      }, this.waitMs);
      this.#waiters.push(waiter);
    });
  }
}

type CounterName = 'accepted' | 'unauthorised' | 'pings';

class Counters {
  readonly #values: Record<CounterName, number> = { accepted: 0, unauthorised: 0, pings: 0 };
  readonly #waiters: Array<{ name: CounterName; count: number; resolve: () => void }> = [];

  constructor(readonly waitMs: number) {}

  get(name: CounterName): number {
    return this.#values[name];
  }

  bump(name: CounterName): void {
    this.#values[name]++;
    for (const w of [...this.#waiters]) {
      if (w.name === name && this.#values[name] >= w.count) w.resolve();
    }
  }

  waitFor(name: CounterName, count: number): Promise<void> {
    if (this.#values[name] >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        name,
        count,
        resolve: () => {
          clearTimeout(timer);
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`mock channel: ${name} did not reach ${count} within ${this.waitMs} ms (at ${this.#values[name]})`));
      }, this.waitMs);
      this.#waiters.push(waiter);
    });
  }
}

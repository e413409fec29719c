/**
 * The vendor callback receiver (issue 4 §4): a `node:http` server with one
 * POST route per configured vendor. It reads the raw body under a size limit
 * and Node's header/request timeouts (slowloris), lets the pure route verify
 * and map it, records an accepted callback in the inbox and only then
 * answers 2xx, so a vendor that got a 2xx can rely on the callback being
 * stored. A redelivery is recognised by the inbox and answered the same way
 * without being handed on again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertNever } from '../../shared/domain.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { InboundCommand, InboxPort } from '../sync/ports.js';
import { readBody } from './body.js';
import { ReceiverError } from './errors.js';
import type { CallbackContent, CallbackRoute, RouteAnswer } from './route.js';

export const DEFAULT_RECEIVER_HOST = '127.0.0.1';
/** Same default as src/main's `cloud.receiver.port`. */
export const DEFAULT_RECEIVER_PORT = 8788;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 64;
/** Node checks the two timeouts on this beat (its default, 30 s, would let a 10 s limit run to 40 s). */
const MAX_TIMEOUT_CHECK_MS = 1000;

export interface CallbackReceiverOptions {
  /** Address to bind. Default 127.0.0.1: vendors reach it through a relay or a TLS reverse proxy. */
  host?: string;
  /** Default 8788; 0 takes a free port (tests). */
  port?: number;
  /** Largest body accepted; a larger one gets 413 and is not read further. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Time allowed for the request line and headers. Default 10 000 ms. */
  headersTimeoutMs?: number;
  /** Time allowed for the whole request, body included (≥ headersTimeoutMs). Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Connections held at once; Node drops any beyond it as soon as they are accepted. Default 64. */
  maxConnections?: number;
  /** From routes.ts `callbackRoutes`: one per configured vendor. */
  routes: readonly CallbackRoute[];
}

/** What `onCallback` receives: the recorded command and the mapped callback. */
export interface ReceivedCallback {
  command: InboundCommand;
  content: CallbackContent;
}

export interface CallbackReceiverDeps {
  /** Where accepted callbacks are recorded (src/main: the store's inbox). `record` throwing → 503, nothing answered 2xx. */
  inbox: InboxPort;
  /**
   * Called once per fresh callback, after it was recorded and its answer
   * written. Its throw or rejection is logged; the answer stands (the inbox
   * row holds the callback for whoever acts on it later). Not awaited by `stop()`.
   */
  onCallback?: (received: ReceivedCallback) => void | Promise<void>;
  logger?: Logger;
  /** Default Date.now: `receivedAt` and the Yopoint freshness check. */
  now?: () => number;
}

export interface ReceiverAddress {
  host: string;
  port: number;
  /** `http://host:port` (IPv6 bracketed). */
  url: string;
}

const PLAIN = 'text/plain; charset=utf-8';

export class CallbackReceiver {
  readonly #routes: ReadonlyMap<string, CallbackRoute>;
  readonly #host: string;
  readonly #port: number;
  readonly #maxBodyBytes: number;
  readonly #server: Server;
  readonly #inbox: InboxPort;
  readonly #onCallback: CallbackReceiverDeps['onCallback'];
  readonly #log: Logger;
  readonly #now: () => number;
  #listening = false;

  /** Throws ReceiverError('bad-option') for an out-of-range option, ReceiverError('duplicate-route') for two routes on one path. */
  constructor(options: CallbackReceiverOptions, deps: CallbackReceiverDeps) {
    const routes = new Map<string, CallbackRoute>();
    for (const route of options.routes) {
      if (routes.has(route.path)) throw new ReceiverError('duplicate-route', `two callback routes on ${route.path}`, { path: route.path });
      routes.set(route.path, route);
    }
    const port = options.port ?? DEFAULT_RECEIVER_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw badOption('port', 'an integer 0–65535');
    const maxBodyBytes = positive(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
    const headersTimeout = positive(options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS, 'headersTimeoutMs');
    const requestTimeout = positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
    // Node refuses headersTimeout > requestTimeout; say which option to fix instead of its ERR_OUT_OF_RANGE.
    if (headersTimeout > requestTimeout) throw badOption('headersTimeoutMs', 'at most requestTimeoutMs');

    this.#routes = routes;
    this.#host = options.host ?? DEFAULT_RECEIVER_HOST;
    this.#port = port;
    this.#maxBodyBytes = maxBodyBytes;
    this.#inbox = deps.inbox;
    this.#onCallback = deps.onCallback;
    this.#log = (deps.logger ?? silentLogger).child({ module: 'cloud/receiver' });
    this.#now = deps.now ?? Date.now;
    this.#server = createServer(
      {
        headersTimeout: headersTimeout,
        requestTimeout: requestTimeout,
        connectionsCheckingInterval: Math.max(10, Math.min(MAX_TIMEOUT_CHECK_MS, Math.floor(headersTimeout / 2))),
      },
      (req, res) => this.#handle(req, res),
    );
    // An accept failure (EMFILE) is emitted here; unhandled it would end the whole agent.
    this.#server.on('error', (err: NodeJS.ErrnoException) => {
      if (this.#server.listening) this.#log.error({ error: err.code ?? err.message }, 'callback receiver socket error');
    });
    this.#server.maxConnections = positive(options.maxConnections, DEFAULT_MAX_CONNECTIONS, 'maxConnections');
  }

  /** The enabled route paths, for `status` and the startup log. */
  get paths(): string[] {
    return [...this.#routes.keys()];
  }

  /**
   * Binds and listens. Throws ReceiverError('already-started'), ReceiverError('listen-failed') with the system error as `cause`;
   * after listen-failed it may be called again.
   */
  async start(): Promise<ReceiverAddress> {
    if (this.#listening) throw new ReceiverError('already-started', 'the callback receiver is already listening');
    this.#listening = true;
    try {
      await new Promise<void>((resolve, reject) => {
        // Both listeners go whichever fires: start() may be retried after a failure, forever on a port
        // that stays taken, and a listen callback left behind by each failed try would pile up on the server.
        const onError = (err: Error): void => {
          this.#server.off('listening', onListening);
          reject(new ReceiverError('listen-failed', `cannot listen on ${this.#host}:${this.#port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { host: this.#host, port: this.#port }, { cause: err }));
        };
        const onListening = (): void => {
          this.#server.off('error', onError);
          resolve();
        };
        this.#server.once('error', onError);
        this.#server.once('listening', onListening);
        this.#server.listen(this.#port, this.#host);
      });
    } catch (err) {
      this.#listening = false;
      throw err;
    }
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#log.info({ host: address.address, port: address.port, routes: this.paths }, 'callback receiver listening');
    return { host: address.address, port: address.port, url: `http://${host}:${address.port}` };
  }

  /**
   * Stops listening and closes every connection. A request cut off here was
   * either recorded (its redelivery is a duplicate) or not (its redelivery is
   * fresh): nothing is lost either way. Never throws.
   */
  async stop(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '/';
    const path = target.split('?', 1)[0] ?? '/';
    const route = this.#routes.get(path);
    // Neither refusal reads the body: close the connection rather than drain whatever follows.
    if (route === undefined) return send(res, { status: 404, contentType: PLAIN, body: 'not found' }, true);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, { status: 405, contentType: PLAIN, body: 'method not allowed' }, true);
    }
    void readBody(req, this.#maxBodyBytes)
      .then((read) => {
        switch (read.kind) {
          case 'aborted':
            // The peer left or Node's request timeout answered 408 already; there is no one to answer.
            this.#log.warn({ vendor: route.vendor }, 'callback body not completed; nothing stored');
            return;
          case 'too-large':
            this.#log.warn({ vendor: route.vendor, maxBodyBytes: this.#maxBodyBytes }, 'callback body over the limit; refused, nothing stored');
            return send(res, route.refusal('too-large'), true);
          case 'complete':
            return this.#dispatch(route, { target, headers: req.headers, body: read.body }, res);
          default:
            return assertNever(read, 'body read');
        }
      })
      .catch((err: unknown) => {
        // A route broke its "does not throw" contract: whatever happened, no 2xx was sent after a failed record.
        this.#log.error({ vendor: route.vendor, error: describe(err) }, 'callback handling failed; answered 500');
        send(res, { status: 500, contentType: PLAIN, body: 'internal error' }, true);
      });
  }

  #dispatch(route: CallbackRoute, request: { target: string; headers: IncomingMessage['headers']; body: Buffer }, res: ServerResponse): void {
    const verdict = route.handle(request, this.#now());
    if (verdict.verdict === 'refuse') {
      // Never the target (a token), the body or a signature.
      this.#log.warn({ vendor: route.vendor, status: verdict.status, reason: verdict.reason }, 'callback refused; nothing stored');
      return send(res, verdict.answer, false);
    }
    const { command, content } = verdict;
    let recorded: ReturnType<InboxPort['record']>;
    try {
      recorded = this.#inbox.record(command, content);
    } catch (err) {
      // Disk full, database locked: no 2xx, so the vendor redelivers and we try again then.
      this.#log.error({ vendor: route.vendor, commandId: command.commandId, error: describe(err) }, 'callback could not be recorded; answered 503');
      return send(res, route.refusal('inbox-unavailable'), false);
    }
    send(res, verdict.answer, false);
    if (!recorded.fresh) {
      this.#log.info({ vendor: route.vendor, commandId: command.commandId, type: command.type }, 'callback redelivered; answered as before');
      return;
    }
    this.#log.info({ vendor: route.vendor, commandId: command.commandId, type: command.type }, 'callback recorded');
    this.#notify({ command, content });
  }

  #notify(received: ReceivedCallback): void {
    if (this.#onCallback === undefined) return;
    const failed = (err: unknown): void =>
      this.#log.error({ vendor: received.command.source, commandId: received.command.commandId, error: describe(err) }, 'callback handler failed; the callback stays recorded');
    try {
      void Promise.resolve(this.#onCallback(received)).catch(failed);
    } catch (err) {
      failed(err);
    }
  }
}

function send(res: ServerResponse, answer: RouteAnswer, close: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, {
    'content-type': answer.contentType,
    'content-length': body.length,
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw badOption(name, 'a positive integer');
  return v;
}

function badOption(name: string, want: string): ReceiverError {
  return new ReceiverError('bad-option', `callback receiver: ${name} must be ${want}`, { option: name });
}

/** An error's name and message for a log line; the store's and main's errors carry no secret. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

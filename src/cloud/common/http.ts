/**
 * The one HTTP exchange every vendor client and destination makes, over
 * node:http(s): a per-attempt timeout joined to the caller's signal,
 * redirects answered and not followed, and a bounded read of the answer.
 * Not fetch: undici's per-request machinery (web streams, several
 * AbortSignals) cost ~0.3 ms of CPU and ~50 MB of heap churn per backlog
 * drain on the bench box (bench/cloud-drain.ts), and its pool opens a
 * second connection when a request goes out before the last socket is back.
 */
import http from 'node:http';
import https from 'node:https';

export const USER_AGENT = 'cabinet-kiosk';
/** Read at most this much of an answer: enough for any vendor reply we parse, bounded against a hostile endpoint. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HttpRequest {
  url: URL | string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** The caller's cancel (the drainer's stop); combined with the timeout. */
  signal?: AbortSignal;
  /** One exchange's limit, body included. */
  timeoutMs: number;
  /** Default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
  /** The connection pool to use: a destination passes its own `keepAliveAgent(url)` so its backlog goes over one socket. Default: a shared keep-alive pool. */
  agent?: http.Agent;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Epoch ms when the request left and when the answer's headers arrived: the clock-offset tracker's window. */
  sentAt: number;
  receivedAt: number;
}

/** One keep-alive socket, reused; further requests queue on it instead of opening a second connection. */
export function keepAliveAgent(url: URL): http.Agent {
  const options = { keepAlive: true, maxSockets: 1 };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

const shared = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/**
 * Throws what node:http throws (ECONNREFUSED, ECONNRESET …, with `code`),
 * a DOMException `TimeoutError` after timeoutMs, the signal's reason (`AbortError`)
 * when the caller aborts: what sync/classify.ts classifyError reads. Redirects
 * are answers, never followed: a signed request re-sent to wherever a redirect
 * points is not ours to decide.
 */
export function httpSend(request: HttpRequest, now: () => number = Date.now): Promise<HttpAnswer> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const limit = request.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  return new Promise<HttpAnswer>((resolve, reject) => {
    const sentAt = now();
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, {
      method: request.method,
      agent: request.agent ?? shared[url.protocol === 'https:' ? 'https:' : 'http:'],
      headers: { 'user-agent': USER_AGENT, ...request.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) },
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    let response: http.IncomingMessage | undefined;
    // One limit for the whole exchange, body included. Once the status line is in, it is the answer: a stalled body ends the read, not the exchange.
    const timer = setTimeout(() => {
      if (response === undefined) req.destroy(new DOMException(`no answer within ${request.timeoutMs} ms`, 'TimeoutError'));
      else response.destroy();
    }, request.timeoutMs);
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err); // no-op once resolved
    });
    req.once('response', (res) => {
      response = res;
      const receivedAt = now();
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      let complete = false;
      const done = (): void => {
        clearTimeout(timer);
        // A body cut short (stalled, reset) is dropped as fetch's failed read was: the status alone is the answer.
        resolve({ status: res.statusCode ?? 0, headers, text: complete ? Buffer.concat(chunks).toString('utf8') : '', sentAt, receivedAt });
      };
      res.on('data', (chunk: Buffer) => {
        const room = limit - total;
        if (room <= 0) return;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        total += Math.min(room, chunk.length);
        // Enough read: drop the rest, and with it this connection (its stream position is lost).
        if (total >= limit) {
          complete = true;
          res.destroy();
        }
      });
      res.once('end', () => {
        complete = true;
        done();
      });
      // A body that breaks or stalls after the status line: the status is the answer.
      res.once('close', done);
      res.once('error', () => undefined);
    });
    req.end(body);
  });
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The one rule for a URL that carries a secret (a credential header, a
 * signature key, a plain pickup code): https, or plain http only to this
 * machine (the local mock, or a relay on this PC): loopback is not the network.
 */
export function isHttpsUnlessLoopback(url: URL): boolean {
  return url.protocol === 'https:' || isLoopback(url.hostname);
}

/** Parses an http(s) URL from configuration. Throws RangeError naming `what` (never echoing the URL: it may carry a token). */
export function httpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`${what}: url is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`${what}: url must be http(s)`);
  return url;
}

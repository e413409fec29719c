import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerFrame } from '../../shared/contract.js';
import type { ContractHost } from './contract-host.js';

export const WS_PATH = '/contract';
export const WS_PROTOCOL = 'cabinet-kiosk.v1';
const TOKEN_PREFIX = 'token.';
/** The renderer shows "open this screen from the kiosk agent" on this close code. */
export const CLOSE_BAD_TOKEN = 4401;
/** A call is a few hundred bytes; anything near this is not our renderer. */
const MAX_MESSAGE_BYTES = 64 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export interface BrowserServer {
  /** Open this: the token rides in the fragment, which never reaches a server log or a Referer. */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export interface BrowserServerOptions {
  host: ContractHost;
  rendererDir: string;
  port: number;
  log: PinoLogger;
}

/**
 * Browser mode: the same renderer served on 127.0.0.1 and the contract over
 * a WebSocket. Only a page from this very origin holding this launch's token
 * gets a session: the Host and Origin checks stop DNS-rebinding and other
 * local pages, the token stops other local users and processes.
 */
export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  const token = randomBytes(24).toString('base64url');
  const server = createServer();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const csp = contentSecurityPolicy(port);

  server.on('request', (req, res) => {
    void serveFile(req, res, { rendererDir: opts.rendererDir, hostHeader: `127.0.0.1:${port}`, csp }).catch((err: unknown) => {
      opts.log.error({ err, url: req.url }, 'browser mode: could not serve a file');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const refusal = refuseUpgrade(req, origin, port);
    if (refusal) {
      opts.log.warn({ origin: req.headers.origin ?? null, url: req.url, refusal }, 'browser mode: refused a WebSocket');
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Our own page with a stale token (agent restarted) is told so and can say so.
      if (!offeredToken(req, token)) {
        opts.log.warn('browser mode: a screen offered a wrong or stale token');
        ws.close(CLOSE_BAD_TOKEN, 'bad token');
        return;
      }
      attachSession(ws, opts.host, opts.log);
    });
  });

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function attachSession(ws: WebSocket, host: ContractHost, log: PinoLogger): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const session = host.openSession((event) => send({ kind: 'event', event }));
  ws.on('message', (data, isBinary) => {
    let envelope: unknown;
    try {
      envelope = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      envelope = undefined;
    }
    void session.handle(envelope).then((reply) => send({ kind: 'reply', id: reply.id, result: reply.result }));
  });
  ws.on('close', () => session.close());
  ws.on('error', (err) => log.warn({ err }, 'browser mode: WebSocket error'));
}

/** Why an upgrade is refused outright (an HTTP status line), or null to go on. */
export function refuseUpgrade(req: Pick<IncomingMessage, 'url' | 'headers'>, origin: string, port: number): string | null {
  if ((req.url ?? '').split('?')[0] !== WS_PATH) return '404 Not Found';
  if (req.headers.host !== `127.0.0.1:${port}`) return '421 Misdirected Request';
  if (req.headers.origin !== origin) return '403 Forbidden';
  return null;
}

function offeredToken(req: IncomingMessage, token: string): boolean {
  const offered = (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(TOKEN_PREFIX));
  if (!offered) return false;
  const a = Buffer.from(offered.slice(TOKEN_PREFIX.length));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

async function serveFile(req: IncomingMessage, res: ServerResponse, o: { rendererDir: string; hostHeader: string; csp: string }): Promise<void> {
  if (req.headers.host !== o.hostHeader) {
    res.writeHead(421).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = fileFor(o.rendererDir, req.url ?? '/');
  const body = file ? await readFile(file).catch(() => null) : null;
  if (!file || !body) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': o.csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    // Hashed asset names may be cached; the page itself is fetched fresh after an update.
    'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The file under `root` for a request path, or null when it would leave `root`. */
export function fileFor(root: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
  if (rel.startsWith('..') || rel.split(/[/\\]/).includes('..')) return null;
  const full = join(root, rel);
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

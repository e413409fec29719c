import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BROWSER_CONTRACT_PATH,
  BROWSER_SUBPROTOCOL,
  LAUNCH_TICKET_PARAM,
  SESSION_SUBPROTOCOL_PREFIX,
  TICKET_SUBPROTOCOL_PREFIX,
  UNAUTHORISED_CLOSE_CODE,
  type ServerFrame,
} from '../../shared/contract.js';
import type { ContractHost } from './contract-host.js';
import type { PeerGuard } from './peer-guard.js';
import { SessionKeys } from './session-keys.js';

export const WS_PATH = BROWSER_CONTRACT_PATH;
export const WS_PROTOCOL = BROWSER_SUBPROTOCOL;
/** The renderer shows "open this screen from the kiosk agent" on this close code. */
export const CLOSE_BAD_TOKEN = UNAUTHORISED_CLOSE_CODE;
/** A call is a few hundred bytes; anything near this is not our renderer. */
const MAX_MESSAGE_BYTES = 64 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  // The screen's recorded voice prompts (src/renderer/assets/voice).
  '.wav': 'audio/wav',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export interface BrowserServer {
  /**
   * A new address of the screen carrying a one-time ticket in its fragment
   * (which never reaches a server log or a Referer). `onRedeemed` runs when a
   * page uses the ticket up.
   */
  launchUrl(onRedeemed?: () => void): string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export interface BrowserServerOptions {
  host: ContractHost;
  rendererDir: string;
  port: number;
  /** Which local users may connect (the kernel's answer for each TCP connection). */
  peers: PeerGuard;
  log: PinoLogger;
  /** Where session tokens (as digests) survive an agent restart (SessionKeys); memory only when absent. */
  sessionsFile?: string;
}

/**
 * Browser mode: the same renderer served on 127.0.0.1 and the contract over
 * a WebSocket. Only a connection owned by an allowed local user (PeerGuard)
 * gets the page or a session, and a session only from this very origin with a
 * ticket or session token (SessionKeys): the Host and Origin checks stop
 * DNS-rebinding and other local pages, the uid check stops other local users
 * even when they read a ticket from Chromium's argv.
 */
export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  const keys = new SessionKeys(opts.sessionsFile);
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
    void (async () => {
      const peer = await opts.peers.check(req.socket);
      if (!peer.allowed) {
        opts.log.warn({ uid: peer.uid, url: req.url }, 'browser mode: refused a page request from a user not in ui.allowedUids');
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('forbidden');
        return;
      }
      await serveFile(req, res, { rendererDir: opts.rendererDir, hostHeader: `127.0.0.1:${port}`, csp });
    })().catch((err: unknown) => {
      opts.log.error({ err, url: req.url }, 'browser mode: could not serve a file');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('upgrade', (req, socket: Socket, head) => {
    void opts.peers.check(socket).then((peer) => {
      const refusal = peer.allowed ? refuseUpgrade(req, origin, port) : '403 Forbidden';
      if (refusal) {
        opts.log.warn({ origin: req.headers.origin ?? null, url: req.url, refusal, ...(peer.allowed ? {} : { uid: peer.uid }) }, 'browser mode: refused a WebSocket');
        socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const session = admit(offeredCredential(req), keys);
        // Our own page with a spent ticket or a stale token (agent restarted) is told so and can say so.
        if (!session) {
          opts.log.warn('browser mode: a screen offered no, a spent or an unknown ticket or token');
          ws.close(CLOSE_BAD_TOKEN, 'bad token');
          return;
        }
        attachSession(ws, opts.host, opts.log, session.newToken);
      });
    });
  });

  return {
    launchUrl: (onRedeemed) => `${origin}/#${LAUNCH_TICKET_PARAM}=${keys.issueTicket(onRedeemed)}`,
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

function attachSession(ws: WebSocket, host: ContractHost, log: PinoLogger, newToken: string | null): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  // First, before any event: the page keeps it for its reconnects.
  if (newToken) send({ kind: 'session', token: newToken });
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

export type Credential = { kind: 'ticket' | 'token'; value: string } | null;

/** The ticket or session token among the offered subprotocols (a ticket wins: it is the fresher). */
export function offeredCredential(req: Pick<IncomingMessage, 'headers'>): Credential {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const ticket = offered.find((p) => p.startsWith(TICKET_SUBPROTOCOL_PREFIX));
  if (ticket) return { kind: 'ticket', value: ticket.slice(TICKET_SUBPROTOCOL_PREFIX.length) };
  const token = offered.find((p) => p.startsWith(SESSION_SUBPROTOCOL_PREFIX));
  return token ? { kind: 'token', value: token.slice(SESSION_SUBPROTOCOL_PREFIX.length) } : null;
}

/** A session for this credential (with the token to hand over when it came by ticket), or null. */
function admit(credential: Credential, keys: SessionKeys): { newToken: string | null } | null {
  if (!credential) return null;
  if (credential.kind === 'token') return keys.isSession(credential.value) ? { newToken: null } : null;
  const token = keys.redeem(credential.value);
  return token ? { newToken: token } : null;
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

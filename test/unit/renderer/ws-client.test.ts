import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { PushedEvent } from '../../../src/shared/contract.js';
import type { ConnectionState } from '../../../src/renderer/api/kiosk-api.js';
import { sessionStoreOver } from '../../../src/renderer/api/session-store.js';
import { CONTRACT_SUBPROTOCOL, UNAUTHORISED_CLOSE_CODE, WsKioskClient } from '../../../src/renderer/api/ws-client.js';

const TICKET = 'launch-ticket-123';
const HEALTH = { lockBus: 'connected', cloud: 'not-configured', outbox: { pending: 0, dead: 0 }, alarms: [] } as const;

interface Harness {
  url: string;
  server: WebSocketServer;
  connections: ServerSocket[];
  protocols: string[][];
  received: Array<{ id: number; name: string; input: unknown }>;
  close(): Promise<void>;
}

/** A real `ws` server on 127.0.0.1 standing in for browser mode; `onCall` answers each envelope. */
async function serve(onCall: (socket: ServerSocket, msg: { id: number; name: string; input: unknown }) => void = () => {}): Promise<Harness> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/contract', handleProtocols: (offered) => (offered.has(CONTRACT_SUBPROTOCOL) ? CONTRACT_SUBPROTOCOL : false) });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const h: Harness = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/contract`,
    server,
    connections: [],
    protocols: [],
    received: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket, req) => {
    h.connections.push(socket);
    h.protocols.push((req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()));
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id: number; name: string; input: unknown };
      h.received.push(msg);
      onCall(socket, msg);
    });
  });
  return h;
}

const reply = (socket: ServerSocket, id: number, result: unknown) => socket.send(JSON.stringify({ kind: 'reply', id, result }));
const sessionInfo = {
  contractVersion: 1,
  cabinetId: 'T-1',
  cabinetName: null,
  supportPhone: null,
  supportQr: null,
  codeLength: { min: 6, max: 8 },
  defaultLanguage: 'zh',
  idleResetMs: 45_000,
  serviceIdleExitMs: 120_000,
  outageAfterMs: 3_000,
  sound: false,
  voice: false,
  cabinetMap: null,
  shell: 'browser',
};

function until(check: () => boolean, ms = 3_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - start > ms) reject(new Error('timed out waiting'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('browser-mode WebSocket client (against a real ws server)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const start = (h: Harness, opts: Partial<ConstructorParameters<typeof WsKioskClient>[0]> = {}) => {
    const warn = vi.fn();
    const client = new WsKioskClient({ url: h.url, ticket: TICKET, WebSocketImpl: WebSocket, warn, backoff: { initialMs: 20, maxMs: 80 }, ...opts }).start();
    cleanups.push(() => client.stop());
    return { client, warn };
  };

  it('offers the contract subprotocol and the ticket, queues calls until open and parses the reply', async () => {
    const h = await serve((socket, msg) => reply(socket, msg.id, { ok: true, value: sessionInfo }));
    cleanups.push(() => h.close());
    const { client } = start(h);
    const result = await client.call('session.info', {});
    expect(result).toEqual({ ok: true, value: sessionInfo });
    expect(h.protocols[0]).toEqual([CONTRACT_SUBPROTOCOL, `ticket.${TICKET}`]);
    expect(h.received[0]).toEqual({ id: 1, name: 'session.info', input: {} });
    expect(client.status).toBe('open');
  });

  it('matches replies to calls by id, in any order', async () => {
    const h = await serve();
    cleanups.push(() => h.close());
    const { client } = start(h);
    const a = client.call('health.get', {});
    const b = client.call('keypad.activity', {});
    await until(() => h.received.length === 2);
    const socket = h.connections[0]!;
    reply(socket, h.received[1]!.id, { ok: true, value: null });
    reply(socket, h.received[0]!.id, { ok: true, value: HEALTH });
    await expect(b).resolves.toEqual({ ok: true, value: null });
    await expect(a).resolves.toEqual({ ok: true, value: HEALTH });
  });

  it('passes error results through and turns a malformed reply into `internal`', async () => {
    const h = await serve((socket, msg) => {
      if (msg.name === 'pickup') reply(socket, msg.id, { ok: false, error: { code: 'locked-out', meta: { retryAfterMs: 3000 } } });
      else reply(socket, msg.id, { ok: true, value: { wrong: 'shape' } });
    });
    cleanups.push(() => h.close());
    const { client } = start(h);
    await expect(client.call('pickup', { code: '123456' })).resolves.toEqual({ ok: false, error: { code: 'locked-out', meta: { retryAfterMs: 3000 } } });
    const bad = await client.call('health.get', {});
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('internal');
  });

  it('refuses an input the contract would refuse, without sending it', async () => {
    const h = await serve();
    cleanups.push(() => h.close());
    const { client } = start(h);
    const result = await client.call('pickup', { code: '12ab' });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(h.received).toEqual([]);
  });

  it('delivers well-formed pushed events and drops malformed frames with a warning', async () => {
    const h = await serve();
    cleanups.push(() => h.close());
    const { client, warn } = start(h);
    const events: PushedEvent[] = [];
    client.onEvent((e) => events.push(e));
    await until(() => client.status === 'open');
    const socket = h.connections[0]!;
    socket.send('not json');
    socket.send(JSON.stringify({ kind: 'event', event: { type: 'health', health: { lockBus: 'maybe' } } }));
    socket.send(JSON.stringify({ kind: 'gossip' }));
    socket.send(JSON.stringify({ kind: 'reply', id: 999, result: { ok: true, value: null } }));
    socket.send(JSON.stringify({ kind: 'event', event: { type: 'health', health: HEALTH } }));
    socket.send(JSON.stringify({ kind: 'event', event: { type: 'staff-ended' } }));
    await until(() => events.length === 2);
    expect(events).toEqual([{ type: 'health', health: HEALTH }, { type: 'staff-ended' }]);
    expect(warn).toHaveBeenCalledTimes(4);
  });

  it('fails calls in flight with agent-busy, marked linkLost (the agent may have acted), when the socket drops, shows reconnecting, and reconnects', async () => {
    const h = await serve();
    cleanups.push(() => h.close());
    const { client } = start(h);
    const states: ConnectionState[] = [];
    client.onStatus((s) => states.push(s));
    const pending = client.call('dropoff.awaitStored', { parcelId: 'p-1' });
    await until(() => h.received.length === 1);
    h.connections[0]!.terminate();
    await expect(pending).resolves.toEqual({ ok: false, error: { code: 'agent-busy', meta: { linkLost: true } } });
    await until(() => h.connections.length === 2 && client.status === 'open');
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    // The new connection carries calls again.
    const next = client.call('keypad.activity', {});
    await until(() => h.received.length === 2);
    reply(h.connections[1]!, h.received[1]!.id, { ok: true, value: null });
    await expect(next).resolves.toEqual({ ok: true, value: null });
  });

  it('keeps retrying with backoff while the server is away', async () => {
    const h = await serve();
    const url = h.url;
    await h.close();
    const delays: number[] = [];
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        delays.push(ms);
        return setTimeout(fn, 1);
      },
      clearTimeout: (t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>),
    };
    const client = new WsKioskClient({ url, ticket: TICKET, WebSocketImpl: WebSocket, timers, warn: () => {} }).start();
    cleanups.push(() => client.stop());
    const first = await client.call('session.info', {});
    expect(first).toEqual({ ok: false, error: { code: 'agent-busy' } });
    await until(() => delays.length >= 6);
    expect(delays.slice(0, 6)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(client.status).toBe('reconnecting');
  });

  it('on close code 4401 (bad credential) says unauthorised, refuses calls, and retries at the slowest pace only: a token taken back recovers the screen', async () => {
    const h = await serve((socket, msg) => reply(socket, msg.id, { ok: true, value: null }));
    cleanups.push(() => h.close());
    let refuse = true;
    h.server.prependListener('connection', (socket) => {
      if (refuse) socket.close(UNAUTHORISED_CLOSE_CODE, 'bad token');
    });
    const delays: number[] = [];
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        delays.push(ms);
        return setTimeout(fn, ms);
      },
      clearTimeout: (t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>),
    };
    const { client } = start(h, { ticket: 'spent', timers });
    const states: ConnectionState[] = [];
    client.onStatus((s) => states.push(s));
    await expect(client.call('session.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'agent-busy' } });
    await until(() => client.status === 'unauthorised');
    await expect(client.call('keypad.activity', {})).resolves.toMatchObject({ ok: false, error: { code: 'not-authorised' } });
    await until(() => h.connections.length >= 3, 10_000);
    // Only the slowest wait (backoff.maxMs = 80 here), never the fast first ones; and a retry that
    // opens stays "unauthorised" for the refusal grace (500 ms): no flicker to "open" and back.
    expect(new Set(delays)).toEqual(new Set([80, 500]));
    expect(states.filter((s) => s === 'open')).toEqual(['open']); // the first connection only, before any refusal
    // The agent takes the credential back (a restart on its session file): the screen recovers.
    refuse = false;
    await until(() => client.status === 'open', 10_000);
    expect(states.at(-1)).toBe('open');
    await expect(client.call('keypad.activity', {})).resolves.toEqual({ ok: true, value: null });
  });

  it('sends no credential subprotocol when it has neither ticket nor token', async () => {
    const h = await serve((socket, msg) => reply(socket, msg.id, { ok: true, value: null }));
    cleanups.push(() => h.close());
    const { client } = start(h, { ticket: null });
    await client.call('keypad.activity', {});
    expect(h.protocols[0]).toEqual([CONTRACT_SUBPROTOCOL]);
  });

  it('spends the ticket once, keeps the session token it is handed and offers it on every reconnect', async () => {
    const h = await serve((socket, msg) => reply(socket, msg.id, { ok: true, value: null }));
    cleanups.push(() => h.close());
    h.server.on('connection', (socket, req) => {
      if (String(req.headers['sec-websocket-protocol']).includes('ticket.')) socket.send(JSON.stringify({ kind: 'session', token: 'session-token-abcdef' }));
    });
    const stored = new Map<string, string>();
    const session = sessionStoreOver({ getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v) });
    const { client } = start(h, { session });
    await client.call('keypad.activity', {});
    await until(() => session.read() === 'session-token-abcdef');
    // A network blip: the server drops the connection; the page comes back with its token.
    h.connections[0]!.terminate();
    await until(() => h.connections.length === 2 && client.status === 'open');
    expect(h.protocols).toEqual([
      [CONTRACT_SUBPROTOCOL, `ticket.${TICKET}`],
      [CONTRACT_SUBPROTOCOL, 'token.session-token-abcdef'],
    ]);
    // A reloaded page has no ticket, only what the tab kept.
    const reloaded = start(h, { ticket: null, session: sessionStoreOver({ getItem: (k) => stored.get(k) ?? null, setItem: () => {} }) }).client;
    await reloaded.call('keypad.activity', {});
    expect(h.protocols[2]).toEqual([CONTRACT_SUBPROTOCOL, 'token.session-token-abcdef']);
  });
});

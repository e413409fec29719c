import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { verifyCommand } from '../../../src/cloud/channel/command.js';
import { startMockChannel, type MockChannel } from '../../../tools/mock-cloud/channel.js';

/** The mock operator channel driven by a bare `ws` client, so the mock is checked apart from CommandChannel. */

const SECRET = 'mock-channel-secret-00001';
const TOKEN = 'mock-device-token-0001';
const NOW = 1_750_000_000_000;

let mocks: MockChannel[] = [];
let sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets) s.terminate();
  await Promise.all(mocks.map((m) => m.close()));
  mocks = [];
  sockets = [];
});

async function mock(options: { answerPings?: boolean; waitMs?: number } = {}): Promise<MockChannel> {
  const m = await startMockChannel({ secret: SECRET, token: TOKEN, waitMs: 2000, ...options });
  mocks.push(m);
  return m;
}

/** Opens a client; resolves with the socket once open, or with the HTTP status of a refused upgrade. */
function dial(url: string, token: string | null): Promise<{ socket: WebSocket } | { status: number }> {
  const socket = new WebSocket(url, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
    });
    socket.once('error', reject);
  });
}

async function connected(m: MockChannel): Promise<WebSocket> {
  const r = await dial(m.url, TOKEN);
  if (!('socket' in r)) throw new Error(`refused ${r.status}`);
  return r.socket;
}

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(String(data))));
}

describe('startMockChannel', () => {
  it('answers 401 to a missing or wrong token and counts it', async () => {
    const m = await mock();
    expect(await dial(m.url, null)).toEqual({ status: 401 });
    expect(await dial(m.url, 'wrong-token')).toEqual({ status: 401 });
    expect(await dial(m.url, `${TOKEN}x`)).toEqual({ status: 401 });
    expect(m.unauthorised).toBe(3);
    expect(m.accepted).toBe(0);
    await connected(m);
    expect(m.accepted).toBe(1);
    expect(m.openConnections()).toBe(1);
  });

  it('send signs with the secret: the cabinet side verifies it', async () => {
    const m = await mock();
    const socket = await connected(m);
    const message = nextMessage(socket);
    const sent = m.send({ id: 'c1', type: 'open', args: { compartment: 'A01' }, issuedAt: NOW });
    const text = await message;
    expect(JSON.parse(text)).toEqual(sent);
    expect(verifyCommand(text, SECRET, NOW)).toEqual({ ok: true, command: { id: 'c1', type: 'open', args: { compartment: 'A01' }, issuedAt: NOW } });
    expect(verifyCommand(text, 'another-secret-000000', NOW)).toMatchObject({ ok: false, code: 'bad-signature' });
  });

  it('sendRaw sends the text as is; sending with nobody connected throws', async () => {
    const m = await mock();
    expect(() => m.sendRaw('x')).toThrow(RangeError);
    expect(() => m.send({ id: 'c', type: 'status', args: {}, issuedAt: NOW })).toThrow(RangeError);
    const socket = await connected(m);
    const message = nextMessage(socket);
    m.sendRaw('{"not":"signed"}');
    expect(await message).toBe('{"not":"signed"}');
  });

  it('sorts what the cabinet sends: results by id (each handed out once), heartbeats, the rest as invalid', async () => {
    const m = await mock({ waitMs: 100 });
    const socket = await connected(m);
    const heartbeat = { type: 'heartbeat', at: NOW, appVersion: '1', doors: [], outbox: { depth: 0, oldestPendingAgeMs: null }, quickCheck: { ok: true, detail: ['ok'] } };
    socket.send(JSON.stringify({ id: 'c2', ok: false, code: 'stale', message: 'old' }));
    socket.send(JSON.stringify({ id: 'c1', ok: true, data: 1 }));
    socket.send(JSON.stringify(heartbeat));
    socket.send(JSON.stringify({ id: 'c1', ok: true, data: 2 }));
    socket.send('not json');
    socket.send(JSON.stringify({ type: 'heartbeat' }));
    expect(await m.nextResult('c1')).toEqual({ id: 'c1', ok: true, data: 1 });
    expect(await m.nextResult('c1')).toEqual({ id: 'c1', ok: true, data: 2 });
    expect(await m.nextResult('c2')).toEqual({ id: 'c2', ok: false, code: 'stale', message: 'old' });
    expect(await m.nextHeartbeat()).toEqual(heartbeat);
    await expect(m.nextResult('c1')).rejects.toThrow(/no result for c1 within 100 ms/);
    expect(m.heartbeats).toEqual([heartbeat]);
    expect(m.results.map((r) => r.id)).toEqual(['c2', 'c1', 'c1']);
    expect(m.invalid).toEqual(['not json', '{"type":"heartbeat"}']);
  });

  it('a waiter registered before the result arrives gets it', async () => {
    const m = await mock();
    const socket = await connected(m);
    const waiting = m.nextResult(null);
    socket.send(JSON.stringify({ id: null, ok: false, code: 'malformed', message: 'not JSON' }));
    expect(await waiting).toEqual({ id: null, ok: false, code: 'malformed', message: 'not JSON' });
  });

  it('dropAll cuts every connection; a new one is counted', async () => {
    const m = await mock();
    const a = await connected(m);
    const b = await connected(m);
    const closed = Promise.all([a, b].map((s) => new Promise<number>((resolve) => s.once('close', (code) => resolve(code)))));
    m.dropAll();
    // 1006: closed without a closing handshake, as a dead link looks to the cabinet.
    expect(await closed).toEqual([1006, 1006]);
    const next = m.waitForConnection();
    await connected(m);
    await next;
    expect(m.accepted).toBe(3);
  });

  it('answers pings by default and counts them; with answerPings false it stays silent', async () => {
    const live = await mock();
    const socket = await connected(live);
    const pong = new Promise<void>((resolve) => socket.once('pong', () => resolve()));
    socket.ping();
    await pong;
    expect(live.pings).toBe(1);

    const dead = await mock({ answerPings: false });
    const quiet = await connected(dead);
    let ponged = false;
    quiet.on('pong', () => (ponged = true));
    quiet.ping();
    await dead.waitForPings(1);
    // A message sent after the ping comes back after any pong would have: the order on one socket is kept.
    const message = nextMessage(quiet);
    dead.sendRaw('after');
    expect(await message).toBe('after');
    expect(ponged).toBe(false);
  });

  it('plain HTTP gets 426', async () => {
    const m = await mock();
    const res = await fetch(m.url.replace('ws:', 'http:'));
    expect(res.status).toBe(426);
    await res.text();
  });
});

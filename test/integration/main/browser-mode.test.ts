import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { startBrowserServer } from '../../../src/main/ui/browser-server.js';
import { startBrowserUi, type BrowserUi } from '../../../src/main/ui/browser-ui.js';
import { ContractHost } from '../../../src/main/ui/contract-host.js';
import { allowedUidsFor, PeerGuard } from '../../../src/main/ui/peer-guard.js';
import { pushedEvent, type PushedEvent } from '../../../src/shared/contract.js';
import { ptyTransport } from '../../helpers/pty.js';
import { NOBODY, runJsonAs } from '../../helpers/run-as.js';

/**
 * Browser mode end to end below the browser: the agent on the simulator (a
 * socat PTY: required, no in-process fallback), the real HTTP server on 127.0.0.1 and the
 * contract over a real WebSocket, with its Host, Origin, ticket, token and
 * peer-uid checks (another local user is played by `nobody`).
 */
function tempConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'ck-browser-'));
  const config = loadConfig({ env: {}, cwd: dir });
  return {
    ...config,
    simulator: { ...config.simulator, transport: ptyTransport(), autoCloseMs: 150 },
    supervision: { ...config.supervision, activePollMs: 30 },
    lockout: { ...config.lockout, maxFailures: 3 },
    log: { ...config.log, file: false },
  };
}

class Screen {
  readonly events: PushedEvent[] = [];
  /** The session token, when the connection was opened with a ticket. */
  token: string | null = null;
  #gotToken: (t: string) => void = () => {};
  /** Resolves with the session frame's token (sent first on a connection opened with a ticket). */
  readonly session = new Promise<string>((resolve) => (this.#gotToken = resolve));
  #next = 1;
  readonly #waiting = new Map<number, (r: unknown) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { kind: string; id?: number; result?: unknown; event?: unknown };
      if (frame.kind === 'reply') this.#waiting.get(frame.id!)?.(frame.result);
      else if (frame.kind === 'session') {
        this.token = String((frame as { token?: unknown }).token);
        this.#gotToken(this.token);
      }
      else this.events.push(pushedEvent.parse(frame.event));
    });
  }

  static open(url: string, opts: { origin: string; protocols: string[] }): Promise<Screen> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts.protocols, { origin: opts.origin });
      // Listen from the upgrade on: the session frame is the first thing sent.
      ws.once('upgrade', () => resolve(new Screen(ws)));
      ws.once('error', reject);
    });
  }

  call(name: string, input: unknown = {}): Promise<{ ok: boolean; value?: any; error?: { code: string; meta?: Record<string, unknown> } }> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve as (r: unknown) => void);
      this.ws.send(JSON.stringify({ id, name, input }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Runs a tiny Node client as `as` (a uid and gid) that asks for the page and
 * then for a WebSocket with the given subprotocols, printing the HTTP status
 * of each (101 = a session). Needs no module: the agent's files stay private.
 */
function probeAs(as: { uid: number; gid: number }, origin: string, protocols: string[]): Promise<{ page: number; upgrade: number }> {
  const code = `
    const http = require('node:http');
    const [origin, protocols] = process.argv.slice(1);
    const host = new URL(origin).host;
    http.get(origin + '/', (page) => {
      page.resume();
      const req = http.request(origin + '/contract', { headers: { Host: host, Origin: origin, Connection: 'Upgrade', Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': protocols } });
      req.on('upgrade', (res, socket) => { console.log(JSON.stringify({ page: page.statusCode, upgrade: res.statusCode })); socket.destroy(); });
      req.on('response', (res) => { console.log(JSON.stringify({ page: page.statusCode, upgrade: res.statusCode })); res.resume(); });
      req.on('error', (e) => { console.log(JSON.stringify({ page: page.statusCode, upgrade: e.code })); });
      req.end();
    }).on('error', (e) => console.log(JSON.stringify({ page: e.code })));`;
  return runJsonAs(as, ['-e', code, origin, protocols.join(', ')], 'the probe');
}
const ME = { uid: process.getuid!(), gid: process.getgid!() };

/** Resolves with the close code the server sent, or rejects with the HTTP refusal. */
function closeCodeOf(url: string, opts: { origin: string; protocols: string[] }): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols, { origin: opts.origin });
    ws.once('close', (code) => resolve(code));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', () => undefined);
  });
}

describe('browser mode: renderer over HTTP, contract over WebSocket', () => {
  const config = tempConfig();
  const rendererDir = join(config.dataDir, 'renderer') + '/';
  let running: RunningAgent;
  let ui: BrowserUi;
  let wsUrl: string;
  let origin: string;
  let token: string;

  /** Spends a fresh ticket for a session token, as the page does on its first connection. */
  async function newSession(): Promise<string> {
    const ticket = new URL(ui.launchUrl()).hash.replace('#ticket=', '');
    const screen = await Screen.open(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', `ticket.${ticket}`] });
    const session = await screen.session;
    screen.close();
    return session;
  }

  beforeAll(async () => {
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kiosk</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(config.dataDir, 'secret.txt'), 'not for the screen');
    const logger = await createLogger(config, { stdout: false });
    running = await runAgent(config, logger, { jobs: false });
    ui = await startBrowserUi(running.agent, { openBrowser: false, log: logger, rendererDir });
    const url = new URL(ui.launchUrl());
    origin = url.origin;
    wsUrl = `ws://${url.host}/contract`;
    token = await newSession();
  });
  afterAll(async () => {
    await ui?.close();
    await running?.stop();
  });

  const ours = () => ({ origin, protocols: ['cabinet-kiosk.v1', `token.${token}`] });

  it('serves the renderer with a strict CSP and nothing outside its folder', async () => {
    const page = await get(origin + '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>kiosk</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/object-src 'none'/);
    expect((await get(origin + '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    expect((await get(origin + '/..%2fsecret.txt')).status).toBe(404);
    expect((await get(origin + '/%2e%2e/secret.txt')).status).toBe(404);
    // A DNS-rebinding page reaches us under another Host name.
    expect((await get(origin + '/', { Host: 'evil.example:80' })).status).toBe(421);
  });

  it('refuses a WebSocket from another origin, and closes one with a wrong token', async () => {
    await expect(closeCodeOf(wsUrl, { ...ours(), origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    expect(await closeCodeOf(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', 'token.guess'] })).toBe(4401);
    expect(await closeCodeOf(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', 'ticket.guess'] })).toBe(4401);
    expect(await closeCodeOf(wsUrl, { origin, protocols: ['cabinet-kiosk.v1'] })).toBe(4401);
  });

  it('a launch ticket opens one session only; its session token serves the reconnects', async () => {
    const ticket = new URL(ui.launchUrl()).hash.replace('#ticket=', '');
    const first = await Screen.open(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', `ticket.${ticket}`] });
    await expect.poll(() => first.token).toMatch(/^[\w-]{32}$/);
    expect(await first.call('session.info')).toMatchObject({ ok: true });
    // Read later from Chromium's argv, the ticket is worth nothing.
    expect(await closeCodeOf(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', `ticket.${ticket}`] })).toBe(4401);
    // The page's connection drops; it comes back with its token, as often as it needs to.
    first.ws.terminate();
    for (let i = 0; i < 2; i += 1) {
      const again = await Screen.open(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', `token.${first.token!}`] });
      expect(await again.call('session.info')).toMatchObject({ ok: true, value: { shell: 'browser' } });
      expect(again.token).toBeNull();
      again.close();
    }
  });

  it('keeps an unused one-time address in a 0600 file, rewritten once its ticket is used', async () => {
    expect(ui.urlFile).toBe(join(config.dataDir, 'screen-url'));
    expect(statSync(ui.urlFile).mode & 0o777).toBe(0o600);
    const before = readFileSync(ui.urlFile, 'utf8').trim();
    expect(before).toMatch(new RegExp(`^${origin}/#ticket=[\\w-]{32}$`));
    const ticket = new URL(before).hash.replace('#ticket=', '');
    const screen = await Screen.open(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', `ticket.${ticket}`] });
    await expect.poll(() => screen.token).not.toBeNull();
    screen.close();
    const after = readFileSync(ui.urlFile, 'utf8').trim();
    expect(after).not.toBe(before);
    expect(statSync(ui.urlFile).mode & 0o777).toBe(0o600);
    // The spent one is refused; the new one opens a session.
    expect(await closeCodeOf(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', `ticket.${ticket}`] })).toBe(4401);
    const next = await Screen.open(wsUrl, { origin, protocols: ['cabinet-kiosk.v1', `ticket.${new URL(after).hash.replace('#ticket=', '')}`] });
    await expect.poll(() => next.token).not.toBeNull();
    next.close();
  });

  it('refuses another local user the page and the WebSocket even with a valid token; serves the agent user the same request', async () => {
    // Let the probes run from anywhere: nothing but the uid check may stop them.
    chmodSync(config.dataDir, 0o711);
    const protocols = ['cabinet-kiosk.v1', `token.${token}`];
    expect(await probeAs(NOBODY, origin, protocols)).toEqual({ page: 403, upgrade: 403 });
    expect(await probeAs(ME, origin, protocols)).toEqual({ page: 200, upgrade: 101 });
  });

  it('serves a user listed in ui.allowedUids', async () => {
    const host = new ContractHost(running.agent, 'browser', running.agent.log);
    const server = await startBrowserServer({ host, rendererDir, port: 0, peers: new PeerGuard(allowedUidsFor([ME.uid, NOBODY.uid]), running.agent.log), log: running.agent.log });
    try {
      const ticket = new URL(server.launchUrl()).hash.replace('#ticket=', '');
      expect(await probeAs(NOBODY, server.origin, ['cabinet-kiosk.v1', `ticket.${ticket}`])).toEqual({ page: 200, upgrade: 101 });
    } finally {
      host.close();
      await server.close();
    }
    expect(allowedUidsFor(undefined)).toEqual([ME.uid]);
  });

  it('answers calls in result envelopes and refuses malformed ones with a code', async () => {
    const screen = await Screen.open(wsUrl, ours());
    try {
      const info = await screen.call('session.info');
      expect(info).toMatchObject({ ok: true, value: { cabinetId: 'DEMO-0001', shell: 'browser', defaultLanguage: 'zh' } });
      expect(await screen.call('no.such.call')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      expect(await screen.call('pickup', { code: 'abc' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      expect(await screen.call('pickup', { code: '000000' })).toMatchObject({ ok: false, error: { code: 'code-invalid' } });
      // A refused code names no door.
      expect(screen.events.filter((e) => e.type === 'door-opening')).toEqual([]);
      expect(await screen.call('service.open', { compartmentId: '1' })).toMatchObject({ ok: false, error: { code: 'not-authorised' } });
    } finally {
      screen.close();
    }
  });

  it('a courier drop-off over the contract issues a code that opens the same door, and the doors are pushed live', async () => {
    const courier = await Screen.open(wsUrl, ours());
    const customer = await Screen.open(wsUrl, ours());
    try {
      expect(await courier.call('dropoff.start', { size: 'L' })).toMatchObject({ ok: false, error: { code: 'not-authorised' } });
      expect(await courier.call('staff.login', { role: 'courier', pin: '2468' })).toEqual({ ok: true, value: { role: 'courier' } });
      // A courier may not service the cabinet.
      expect(await courier.call('service.open', { compartmentId: '1' })).toMatchObject({ ok: false, error: { code: 'not-authorised' } });
      const opened = await courier.call('dropoff.start', { size: 'L' });
      expect(opened).toMatchObject({ ok: true, value: { size: 'L' } });
      const stored = await courier.call('dropoff.awaitStored', { parcelId: opened.value.parcelId });
      expect(stored).toMatchObject({ ok: true, value: { compartmentId: opened.value.compartmentId } });
      expect(stored.value.code).toMatch(/^\d{6}$/);

      const pickup = await customer.call('pickup', { code: stored.value.code });
      expect(pickup).toMatchObject({ ok: true, value: { compartmentId: opened.value.compartmentId, reopened: false } });
      // "Opening door N…": the door was named to the customer's screen before the reply (same link, in order), to no other screen.
      expect(customer.events.filter((e) => e.type === 'door-opening')).toEqual([{ type: 'door-opening', compartmentId: opened.value.compartmentId }]);
      expect(courier.events.some((e) => e.type === 'door-opening')).toBe(false);
      await expect.poll(() => customer.events.some((e) => e.type === 'cabinet' && e.overview.compartments.some((c) => c.id === opened.value.compartmentId && c.door === 'open')), { timeout: 3000 }).toBe(true);
      expect(customer.events.some((e) => e.type === 'health' && e.health.lockBus === 'connected')).toBe(true);
      // The other screen never logged in: the courier's login is per connection.
      expect(await customer.call('return.list')).toMatchObject({ ok: false, error: { code: 'not-authorised' } });
    } finally {
      courier.close();
      customer.close();
    }
  });

  it('service mode: a technician opens a door, parks a compartment, reads the outbox, the bus and the log', async () => {
    const screen = await Screen.open(wsUrl, ours());
    try {
      expect(await screen.call('staff.login', { role: 'technician', pin: '1357' })).toEqual({ ok: true, value: { role: 'technician' } });
      expect(await screen.call('service.open', { compartmentId: '5' })).toMatchObject({ ok: true, value: { compartmentId: '5' } });
      expect(await screen.call('service.setOutOfService', { compartmentId: '6', outOfService: true, reason: 'lock fault' })).toEqual({ ok: true, value: null });
      const overview = await screen.call('cabinet.overview');
      expect(overview.value.compartments.find((c: { id: string }) => c.id === '6')).toMatchObject({ outOfService: true });
      expect(await screen.call('service.outbox')).toMatchObject({ ok: true, value: { dead: 0 } });
      const diag = await screen.call('service.diagnostics');
      expect(diag).toMatchObject({ ok: true, value: { connected: true } });
      expect(diag.value.lastFrames.length).toBeGreaterThan(0);
      expect(await screen.call('service.logTail', { lines: 20 })).toMatchObject({ ok: true, value: { file: null, lines: [] } });
      expect(await screen.call('staff.logout')).toEqual({ ok: true, value: null });
      expect(await screen.call('service.open', { compartmentId: '5' })).toMatchObject({ ok: false, error: { code: 'not-authorised' } });
    } finally {
      screen.close();
    }
  });

  it('throttles staff PIN guessing apart from customer codes', async () => {
    const screen = await Screen.open(wsUrl, ours());
    try {
      const tries = [];
      for (let i = 0; i < 3; i += 1) tries.push(await screen.call('staff.login', { role: 'courier', pin: '0000' }));
      expect(tries.map((t) => t.error?.code)).toEqual(['pin-invalid', 'pin-invalid', 'locked-out']);
      expect(tries[2]!.error!.meta!['retryAfterMs']).toBeGreaterThan(0);
      // Even the right PIN waits out the lockout …
      expect(await screen.call('staff.login', { role: 'technician', pin: '1357' })).toMatchObject({ ok: false, error: { code: 'locked-out' } });
      // … while customers are not locked out by staff guesses.
      expect(await screen.call('pickup', { code: '999999' })).toMatchObject({ ok: false, error: { code: 'code-invalid' } });
    } finally {
      screen.close();
    }
  });
});

import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../src/main/config/load-config.js';
import { configFileFromArgv, type KioskAgent } from '../../../src/main/electron/agent-startup.js';
import { isProduction, startKioskApp } from '../../../src/main/electron/main.js';
import { startupFailure } from '../../../src/main/electron/startup-failure.js';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/window-options.js';
import type { ContractHost, EventSink } from '../../../src/main/ui/contract-host.js';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../../src/shared/contract.js';
import { fakeElectron, FakeWebContents, type FakeElectron } from './fake-electron.js';

// main.ts imports 'electron' at its top level; the real package needs a binary this machine lacks.
// Each test hands startKioskApp its own fake; this module-level one proves that importing main.ts
// outside Electron starts nothing.
const electronModule = vi.hoisted(() => ({
  app: { requestSingleInstanceLock: vi.fn(), on: vi.fn(), whenReady: vi.fn() },
  BrowserWindow: vi.fn(),
  ipcMain: { handle: vi.fn() },
  Menu: { setApplicationMenu: vi.fn() },
  powerSaveBlocker: { start: vi.fn() },
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  session: {},
}));
vi.mock('electron', () => electronModule);

const silent = pino({ enabled: false });
let rendererDir: string;

beforeAll(() => {
  rendererDir = mkdtempSync(join(tmpdir(), 'ck-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kiosk</title>');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
});
afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

interface FakeSession {
  sink: EventSink;
  handle: ReturnType<typeof vi.fn>;
  close: ReturnType<typeof vi.fn>;
}

function fakeAgent() {
  const sessions: FakeSession[] = [];
  const host = {
    openSession: vi.fn((sink: EventSink) => {
      const session: FakeSession = { sink, handle: vi.fn(async (envelope: { id: number }) => ({ id: envelope.id, result: { ok: true, value: null } })), close: vi.fn() };
      sessions.push(session);
      return session;
    }),
  };
  const agent: KioskAgent = { log: silent, host: host as unknown as ContractHost, stop: vi.fn(async () => undefined) };
  return { agent, sessions };
}

async function start(opts: { singleInstance?: boolean; isPackaged?: boolean; env?: NodeJS.ProcessEnv; startAgent?: () => Promise<KioskAgent> } = {}) {
  const fake: FakeElectron = fakeElectron(opts);
  const { agent, sessions } = fakeAgent();
  const signals = new EventEmitter();
  const stderr = vi.fn();
  const startAgent = vi.fn(opts.startAgent ?? (async () => agent));
  const running = await startKioskApp({
    electron: fake.api,
    startAgent,
    rendererDir,
    preloadPath: '/opt/kiosk/dist/main/electron/preload.cjs',
    env: opts.env ?? {},
    signals: signals as unknown as Pick<NodeJS.Process, 'once'>,
    stderr,
    bootLog: silent,
  });
  const current = () => sessions[sessions.length - 1]!;
  return { fake, agent, sessions, current, signals, stderr, startAgent, running };
}

const event = () => ({ preventDefault: vi.fn() });

describe('importing main.ts outside Electron', () => {
  it('starts nothing', () => {
    expect(electronModule.app.requestSingleInstanceLock).not.toHaveBeenCalled();
    expect(electronModule.protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled();
  });
});

describe('startKioskApp: before ready', () => {
  it('registers the app scheme as privileged first, then takes the single-instance lock', async () => {
    const { fake } = await start();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const registered = fake.protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]!;
    expect(registered).toBeLessThan(fake.app.requestSingleInstanceLock.mock.invocationCallOrder[0]!);
    expect(registered).toBeLessThan(fake.app.whenReady.mock.invocationCallOrder[0]!);
  });

  it('quits without starting the agent or a window when another instance holds the lock', async () => {
    const { fake, startAgent, running } = await start({ singleInstance: false });
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(fake.app.quit).toHaveBeenCalled();
    expect(startAgent).not.toHaveBeenCalled();
    expect(fake.protocol.handle).not.toHaveBeenCalled();
    expect(running).toBeNull();
  });

  it('focuses the running window when a second instance starts', async () => {
    const { fake } = await start();
    fake.window().minimized = true;
    fake.app.emit('second-instance', event(), [], '/');
    expect(fake.window().restore).toHaveBeenCalled();
    expect(fake.window().focus).toHaveBeenCalled();
  });
});

describe('startKioskApp: every webContents', () => {
  async function hardened() {
    const { fake } = await start();
    const contents = new FakeWebContents();
    fake.app.emit('web-contents-created', event(), contents);
    return contents;
  }

  it('denies new windows', async () => {
    const contents = await hardened();
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://kiosk/index.html' })).toEqual({ action: 'deny' });
  });

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])('%s: prevents leaving the app, lets app URLs through', async (name) => {
    const contents = await hardened();
    const away = { ...event(), url: 'https://evil.example/' };
    contents.emit(name, away);
    expect(away.preventDefault).toHaveBeenCalled();
    const home = { ...event(), url: 'app://kiosk/index.html' };
    contents.emit(name, home);
    expect(home.preventDefault).not.toHaveBeenCalled();
    const lookalike = { ...event(), url: 'app://kiosk.evil.example/index.html' };
    contents.emit(name, lookalike);
    expect(lookalike.preventDefault).toHaveBeenCalled();
  });

  it('refuses to attach a webview', async () => {
    const contents = await hardened();
    const attach = event();
    contents.emit('will-attach-webview', attach, {}, {});
    expect(attach.preventDefault).toHaveBeenCalled();
  });
});

describe('startKioskApp: the session', () => {
  it('denies every permission request and check, and every device', async () => {
    const { fake } = await start();
    const [request] = fake.defaultSession.setPermissionRequestHandler.mock.calls[0]! as [(wc: unknown, permission: string, cb: (granted: boolean) => void) => void];
    for (const permission of ['media', 'geolocation', 'notifications', 'serial', 'fullscreen']) {
      const callback = vi.fn();
      request({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    const [check] = fake.defaultSession.setPermissionCheckHandler.mock.calls[0]! as [() => boolean];
    expect(check()).toBe(false);
    const [device] = fake.defaultSession.setDevicePermissionHandler.mock.calls[0]! as [() => boolean];
    expect(device()).toBe(false);
  });

  it('cancels network requests from the page', async () => {
    const { fake } = await start();
    const [filter, listener] = fake.defaultSession.webRequest.onBeforeRequest.mock.calls[0]! as [{ urls: string[] }, (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void];
    expect(filter.urls).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']));
    const callback = vi.fn();
    listener({ url: 'https://evil.example/x.js' }, callback);
    expect(callback).toHaveBeenCalledWith({ cancel: true });
  });
});

describe('startKioskApp: the app:// protocol', () => {
  async function serve(url: string, method = 'GET') {
    const { fake } = await start();
    const handler = fake.protocolHandlers.get('app');
    if (!handler) throw new Error('no app:// handler');
    return handler({ url, method } as Request);
  }

  it('serves index.html from the renderer folder with the CSP', async () => {
    const res = await serve('app://kiosk/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>kiosk</title>');
  });

  it('serves / as index.html and scripts as JavaScript', async () => {
    expect(await (await serve('app://kiosk/')).text()).toContain('kiosk');
    expect((await serve('app://kiosk/assets/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each(['app://kiosk/../../etc/passwd', 'app://kiosk/%2e%2e/%2e%2e/etc/passwd', 'app://kiosk/assets/..%2f..%2findex.html', 'app://kiosk/missing.js', 'app://kiosk/assets', 'app://evil/index.html'])('404s %s, still with the CSP', async (url) => {
    const res = await serve(url);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await serve('app://kiosk/index.html', 'POST')).status).toBe(405);
  });
});

describe('startKioskApp: the window', () => {
  it('is the hardened kiosk window, loading the app', async () => {
    const { fake } = await start();
    expect(fake.window().options).toMatchObject({
      kiosk: true,
      fullscreen: true,
      frame: false,
      show: false,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInSubFrames: false, nodeIntegrationInWorker: false, webSecurity: true, devTools: false },
    });
    const preload = (fake.window().options.webPreferences as { preload: string }).preload;
    expect(preload.endsWith('preload.cjs')).toBe(true);
    expect(fake.window().webContents.loadURL).toHaveBeenCalledWith('app://kiosk/index.html');
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalledWith(null);
  });

  it('shows when painted', async () => {
    const { fake } = await start();
    expect(fake.window().show).not.toHaveBeenCalled();
    fake.window().emit('ready-to-show');
    expect(fake.window().show).toHaveBeenCalled();
  });

  it('keeps the display awake', async () => {
    const { fake } = await start();
    expect(fake.powerSaveBlocker.start).toHaveBeenCalledWith('prevent-display-sleep');
  });

  it('swallows reload, DevTools and zoom keys in production, and lets the keypad through', async () => {
    const { fake } = await start();
    const press = (code: string, mods: Partial<{ control: boolean; shift: boolean; alt: boolean; meta: boolean }> = {}) => {
      const e = event();
      fake.window().webContents.emit('before-input-event', e, { type: 'keyDown', code, control: false, shift: false, alt: false, meta: false, ...mods });
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(press('KeyR', { control: true })).toBe(true);
    expect(press('F12')).toBe(true);
    expect(fake.window().webContents.toggleDevTools).not.toHaveBeenCalled();
    expect(press('Equal', { control: true })).toBe(true);
    expect(press('Digit5')).toBe(false);
    expect(press('Enter')).toBe(false);
  });

  it('is in development only when unpackaged and asked for', async () => {
    expect(isProduction(false, {})).toBe(true);
    expect(isProduction(false, { CABINET_KIOSK_DEV: '1' })).toBe(false);
    expect(isProduction(true, { CABINET_KIOSK_DEV: '1' })).toBe(true);
    const { fake } = await start({ env: { CABINET_KIOSK_DEV: '1' } });
    expect((fake.window().options.webPreferences as { devTools: boolean }).devTools).toBe(true);
    const f12 = event();
    fake.window().webContents.emit('before-input-event', f12, { type: 'keyDown', code: 'F12', control: false, shift: false, alt: false, meta: false });
    expect(f12.preventDefault).not.toHaveBeenCalled();
    expect(fake.window().webContents.toggleDevTools).toHaveBeenCalledTimes(1);
  });

  it('reloads after the renderer is gone, waiting longer after each crash in a row', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { fake } = await start();
    const contents = fake.window().webContents;
    expect(contents.loadURL).toHaveBeenCalledTimes(1);

    contents.emit('render-process-gone', event(), { reason: 'crashed', exitCode: 11 });
    await vi.advanceTimersByTimeAsync(999);
    expect(contents.loadURL).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(contents.loadURL).toHaveBeenCalledTimes(2);
    expect(contents.loadURL).toHaveBeenLastCalledWith('app://kiosk/index.html');

    contents.emit('render-process-gone', event(), { reason: 'oom', exitCode: 0 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(contents.loadURL).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(contents.loadURL).toHaveBeenCalledTimes(3);
  });

  it('does not bring the renderer back while quitting', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fake } = await start();
    fake.app.emit('before-quit', event());
    fake.window().webContents.emit('render-process-gone', event(), { reason: 'clean-exit', exitCode: 0 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fake.window().webContents.loadURL).toHaveBeenCalledTimes(1);
  });
});

describe('startKioskApp: IPC', () => {
  const envelope = { id: 3, name: 'session.info', input: {} };

  async function invoke(from: { senderId?: number; url?: string | null } = {}) {
    const started = await start();
    const listener = started.fake.ipcHandlers.get(IPC_CALL_CHANNEL);
    if (!listener) throw new Error(`no ${IPC_CALL_CHANNEL} handler`);
    const win = started.fake.window();
    const url = from.url === undefined ? 'app://kiosk/index.html' : from.url;
    const reply = await listener({ sender: { id: from.senderId ?? win.webContents.id }, senderFrame: url === null ? null : { url } }, envelope);
    return { ...started, reply };
  }

  it('forwards a call from the kiosk window to its contract session, answering with the result', async () => {
    const { reply, current } = await invoke();
    expect(current().handle).toHaveBeenCalledWith(envelope);
    expect(reply).toEqual({ ok: true, value: null });
  });

  it.each([
    ['another webContents', { senderId: 9_999 }],
    ['another origin', { url: 'https://evil.example/' }],
    ['a lookalike host', { url: 'app://evil/index.html' }],
    ['a frame already gone', { url: null }],
  ])('refuses a call from %s', async (_name, from) => {
    const { reply, sessions } = await invoke(from);
    expect(reply).toEqual({ ok: false, error: { code: 'not-authorised' } });
    for (const session of sessions) expect(session.handle).not.toHaveBeenCalled();
  });

  it('pushes events to the window on kiosk:event', async () => {
    const { fake, current } = await start();
    current().sink({ type: 'staff-ended' });
    expect(fake.window().webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, { type: 'staff-ended' });
    fake.window().webContents.crashed = true;
    current().sink({ type: 'staff-ended' });
    expect(fake.window().webContents.send).toHaveBeenCalledTimes(1);
  });

  it('starts a fresh session (no staff login) after a renderer crash or a page load', async () => {
    const { fake, sessions } = await start();
    const first = sessions[0]!;
    fake.window().webContents.emit('render-process-gone', event(), { reason: 'crashed', exitCode: 1 });
    expect(first.close).toHaveBeenCalled();
    expect(sessions).toHaveLength(2);
    fake.window().webContents.emit('did-start-navigation', { ...event(), isMainFrame: true, isSameDocument: false, url: 'app://kiosk/index.html' });
    expect(sessions[1]!.close).toHaveBeenCalled();
    expect(sessions).toHaveLength(3);
    fake.window().webContents.emit('did-start-navigation', { ...event(), isMainFrame: true, isSameDocument: true, url: 'app://kiosk/index.html#pickup' });
    expect(sessions).toHaveLength(3);
  });

  it('drops the handler and the session when the window closes', async () => {
    const { fake, current } = await start();
    fake.window().emit('closed');
    expect(fake.ipcMain.removeHandler).toHaveBeenCalledWith(IPC_CALL_CHANNEL);
    expect(current().close).toHaveBeenCalled();
  });
});

describe('startKioskApp: agent start failures', () => {
  it('exits 3 with one stderr line when the agent cannot start', async () => {
    const { fake, stderr, running } = await start({
      startAgent: async () => {
        throw new ConfigError('config-invalid', 'invalid configuration in /etc/kiosk.yaml:\n  serial.path: Required');
      },
    });
    expect(running).toBeNull();
    expect(fake.app.exit).toHaveBeenCalledWith(3);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stderr.mock.calls[0]![0]).toMatch(/^cabinet-kiosk: the agent could not start: invalid configuration in \/etc\/kiosk.yaml:; serial.path: Required$/);
    expect(fake.BrowserWindow.created.length).toBe(0);
  });

  it('exits 78 when better-sqlite3 has no build for Electron (so the launcher falls back)', async () => {
    const dlopen = Object.assign(new Error("The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 140."), { code: 'ERR_DLOPEN_FAILED' });
    const { fake, stderr } = await start({
      startAgent: async () => {
        throw new Error('cannot open the database', { cause: dlopen });
      },
    });
    expect(fake.app.exit).toHaveBeenCalledWith(78);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stderr.mock.calls[0]![0]).toMatch(/^cabinet-kiosk: better-sqlite3 will not load in Electron .*CABINET_KIOSK_SQLITE_BINDING.*NODE_MODULE_VERSION 115/);
  });

  it('tells an ABI mismatch from other failures by the loader code or NODE_MODULE_VERSION, through wrapping causes', () => {
    const abi = new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 115');
    expect(startupFailure(abi, '45.4.1').exitCode).toBe(78);
    expect(startupFailure(new Error('open failed', { cause: new Error('wrapped', { cause: abi }) }), '45.4.1').exitCode).toBe(78);
    expect(startupFailure(Object.assign(new Error('invalid ELF header'), { code: 'ERR_DLOPEN_FAILED' }), '45.4.1').exitCode).toBe(78);
    expect(startupFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), '45.4.1').exitCode).toBe(3);
    expect(startupFailure('a string', undefined)).toEqual({ exitCode: 3, line: 'cabinet-kiosk: the agent could not start: a string' });
  });
});

describe('configFileFromArgv', () => {
  it('reads --config FILE or --config=FILE after Electron’s own arguments, else leaves it to $CABINET_KIOSK_CONFIG', () => {
    expect(configFileFromArgv(['/usr/lib/electron', '/opt/kiosk/dist/main/electron/main.js', '--config', '/etc/kiosk.yaml'])).toBe('/etc/kiosk.yaml');
    expect(configFileFromArgv(['/opt/kiosk/cabinet-kiosk', '--config=site.yml'])).toBe('site.yml');
    expect(configFileFromArgv(['/usr/lib/electron', 'main.js'])).toBeUndefined();
  });
});

describe('startKioskApp: quitting', () => {
  it('holds the first quit until the agent has stopped, then quits for real', async () => {
    const { fake, agent } = await start();
    const first = event();
    fake.app.emit('before-quit', first);
    expect(first.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled());
    expect(agent.stop).toHaveBeenCalledTimes(1);
    expect(fake.powerSaveBlocker.stop).toHaveBeenCalledWith(42);
    const second = event();
    fake.app.emit('before-quit', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(agent.stop).toHaveBeenCalledTimes(1);
  });

  it('quits on SIGTERM, SIGINT and when the window is gone', async () => {
    for (const trigger of ['SIGTERM', 'SIGINT', 'window-all-closed'] as const) {
      const { fake, signals } = await start();
      if (trigger === 'window-all-closed') fake.app.emit(trigger);
      else signals.emit(trigger);
      expect(fake.app.quit).toHaveBeenCalled();
    }
  });
});


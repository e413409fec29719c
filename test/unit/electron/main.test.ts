import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { isProduction, startKioskApp, type AgentConnection } from '../../../src/main/electron/main.js';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/window-options.js';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, IPC_LINK_CHANNEL } from '../../../src/shared/contract.js';
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

/** The agent link as the shell sees it: calls answered `{ ok: true }`, events pushed by the test. */
function fakeLink() {
  const sinks = new Set<(event: unknown) => void>();
  const linkSinks = new Set<(connected: boolean) => void>();
  const link = {
    connected: false,
    onLinkChange: vi.fn((sink: (connected: boolean) => void) => {
      linkSinks.add(sink);
      return () => void linkSinks.delete(sink);
    }),
    setConnected: (connected: boolean) => {
      link.connected = connected;
      for (const sink of linkSinks) sink(connected);
    },
    start: vi.fn(),
    close: vi.fn(),
    reset: vi.fn(),
    call: vi.fn(async (_envelope: unknown): Promise<unknown> => ({ ok: true, value: null })),
    onEvent: vi.fn((sink: (event: unknown) => void) => {
      sinks.add(sink);
      return () => void sinks.delete(sink);
    }),
    push: (event: unknown) => {
      for (const sink of sinks) sink(event);
    },
  };
  return link;
}

async function start(opts: { singleInstance?: boolean; isPackaged?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const fake: FakeElectron = fakeElectron(opts);
  const link = fakeLink();
  const signals = new EventEmitter();
  const connectAgent = vi.fn((): AgentConnection => link);
  const running = await startKioskApp({
    electron: fake.api,
    connectAgent,
    rendererDir,
    preloadPath: '/opt/kiosk/dist/main/electron/preload.cjs',
    env: opts.env ?? {},
    signals: signals as unknown as Pick<NodeJS.Process, 'once'>,
    log: silent,
  });
  return { fake, link, signals, connectAgent, running };
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

  it('connects to the agent once, while Electron gets ready', async () => {
    const { fake, connectAgent, link } = await start();
    expect(connectAgent).toHaveBeenCalledTimes(1);
    expect(link.start).toHaveBeenCalledTimes(1);
    expect(link.start.mock.invocationCallOrder[0]!).toBeLessThan(fake.app.whenReady.mock.invocationCallOrder[0]!);
  });

  it('quits without connecting or opening a window when another instance holds the lock', async () => {
    const { fake, connectAgent, running } = await start({ singleInstance: false });
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(fake.app.quit).toHaveBeenCalled();
    expect(connectAgent).not.toHaveBeenCalled();
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

  it('relays a call from the kiosk window to the agent, answering with the agent\'s result', async () => {
    const { reply, link } = await invoke();
    expect(link.call).toHaveBeenCalledWith(envelope);
    expect(reply).toEqual({ ok: true, value: null });
  });

  it.each([
    ['another webContents', { senderId: 9_999 }],
    ['another origin', { url: 'https://evil.example/' }],
    ['a lookalike host', { url: 'app://evil/index.html' }],
    ['a frame already gone', { url: null }],
  ])('refuses a call from %s', async (_name, from) => {
    const { reply, link } = await invoke(from);
    expect(reply).toEqual({ ok: false, error: { code: 'not-authorised' } });
    expect(link.call).not.toHaveBeenCalled();
  });

  it('pushes the agent\'s events to the window on kiosk:event', async () => {
    const { fake, link } = await start();
    link.push({ type: 'staff-ended' });
    expect(fake.window().webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, { type: 'staff-ended' });
    fake.window().webContents.crashed = true;
    link.push({ type: 'staff-ended' });
    expect(fake.window().webContents.send).toHaveBeenCalledTimes(1);
  });

  it('starts a fresh agent session (no staff login) after a renderer crash or a page load', async () => {
    const { fake, link } = await start();
    fake.window().webContents.emit('render-process-gone', event(), { reason: 'crashed', exitCode: 1 });
    expect(link.reset).toHaveBeenCalledTimes(1);
    fake.window().webContents.emit('did-start-navigation', { ...event(), isMainFrame: true, isSameDocument: false, url: 'app://kiosk/index.html' });
    expect(link.reset).toHaveBeenCalledTimes(2);
    fake.window().webContents.emit('did-start-navigation', { ...event(), isMainFrame: true, isSameDocument: true, url: 'app://kiosk/index.html#pickup' });
    expect(link.reset).toHaveBeenCalledTimes(2);
  });

  it('tells the window whether the agent link is up: each change on kiosk:link, and the state to an invoke from the window only', async () => {
    const { fake, link } = await start();
    const win = fake.window();
    const ask = fake.ipcHandlers.get(IPC_LINK_CHANNEL);
    if (!ask) throw new Error(`no ${IPC_LINK_CHANNEL} handler`);
    const fromWindow = { sender: { id: win.webContents.id }, senderFrame: { url: 'app://kiosk/index.html' } };
    expect(await ask(fromWindow)).toBe(false);
    link.setConnected(true);
    expect(win.webContents.send).toHaveBeenLastCalledWith(IPC_LINK_CHANNEL, true);
    expect(await ask(fromWindow)).toBe(true);
    expect(await ask({ sender: { id: 9_999 }, senderFrame: { url: 'app://kiosk/index.html' } })).toBe(false);
    link.setConnected(false);
    expect(win.webContents.send).toHaveBeenLastCalledWith(IPC_LINK_CHANNEL, false);
  });

  it('drops the handler and the event relay when the window closes', async () => {
    const { fake, link } = await start();
    fake.window().emit('closed');
    expect(fake.ipcMain.removeHandler).toHaveBeenCalledWith(IPC_CALL_CHANNEL);
    expect(fake.ipcMain.removeHandler).toHaveBeenCalledWith(IPC_LINK_CHANNEL);
    link.push({ type: 'staff-ended' });
    link.setConnected(true);
    expect(fake.window().webContents.send).not.toHaveBeenCalled();
  });
});

describe('startKioskApp: crash recovery', () => {
  it('starts Crashpad with no upload, and begins in software rendering when an earlier run chose it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-shell-recovery-'));
    try {
      const state = { version: '1.0.0', softwareRendering: true, softwareSince: 1, softwareReason: 'GPU process gone 3 times in 10 min (last: crashed)', renderer: [], gpu: [], relaunches: [] };
      writeFileSync(join(dir, 'screen-recovery.json'), JSON.stringify(state));
      const fake = fakeElectron();
      const crashReporter = (fake.api as unknown as { crashReporter: { start: ReturnType<typeof vi.fn> } }).crashReporter;
      await startKioskApp({ electron: fake.api, connectAgent: () => fakeLink(), rendererDir, preloadPath: '/p.cjs', env: {}, log: silent, recoveryDir: dir, version: '1.0.0' });
      expect(fake.app.disableHardwareAcceleration).toHaveBeenCalledTimes(1);
      expect(fake.app.disableHardwareAcceleration.mock.invocationCallOrder[0]!).toBeLessThan(fake.app.whenReady.mock.invocationCallOrder[0]!);
      expect(crashReporter.start).toHaveBeenCalledWith({ uploadToServer: false, compress: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps hardware acceleration by default; repeated GPU deaths report to the agent and relaunch in software', async () => {
    const { fake, link } = await start();
    expect(fake.app.disableHardwareAcceleration).not.toHaveBeenCalled();
    for (let i = 0; i < 3; i++) fake.app.emit('child-process-gone', event(), { type: 'GPU', reason: 'crashed', exitCode: 11 });
    fake.app.emit('child-process-gone', event(), { type: 'Utility', reason: 'crashed', exitCode: 11 });
    await new Promise((r) => setTimeout(r, 10));
    expect(link.call.mock.calls.map(([e]) => (e as { input: { recovery: string } }).input.recovery)).toEqual(['none', 'none', 'software-rendering']);
    expect(fake.app.relaunch).toHaveBeenCalledTimes(1);
    expect(fake.app.exit).toHaveBeenCalledWith(0);
  });
});

describe('the shell holds no agent', () => {
  it('main.ts reaches no agent, store, driver, cloud or core module, and no other adapter of src/main', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const result = await cruise(['src/main/electron/main.ts'], {
      doNotFollow: { path: 'node_modules' },
      tsPreCompilationDeps: true,
      enhancedResolveOptions: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
      baseDir: root,
    } as never);
    const reached = (result.output as ICruiseResult).modules.map((m) => m.source).filter((m) => m.startsWith('src/'));
    expect(reached).toContain('src/main/electron/agent-link.ts');
    const forbidden = reached.filter((m) => /^src\/(store|drivers|cloud|core)\/|^src\/main\/(agent|run-agent|hardware|secrets|data-lock)\.ts$|^src\/main\/(ui|cli|control|config|kiosk)\//.test(m));
    expect(forbidden).toEqual([]);
  });
});

describe('startKioskApp: quitting', () => {
  it('closes the agent link and lets the display sleep; nothing to wait for (the agent runs on)', async () => {
    const { fake, link } = await start();
    const first = event();
    fake.app.emit('before-quit', first);
    expect(first.preventDefault).not.toHaveBeenCalled();
    expect(link.close).toHaveBeenCalledTimes(1);
    expect(fake.powerSaveBlocker.stop).toHaveBeenCalledWith(42);
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

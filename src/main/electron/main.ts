import { fileURLToPath } from 'node:url';
import type { BrowserWindow } from 'electron';
import { app, BrowserWindow as ElectronBrowserWindow, ipcMain, Menu, powerSaveBlocker, protocol, session } from 'electron';
import type { KioskAgent } from './agent-startup.js';
import { serveAppRequest } from './app-protocol.js';
import { bridgeContract } from './ipc-bridge.js';
import { createKioskWindow } from './kiosk-window.js';
import { hardenWebContents, lockDownSession } from './lockdown.js';
import { usePrivateUmask } from '../data-dir.js';
import { bootLog, type ShellLog } from './shell-log.js';
import { startupFailure } from './startup-failure.js';
import { APP_SCHEME } from './window-options.js';

/** The Electron APIs the shell uses; tests pass a fake. */
export interface ElectronMain {
  app: typeof app;
  BrowserWindow: typeof ElectronBrowserWindow;
  ipcMain: typeof ipcMain;
  Menu: typeof Menu;
  powerSaveBlocker: typeof powerSaveBlocker;
  protocol: typeof protocol;
  session: typeof session;
}

export interface KioskAppDeps {
  electron: ElectronMain;
  /** Loads config, starts the agent and its contract host (agent-startup.ts); throws when it cannot. */
  startAgent: () => Promise<KioskAgent>;
  /** The built renderer (`dist/renderer`). */
  rendererDir: string;
  /** The compiled preload (`dist/main/electron/preload.cjs`). */
  preloadPath: string;
  env: NodeJS.ProcessEnv;
  /** Where SIGINT/SIGTERM arrive; `process` outside tests. */
  signals?: Pick<NodeJS.Process, 'once'>;
  stderr?: (line: string) => void;
  /** Used until the agent's logger exists; JSON lines on stderr by default. */
  bootLog?: ShellLog;
}

export interface RunningKiosk {
  window: BrowserWindow;
  agent: KioskAgent;
}

/** A hung agent stop must not keep a dead kiosk on screen: quit anyway after this. */
const STOP_TIMEOUT_MS = 10_000;
/** Set (to 1) on a developer machine to get DevTools and the shortcuts back; a packaged app ignores it. */
export const DEV_ENV = 'CABINET_KIOSK_DEV';

/**
 * Production unless a developer asks otherwise on an unpackaged app. Not just
 * `app.isPackaged`: `npm start` on a cabinet runs the unpackaged main too.
 */
export function isProduction(isPackaged: boolean, env: NodeJS.ProcessEnv): boolean {
  return isPackaged || env[DEV_ENV] !== '1';
}

/**
 * The Electron shell: everything up to the first await runs before `ready`
 * (scheme privileges, single-instance lock, hardening of every webContents);
 * then the agent and the window. Resolves with the window, or null when this
 * instance quits (another one runs) or the agent failed (the app exits 3, or
 * 78 when better-sqlite3 has no build for Electron's ABI).
 */
export async function startKioskApp(deps: KioskAppDeps): Promise<RunningKiosk | null> {
  const { app, ipcMain, Menu, powerSaveBlocker, protocol, session } = deps.electron;
  const signals = deps.signals ?? process;
  const stderr = deps.stderr ?? ((line: string) => void process.stderr.write(`${line}\n`));
  let log: ShellLog = deps.bootLog ?? bootLog();
  const currentLog = () => log;

  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  if (!app.requestSingleInstanceLock()) {
    log.info({}, 'another kiosk instance runs: quitting');
    app.quit();
    return null;
  }

  let window: BrowserWindow | null = null;
  let quitting = false;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  let blockerId: number | undefined;
  const agentStarting = deps.startAgent();
  const stopAll = () =>
    (stopping ??= (async () => {
      if (blockerId !== undefined) powerSaveBlocker.stop(blockerId);
      const agent = await agentStarting.catch(() => null);
      if (agent) await stopWithin(agent.stop(), STOP_TIMEOUT_MS).catch((err: unknown) => log.error({ err }, 'agent did not stop cleanly'));
    })().finally(() => {
      stopped = true;
    }));

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, currentLog));
  app.on('child-process-gone', (_event, details) => log.warn({ type: details.type, reason: details.reason, exitCode: details.exitCode }, 'child process gone'));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    // Hold the quit until the agent has released the serial port and the database.
    event.preventDefault();
    void stopAll().then(() => app.quit());
  });
  signals.once('SIGTERM', () => app.quit());
  signals.once('SIGINT', () => app.quit());

  let agent: KioskAgent;
  try {
    [agent] = await Promise.all([agentStarting, app.whenReady()]);
  } catch (err) {
    // agent-startup.ts has logged it to the agent's log when it got that far; the launcher shows this line.
    const failure = startupFailure(err, process.versions.electron);
    stderr(failure.line);
    app.exit(failure.exitCode);
    return null;
  }
  log = agent.log;
  if (quitting) return null;

  lockDownSession(session.defaultSession, currentLog);
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(deps.rendererDir, request));
  Menu.setApplicationMenu(null);
  blockerId = powerSaveBlocker.start('prevent-display-sleep');

  const production = isProduction(app.isPackaged, deps.env);
  const win = createKioskWindow({ BrowserWindow: deps.electron.BrowserWindow, preloadPath: deps.preloadPath, production, log, quitting: () => quitting });
  window = win;
  const bridge = bridgeContract({ ipcMain, window: win, host: agent.host, log });
  win.on('closed', () => {
    bridge.close();
    window = null;
  });
  log.info({ production }, 'kiosk window open');
  return { window: win, agent };
}

function stopWithin(stop: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`agent stop took longer than ${ms} ms`)), ms);
  });
  return Promise.race([stop, late]).finally(() => clearTimeout(timer));
}

// Only Electron's main process starts the shell: importing this file elsewhere (tests) has no effect.
if (process.versions.electron && process.type === 'browser') {
  usePrivateUmask();
  void startKioskApp({
    electron: { app, BrowserWindow: ElectronBrowserWindow, ipcMain, Menu, powerSaveBlocker, protocol, session },
    // Imported on demand: the agent's module graph loads while Electron gets ready.
    startAgent: async () => (await import('./agent-startup.js')).startKioskAgent({ argv: process.argv, env: process.env }),
    rendererDir: fileURLToPath(new URL('../../renderer/', import.meta.url)),
    preloadPath: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
    env: process.env,
  });
}

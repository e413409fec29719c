import { fileURLToPath } from 'node:url';
import type { BrowserWindow } from 'electron';
import { app, BrowserWindow as ElectronBrowserWindow, crashReporter, ipcMain, Menu, powerSaveBlocker, protocol, session } from 'electron';
import { screenUrlFileFor } from '../screen-endpoint.js';
import { AgentLink } from './agent-link.js';
import { serveAppRequest } from './app-protocol.js';
import { bridgeContract, type ContractLink } from './ipc-bridge.js';
import { createKioskWindow } from './kiosk-window.js';
import { ScreenRecovery } from './screen-recovery-host.js';
import { hardenWebContents, lockDownSession } from './lockdown.js';
import { usePrivateUmask } from '../data-dir.js';
import { bootLog, type ShellLog } from './shell-log.js';
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
  /** Local crash dumps only (never uploaded); absent in tests. */
  crashReporter?: Pick<typeof crashReporter, 'start'>;
}

export interface KioskAppDeps {
  electron: ElectronMain;
  /** The agent's contract, over its WebSocket (agent-link.ts); connects when started. */
  connectAgent: () => AgentConnection;
  /** The built renderer (`dist/renderer`). */
  rendererDir: string;
  /** The compiled preload (`dist/main/electron/preload.cjs`). */
  preloadPath: string;
  env: NodeJS.ProcessEnv;
  /** Where SIGINT/SIGTERM arrive; `process` outside tests. */
  signals?: Pick<NodeJS.Process, 'once'>;
  /** JSON lines on stderr (the journal) by default. */
  log?: ShellLog;
  /**
   * The screen user's folder for the crash-recovery state
   * (screen-recovery.ts: software rendering after repeated GPU or renderer
   * deaths), and where Crashpad writes dumps. Without it the state lives in
   * memory for this run only.
   */
  recoveryDir?: string;
  crashDumpsDir?: string;
  /** The shell's version: a new version forgets a software-rendering fallback. */
  version?: string;
}

/** An AgentLink as the shell holds it. */
export interface AgentConnection extends ContractLink {
  start(): unknown;
  close(): void;
}

export interface RunningKiosk {
  window: BrowserWindow;
  link: AgentConnection;
}

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
 * The Electron shell: a window and a bridge, nothing more. No agent, no
 * database, no serial port: it runs as the kiosk session's user and reaches
 * the agent service over the agent's authenticated local WebSocket (the
 * endpoint file names it), so escaping the window gives what the touchscreen
 * gives, and a renderer or GPU crash never touches the lock bus. Everything
 * up to the first await runs before `ready` (scheme privileges,
 * single-instance lock, hardening of every webContents). Resolves with the
 * window, or null when this instance quits (another one runs).
 */
export async function startKioskApp(deps: KioskAppDeps): Promise<RunningKiosk | null> {
  const { app, ipcMain, Menu, powerSaveBlocker, protocol, session } = deps.electron;
  const signals = deps.signals ?? process;
  const log: ShellLog = deps.log ?? bootLog();
  const currentLog = () => log;

  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  if (!app.requestSingleInstanceLock()) {
    log.info({}, 'another kiosk instance runs: quitting');
    app.quit();
    return null;
  }

  let window: BrowserWindow | null = null;
  let quitting = false;
  let blockerId: number | undefined;
  // Connect while Electron gets ready; the link retries until the agent answers.
  const link = deps.connectAgent();
  link.start();

  // Before ready: both only take effect for processes not yet started.
  const recovery = new ScreenRecovery({ app, link, log, env: deps.env, dir: deps.recoveryDir, crashDumpsDir: deps.crashDumpsDir, version: deps.version ?? 'unversioned' });
  if (recovery.softwareRendering) {
    app.disableHardwareAcceleration();
    log.warn({ reason: recovery.softwareReason }, 'software rendering: hardware acceleration is off after repeated GPU or renderer crashes');
  }
  // Dumps stay on this PC, in the screen user's folder; the agent is told a summary (screen-recovery-host.ts).
  deps.electron.crashReporter?.start({ uploadToServer: false, compress: true });

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, currentLog));
  app.on('child-process-gone', (_event, details) => {
    log.warn({ type: details.type, reason: details.reason, exitCode: details.exitCode }, 'child process gone');
    if (details.type === 'GPU' && !quitting) recovery.processGone('gpu', details.reason, details.exitCode);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    quitting = true;
    if (blockerId !== undefined) powerSaveBlocker.stop(blockerId);
    blockerId = undefined;
    link.close();
  });
  signals.once('SIGTERM', () => app.quit());
  signals.once('SIGINT', () => app.quit());

  await app.whenReady();
  if (quitting) return null;

  lockDownSession(session.defaultSession, currentLog);
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(deps.rendererDir, request));
  Menu.setApplicationMenu(null);
  blockerId = powerSaveBlocker.start('prevent-display-sleep');

  const production = isProduction(app.isPackaged, deps.env);
  const win = createKioskWindow({
    BrowserWindow: deps.electron.BrowserWindow, preloadPath: deps.preloadPath, production, log, quitting: () => quitting,
    rendererGone: (reason, exitCode) => recovery.processGone('renderer', reason, exitCode),
  });
  window = win;
  const bridge = bridgeContract({ ipcMain, window: win, link, log });
  win.on('closed', () => {
    bridge.close();
    window = null;
  });
  log.info({ production }, 'kiosk window open');
  return { window: win, link };
}

// Only Electron's main process starts the shell: importing this file elsewhere (tests) has no effect.
if (process.versions.electron && process.type === 'browser') {
  usePrivateUmask();
  void startKioskApp({
    electron: { app, BrowserWindow: ElectronBrowserWindow, ipcMain, Menu, powerSaveBlocker, protocol, session, crashReporter },
    connectAgent: () => new AgentLink({ endpointFile: screenUrlFileFor(process.argv, process.env), log: bootLog() }),
    recoveryDir: app.getPath('userData'),
    crashDumpsDir: app.getPath('crashDumps'),
    version: app.getVersion(),
    rendererDir: fileURLToPath(new URL('../../renderer/', import.meta.url)),
    preloadPath: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
    env: process.env,
  });
}

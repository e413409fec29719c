import type { BrowserWindow } from 'electron';
import { nextReloadDelay } from './reload-backoff.js';
import type { ShellLog } from './shell-log.js';
import { APP_INDEX_URL, isBlockedShortcut, kioskWindowOptions } from './window-options.js';

export interface KioskWindowDeps {
  BrowserWindow: typeof BrowserWindow;
  preloadPath: string;
  production: boolean;
  log: ShellLog;
  /** True once the app is quitting: a renderer gone then is not brought back. */
  quitting: () => boolean;
  now?: () => number;
  /**
   * What to do about a renderer that died (screen-recovery.ts): a reload
   * after `delayMs`, or null when the shell relaunches instead. Default: a
   * reload with the growing delay of reload-backoff.ts.
   */
  rendererGone?: (reason: string, exitCode: number) => { delayMs: number } | null;
}

/**
 * The one kiosk window: shown when it has painted, the blocked shortcuts
 * swallowed before the page sees them, the renderer brought back after a
 * crash (with a growing delay, see reload-backoff.ts).
 */
export function createKioskWindow(deps: KioskWindowDeps): BrowserWindow {
  const { log, production } = deps;
  const now = deps.now ?? Date.now;
  const win = new deps.BrowserWindow(kioskWindowOptions({ preloadPath: deps.preloadPath, production }));
  const contents = win.webContents;
  const load = () => {
    // A failed load is logged once, by did-fail-load below (which also sees loads the page starts).
    contents.loadURL(APP_INDEX_URL).catch(() => undefined);
  };

  win.once('ready-to-show', () => win.show());
  contents.on('before-input-event', (event, input) => {
    if (isBlockedShortcut(input, production)) event.preventDefault();
    // With no menu there is no DevTools accelerator: a developer gets F12 back by hand.
    else if (!production && input.type === 'keyDown' && input.code === 'F12') contents.toggleDevTools();
  });
  // Pinch-zoom on the touchscreen would leave the keypad half off screen.
  contents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);

  let crashes: number[] = [];
  let reloadTimer: NodeJS.Timeout | undefined;
  contents.on('render-process-gone', (_event, details) => {
    if (deps.quitting() || win.isDestroyed()) return;
    let next: { delayMs: number } | null;
    if (deps.rendererGone) next = deps.rendererGone(details.reason, details.exitCode);
    else {
      const step = nextReloadDelay(crashes, now());
      crashes = step.crashes;
      next = step;
    }
    log.error({ reason: details.reason, exitCode: details.exitCode, reloadInMs: next?.delayMs ?? null, recentCrashes: crashes.length }, 'kiosk renderer gone');
    if (next === null) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      if (!deps.quitting() && !win.isDestroyed()) load();
    }, next.delayMs);
  });
  contents.on('unresponsive', () => log.warn({}, 'kiosk renderer unresponsive'));
  contents.on('responsive', () => log.info({}, 'kiosk renderer responsive again'));
  contents.on('did-fail-load', (_event, errorCode, errorDescription, url, isMainFrame) => {
    if (isMainFrame) log.error({ errorCode, errorDescription, url }, 'kiosk screen failed to load');
  });
  win.on('closed', () => clearTimeout(reloadTimer));

  load();
  return win;
}

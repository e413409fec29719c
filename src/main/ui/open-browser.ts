import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger as PinoLogger } from 'pino';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** A browser that keeps dying is left down rather than restarted in a tight loop. */
const MAX_RESTARTS = 5;

export type BrowserLookup = { path: string } | { reason: string };

/** Where a Chromium is, or why none will be opened (said to the person starting the kiosk). */
export function findChromium(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): BrowserLookup {
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  if (configured) return isExecutable(configured) ? { path: configured } : { reason: `ui.browserPath ${configured} is not an executable` };
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of CANDIDATES) {
      const path = join(dir, name);
      if (isExecutable(path)) return { path };
    }
  }
  return { reason: `no Chromium on PATH (looked for ${CANDIDATES.join(', ')})` };
}

/** Flags for a locked-down full-screen kiosk that never phones home. */
export function kioskBrowserArgs(url: string, profileDir: string): string[] {
  return [
    '--kiosk',
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--noerrdialogs',
    '--disable-translate',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--password-store=basic',
    // Spoken prompts and the door chime play without a touch first, as in the Electron window (window-options.ts autoplayPolicy).
    '--autoplay-policy=no-user-gesture-required',
  ];
}

export interface KioskBrowser {
  stop(): void;
}

/**
 * Opens the kiosk page full-screen and reopens it if the browser dies (a kiosk
 * must not show a desktop). `launchUrl` is asked for each launch: its ticket
 * is good once, so a reopened browser needs a fresh one.
 */
export function openKioskBrowser(path: string, launchUrl: () => string, profileDir: string, log: PinoLogger): KioskBrowser {
  let child: ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  const launch = () => {
    child = spawn(path, kioskBrowserArgs(launchUrl(), profileDir), { stdio: 'ignore' });
    child.on('error', (err) => log.error({ err, path }, 'kiosk browser failed to start'));
    child.on('exit', (code, signal) => {
      if (stopped) return;
      if (restarts >= MAX_RESTARTS) {
        log.error({ code, signal }, 'kiosk browser keeps exiting; not restarting it again');
        return;
      }
      restarts += 1;
      log.warn({ code, signal, restarts }, 'kiosk browser exited; opening it again');
      setTimeout(launch, 1000 * restarts).unref();
    });
  };
  launch();
  return {
    stop: () => {
      stopped = true;
      child?.kill('SIGTERM');
    },
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

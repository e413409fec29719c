import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SCREEN_URL_FILE_ENV } from '../screen-endpoint.js';
import { findElectron } from './electron-runtime.js';

/** The Electron shell's main (the window and the bridge to the agent; no agent inside). */
export const ELECTRON_MAIN = fileURLToPath(new URL('../electron/main.js', import.meta.url));

export type ElectronShell = { ran: true; child: ChildProcess; exited: Promise<number> } | { ran: false; reason: string };

/**
 * Opens the Electron kiosk window as a client of an agent that already runs:
 * the shell reads the agent's endpoint file (its one-time address) and speaks
 * the contract over the agent's WebSocket, as the screen user would in
 * production. Says why not when this machine cannot show it (no display, no
 * binary and no network to fetch it, root), so `start` opens Chromium instead.
 */
export async function launchElectronShell(endpointFile: string): Promise<ElectronShell> {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { ran: false, reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  const electron = await findElectron({ fetch: true });
  if (!electron.ok) return { ran: false, reason: electron.reason };
  // Chromium's sandbox refuses root, and switching it off would undo the window's hardening.
  if (process.getuid?.() === 0) return { ran: false, reason: 'Electron will not run as root with its sandbox on (run the kiosk as its own user)' };
  const child = spawn(electron.binary, [ELECTRON_MAIN], { stdio: 'inherit', env: { ...process.env, [SCREEN_URL_FILE_ENV]: endpointFile } });
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1)));
  });
  return { ran: true, child, exited };
}

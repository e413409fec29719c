import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.js';
import { electronSqliteBinding, findElectron } from './electron-runtime.js';

/** The Electron main exits with this when a native module will not load under its ABI; the launcher falls back. */
export const EXIT_NATIVE_MODULE_ABI = 78;
export const ELECTRON_MAIN = fileURLToPath(new URL('../electron/main.js', import.meta.url));
export const SQLITE_BINDING_ENV = 'CABINET_KIOSK_SQLITE_BINDING';

export type ElectronLaunch = { ran: true; exitCode: number } | { ran: false; reason: string };

/**
 * Runs the kiosk in the Electron window when this machine can: the binary is
 * there (or can be fetched now), there is a display, and better-sqlite3 has a
 * build for this Electron. Otherwise says why, so `start` can fall back.
 */
export async function launchElectron(config: Config, signalled: Promise<NodeJS.Signals>): Promise<ElectronLaunch> {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { ran: false, reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  const electron = await findElectron({ fetch: true });
  if (!electron.ok) return { ran: false, reason: electron.reason };
  // Chromium's sandbox refuses root, and switching it off would undo the window's hardening.
  if (process.getuid?.() === 0) return { ran: false, reason: 'Electron will not run as root with its sandbox on (run the kiosk as its own user)' };
  const binding = await electronSqliteBinding(electron.version, join(config.dataDir, 'cache'));
  if (!binding.ok) return { ran: false, reason: binding.reason };
  const configFile = config.source === 'embedded defaults' ? '' : config.source;
  const child = spawn(electron.binary, [ELECTRON_MAIN], {
    stdio: 'inherit',
    env: { ...process.env, CABINET_KIOSK_CONFIG: configFile, [SQLITE_BINDING_ENV]: binding.path },
  });
  void signalled.then((signal) => child.kill(signal));
  const exitCode = await new Promise<number>((resolve) => {
    child.once('error', () => resolve(EXIT_NATIVE_MODULE_ABI));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1)));
  });
  if (exitCode === EXIT_NATIVE_MODULE_ABI) return { ran: false, reason: 'the Electron window could not load its native modules' };
  return { ran: true, exitCode };
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger as PinoLogger } from 'pino';
import { KioskError } from '../../shared/errors.js';
import type { Agent } from '../agent.js';
import { startBrowserServer } from './browser-server.js';
import { ContractHost } from './contract-host.js';
import { findChromium, openKioskBrowser, type KioskBrowser } from './open-browser.js';

/** The built renderer (vite writes it to dist/renderer, beside dist/main). */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

export interface BrowserUi {
  url: string;
  /** The Chromium opened in kiosk mode, or null. */
  browserPath: string | null;
  /** Why no browser was opened (no display, none installed, --no-browser), for the banner. */
  browserNotOpened: string | null;
  close(): Promise<void>;
}

/**
 * Browser mode: the contract host, the 127.0.0.1 server and, where there is a
 * display and a Chromium, the kiosk browser pointed at it.
 */
export async function startBrowserUi(agent: Agent, opts: { openBrowser: boolean; log: PinoLogger; rendererDir?: string }): Promise<BrowserUi> {
  const rendererDir = opts.rendererDir ?? RENDERER_DIR;
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new KioskError('internal', `the kiosk screen is not built (${rendererDir}index.html is missing): run \`npm run build\``);
  }
  const host = new ContractHost(agent, 'browser', opts.log);
  const server = await startBrowserServer({ host, rendererDir, port: agent.config.ui.port, log: opts.log }).catch((err: unknown) => {
    host.close();
    throw err;
  });
  let browser: KioskBrowser | undefined;
  let browserPath: string | null = null;
  let browserNotOpened: string | null = 'started with --no-browser';
  if (opts.openBrowser) {
    const found = findChromium(agent.config.ui.browserPath);
    if ('path' in found) {
      browserPath = found.path;
      browserNotOpened = null;
      browser = openKioskBrowser(found.path, server.url, join(agent.config.dataDir, 'kiosk-browser'), opts.log);
    } else {
      browserNotOpened = found.reason;
    }
  }
  return {
    url: server.url,
    browserPath,
    browserNotOpened,
    close: async () => {
      browser?.stop();
      host.close();
      await server.close();
    },
  };
}

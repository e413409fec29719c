import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger as PinoLogger } from 'pino';
import { KioskError } from '../../shared/errors.js';
import type { Agent } from '../agent.js';
import { startBrowserServer } from './browser-server.js';
import { ContractHost } from './contract-host.js';
import { findChromium, openKioskBrowser, type KioskBrowser } from './open-browser.js';
import { allowedUidsFor, PeerGuard } from './peer-guard.js';

/** In the data folder, mode 0600: an unused one-time address of the screen, for a person to open. */
export const SCREEN_URL_FILE = 'screen-url';

/** The built renderer (vite writes it to dist/renderer, beside dist/main). */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

export interface BrowserUi {
  /** A new one-time address of the screen (its ticket is good for one page): for a terminal or a --json caller, never a log. */
  launchUrl(): string;
  /** `<dataDir>/screen-url` (0600): always holds an unused address; rewritten each time its ticket is used. */
  urlFile: string;
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
  const peers = new PeerGuard(allowedUidsFor(agent.config.ui.allowedUids), opts.log);
  const server = await startBrowserServer({ host, rendererDir, port: agent.config.ui.port, peers, log: opts.log }).catch((err: unknown) => {
    host.close();
    throw err;
  });
  const urlFile = join(agent.config.dataDir, SCREEN_URL_FILE);
  let closed = false;
  const writeUrlFile = (): void => {
    if (closed) return;
    try {
      writePrivate(urlFile, server.launchUrl(writeUrlFile) + '\n');
    } catch (err) {
      opts.log.warn({ err, file: urlFile }, 'browser mode: cannot write the screen address file');
    }
  };
  writeUrlFile();
  let browser: KioskBrowser | undefined;
  let browserPath: string | null = null;
  let browserNotOpened: string | null = 'started with --no-browser';
  if (opts.openBrowser) {
    const found = findChromium(agent.config.ui.browserPath);
    if ('path' in found) {
      browserPath = found.path;
      browserNotOpened = null;
      browser = openKioskBrowser(found.path, () => server.launchUrl(), join(agent.config.dataDir, 'kiosk-browser'), opts.log);
    } else {
      browserNotOpened = found.reason;
    }
  }
  return {
    launchUrl: () => server.launchUrl(),
    urlFile,
    browserPath,
    browserNotOpened,
    close: async () => {
      closed = true;
      browser?.stop();
      host.close();
      await server.close();
      // Its ticket dies with this agent.
      rmSync(urlFile, { force: true });
    },
  };
}

/** Written aside and renamed: a reader never sees half an address, nor a moment of a wider mode. */
function writePrivate(file: string, text: string): void {
  const aside = `${file}.${process.pid}.tmp`;
  rmSync(aside, { force: true });
  writeFileSync(aside, text, { mode: 0o600, flag: 'wx' });
  renameSync(aside, file);
}

import { chmodSync, chownSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger as PinoLogger } from 'pino';
import { KioskError } from '../../shared/errors.js';
import type { Agent } from '../agent.js';
import { SCREEN_URL_FILE } from '../screen-endpoint.js';
import { startBrowserServer } from './browser-server.js';
import { ContractHost } from './contract-host.js';
import { findChromium, openKioskBrowser, type KioskBrowser } from './open-browser.js';
import { allowedUidsFor, PeerGuard } from './peer-guard.js';

/** In the data folder, 0600: the digests of the screens' session tokens, so a restarted agent takes its screens back. */
export const SCREEN_SESSIONS_FILE = 'screen-sessions.json';
/** In the data folder, 0600: the port browser mode last listened on when `ui.port` is 0 (see `listenPortFor`). */
export const SCREEN_PORT_FILE = 'screen-port';

/** The built renderer (vite writes it to dist/renderer, beside dist/main). */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

export interface BrowserUi {
  /** A new one-time address of the screen (its ticket is good for one page): for a terminal or a --json caller, never a log. */
  launchUrl(): string;
  /** `<dataDir>/screen-url` (0600), or the endpoint file (0640, its folder's group): always holds an unused address; rewritten each time its ticket is used. */
  urlFile: string;
  /** The Chromium opened in kiosk mode, or null. */
  readonly browserPath: string | null;
  /** Why no browser was opened (no display, none installed, --no-browser), for the banner. */
  readonly browserNotOpened: string | null;
  /** Opens Chromium in kiosk mode now (`start` when the Electron window cannot open); a no-op when one is open. */
  openBrowser(): void;
  close(): Promise<void>;
}

/**
 * Browser mode: the contract host, the 127.0.0.1 server and, where there is a
 * display and a Chromium, the kiosk browser pointed at it.
 */
export interface BrowserUiOptions {
  openBrowser: boolean;
  log: PinoLogger;
  rendererDir?: string;
  /**
   * The endpoint file for a screen running as another user (`agent
   * --endpoint-file`): written 0640 and given its folder's group (the kiosk
   * session's group), so that group alone reads it. Default
   * `<dataDir>/screen-url`, 0600, for a screen running as the agent's user.
   */
  endpointFile?: string;
  /** Users served besides `ui.allowedUids` (or the agent's own uid): the screen's session user (`agent --screen-user`). */
  screenUids?: readonly number[];
}

export async function startBrowserUi(agent: Agent, opts: BrowserUiOptions): Promise<BrowserUi> {
  const rendererDir = opts.rendererDir ?? RENDERER_DIR;
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new KioskError('internal', `the kiosk screen is not built (${rendererDir}index.html is missing): run \`npm run build\``);
  }
  const host = new ContractHost(agent, 'browser', opts.log);
  const peers = new PeerGuard([...new Set([...allowedUidsFor(agent.config.ui.allowedUids), ...(opts.screenUids ?? [])])], opts.log);
  const sessionsFile = join(agent.config.dataDir, SCREEN_SESSIONS_FILE);
  const portFile = join(agent.config.dataDir, SCREEN_PORT_FILE);
  const start = (port: number) => startBrowserServer({ host, rendererDir, port, peers, log: opts.log, sessionsFile });
  const remembered = listenPortFor(agent.config.ui.port, portFile);
  const server = await start(remembered)
    .catch((err: unknown) => {
      // Someone else took the remembered port meanwhile: any free one (the open pages then wait on the old one).
      if (remembered === agent.config.ui.port || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      opts.log.warn({ port: remembered }, 'browser mode: the port of the last run is taken; open screens must be reopened');
      return start(0);
    })
    .catch((err: unknown) => {
      host.close();
      throw err;
    });
  if (agent.config.ui.port === 0) rememberPort(portFile, server.port, opts.log);
  const urlFile = opts.endpointFile ?? join(agent.config.dataDir, SCREEN_URL_FILE);
  const forGroup = opts.endpointFile !== undefined;
  let closed = false;
  const writeUrlFile = (): void => {
    if (closed) return;
    try {
      writeEndpoint(urlFile, server.launchUrl(writeUrlFile) + '\n', forGroup);
    } catch (err) {
      opts.log.warn({ err, file: urlFile }, 'browser mode: cannot write the screen address file');
    }
  };
  writeUrlFile();
  let browser: KioskBrowser | undefined;
  let browserPath: string | null = null;
  let browserNotOpened: string | null = 'started with --no-browser';
  const openBrowser = (): void => {
    if (browser || closed) return;
    const found = findChromium(agent.config.ui.browserPath);
    if ('path' in found) {
      browserPath = found.path;
      browserNotOpened = null;
      browser = openKioskBrowser(found.path, () => server.launchUrl(), join(agent.config.dataDir, 'kiosk-browser'), opts.log);
    } else {
      browserNotOpened = found.reason;
    }
  };
  if (opts.openBrowser) openBrowser();
  return {
    launchUrl: () => server.launchUrl(),
    urlFile,
    get browserPath() {
      return browserPath;
    },
    get browserNotOpened() {
      return browserNotOpened;
    },
    openBrowser,
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

/**
 * The port to listen on. A page's origin is `127.0.0.1:<port>` and its
 * session token lives in that origin's sessionStorage, so a screen comes back
 * after an agent restart only if the agent listens where it did before. With
 * `ui.port` 0 (take a free one) the agent therefore asks first for the port it
 * had last time, kept in the data folder. This changes nothing about who gets
 * in: the page still needs its session token (docs/security.md).
 */
export function listenPortFor(configured: number, portFile: string): number {
  if (configured !== 0) return configured;
  try {
    const last = Number(readFileSync(portFile, 'utf8').trim());
    return Number.isInteger(last) && last > 1023 && last <= 65_535 ? last : 0;
  } catch {
    return 0;
  }
}

function rememberPort(portFile: string, port: number, log: PinoLogger): void {
  const aside = `${portFile}.${process.pid}.tmp`;
  try {
    rmSync(aside, { force: true });
    writeFileSync(aside, `${port}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(aside, portFile);
  } catch (err) {
    rmSync(aside, { force: true });
    log.warn({ err, file: portFile }, 'browser mode: cannot remember the screen port; after a restart open screens must be reopened');
  }
}

/**
 * Written aside and renamed: a reader never sees half an address, nor a
 * moment of a wider mode. For the screen's group: 0640 and the folder's group
 * (chown to a group the agent's user is in; the agent unit makes it so), set
 * on the aside file before the rename.
 */
function writeEndpoint(file: string, text: string, forGroup: boolean): void {
  const aside = `${file}.${process.pid}.tmp`;
  rmSync(aside, { force: true });
  writeFileSync(aside, text, { mode: 0o600, flag: 'wx' });
  if (forGroup) {
    const gid = statSync(dirname(file)).gid;
    if (statSync(aside).gid !== gid) chownSync(aside, -1, gid);
    chmodSync(aside, 0o640);
  }
  renameSync(aside, file);
}

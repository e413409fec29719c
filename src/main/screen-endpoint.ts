import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCH_TICKET_PARAM } from '../shared/contract.js';

/**
 * How a screen finds the agent: the agent writes one unused launch address
 * (`http://127.0.0.1:<port>/#ticket=<t>`) to a file, and a screen (the
 * Electron shell, or the script that starts Chromium in kiosk mode) reads it.
 * Neither side imports the other; both import this (docs/security.md, "The
 * screen as a client").
 */

/** The file's name, in the data folder (`start`, one user) or in the endpoint folder (`agent --endpoint-file`). */
export const SCREEN_URL_FILE = 'screen-url';
/** The Electron shell reads the endpoint file named here (set by `start`, or by a drop-in); else the platform default. */
export const SCREEN_URL_FILE_ENV = 'CABINET_KIOSK_SCREEN_URL_FILE';
/** The same, as a command-line argument of the shell. */
export const SCREEN_URL_FILE_ARG = '--screen-url-file';

/**
 * Where the packaged agent writes the endpoint and the packaged screen looks:
 * Linux `/run/cabinet-kiosk/screen-url` (the agent unit's RuntimeDirectory,
 * group of the kiosk session user); Windows
 * `%ProgramData%\cabinet-kiosk\screen\screen-url` (the one folder local users may read).
 */
export function defaultScreenUrlFile(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env['ProgramData'] || 'C:\\ProgramData', 'cabinet-kiosk', 'screen', SCREEN_URL_FILE);
  return `/run/cabinet-kiosk/${SCREEN_URL_FILE}`;
}

/** The endpoint file for a shell: `--screen-url-file FILE` / `=FILE` in argv, else the env variable, else the default. */
export function screenUrlFileFor(argv: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === SCREEN_URL_FILE_ARG && argv[i + 1]) return argv[i + 1]!;
    if (arg.startsWith(`${SCREEN_URL_FILE_ARG}=`)) return arg.slice(SCREEN_URL_FILE_ARG.length + 1);
  }
  return env[SCREEN_URL_FILE_ENV] || defaultScreenUrlFile(platform, env);
}

export interface ScreenEndpoint {
  /** `http://127.0.0.1:<port>`: the Origin the agent expects. */
  origin: string;
  /** `ws://127.0.0.1:<port>/contract`. */
  contractUrl: string;
  ticket: string;
}

/** Parses a launch address; null for anything that is not one of ours (loopback, a ticket in the fragment). */
export function parseScreenUrl(text: string, contractPath: string): ScreenEndpoint | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1' || !url.port) return null;
  const ticket = new URLSearchParams(url.hash.replace(/^#/, '')).get(LAUNCH_TICKET_PARAM);
  if (!ticket || !/^[\w-]{16,128}$/.test(ticket)) return null;
  return { origin: url.origin, contractUrl: `ws://${url.host}${contractPath}`, ticket };
}

/** Reads and parses the endpoint file; says why not (missing, unreadable, not an address) for the log. */
export function readScreenEndpoint(file: string, contractPath: string, read: (f: string) => string = (f) => readFileSync(f, 'utf8')): ScreenEndpoint | { error: string } {
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    return { error: `${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  return parseScreenUrl(text, contractPath) ?? { error: `${file} holds no screen address` };
}

/**
 * A uid for `--screen-user` (a number, or a name from /etc/passwd). Node has
 * no getpwnam; the passwd file is what it reads on Linux. Throws with the
 * name when it is unknown.
 */
export function resolveUid(user: string, passwd: () => string = () => readFileSync('/etc/passwd', 'utf8')): number {
  if (/^\d+$/.test(user)) return Number(user);
  for (const line of passwd().split('\n')) {
    const [name, , uid] = line.split(':');
    if (name === user && uid && /^\d+$/.test(uid)) return Number(uid);
  }
  throw new Error(`no local user named "${user}"`);
}

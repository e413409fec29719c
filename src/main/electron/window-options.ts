import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * What the kiosk window is allowed to be and to show, as pure values and
 * predicates: main.ts applies them, the tests and electronegativity check them
 * without an Electron binary.
 */

/** The renderer is served from inside the app on this scheme; nothing is fetched from a network. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Sent with every page the app scheme serves. `style-src 'self'` holds because
 * the renderer build keeps CSS in files (vite.renderer.config.ts); `data:`
 * images are the QR codes drawn in the renderer.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** The background painted before the first frame, so a reload never flashes white on the cabinet. */
const BACKGROUND = '#101418';

export interface KioskWindowSettings {
  /** Absolute path of the compiled preload (`preload.cjs`). */
  preloadPath: string;
  /** Production: no DevTools; the shortcuts of isBlockedShortcut are refused. */
  production: boolean;
}

export function kioskWindowOptions({ preloadPath, production }: KioskWindowSettings): BrowserWindowConstructorOptions {
  return {
    fullscreen: true,
    kiosk: true,
    autoHideMenuBar: true,
    frame: false,
    backgroundColor: BACKGROUND,
    // Shown on ready-to-show: the customer never sees an empty frame.
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      enableBlinkFeatures: undefined,
      // Middle-click (auxclick) is a way to open links outside the window-open handler's sight.
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // The optional key-press cue must sound on the first touch too.
      autoplayPolicy: 'no-user-gesture-required',
      devTools: !production,
    },
  };
}

/** The part of Electron's `Input` a shortcut is matched on. */
export interface KeyInput {
  type: string;
  /** The physical key (KeyboardEvent.code): the same on a QWERTY, AZERTY or Chinese layout. */
  code: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

/** Reload, hard reload, fullscreen toggle, DevTools, history and the browser keys some kiosk keyboards carry. */
const ALWAYS_BLOCKED = new Set(['F5', 'F11', 'F12', 'BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserHome', 'BrowserSearch', 'BrowserStop']);
/** With Ctrl (Cmd on macOS): reload, close, quit, print, save, open, and the zoom keys. */
const BLOCKED_WITH_CTRL = new Set(['KeyR', 'KeyW', 'KeyQ', 'KeyP', 'KeyS', 'KeyO', 'KeyN', 'KeyT', 'Equal', 'Minus', 'NumpadAdd', 'NumpadSubtract', 'Digit0', 'Numpad0']);
/** With Ctrl+Shift (Cmd+Alt on macOS): the DevTools panels. */
const DEVTOOLS_KEYS = new Set(['KeyI', 'KeyJ', 'KeyC']);

/**
 * Whether the kiosk window swallows this key. Matched on physical codes, so a
 * layout switch cannot smuggle Ctrl+R past it. Outside production nothing is
 * blocked: a developer needs reload and DevTools.
 */
export function isBlockedShortcut(input: KeyInput, production: boolean): boolean {
  if (!production) return false;
  const { code } = input;
  if (ALWAYS_BLOCKED.has(code)) return true;
  const ctrl = input.control || input.meta;
  if (ctrl && BLOCKED_WITH_CTRL.has(code)) return true;
  if (DEVTOOLS_KEYS.has(code) && ((input.control && input.shift) || (input.meta && input.alt))) return true;
  if (input.alt && (code === 'F4' || code === 'ArrowLeft' || code === 'ArrowRight' || code === 'Home')) return true;
  return false;
}

/** True for URLs of the app's own origin (`app://kiosk/…`); false for anything else, malformed included. */
export function isAppUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host.toLowerCase() === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** Scheme, host, then the raw path: matched on the string, so `..` is seen before URL parsing would fold it away. */
const APP_URL_PATH = new RegExp(`^${APP_SCHEME}://${APP_HOST}(/[^?#]*)?(?:[?#].*)?$`, 'i');

/**
 * The file inside `rendererDir` an app URL names, or null when the URL is not
 * the app's, is malformed, or names a path with `..`, `.`, an empty segment,
 * a backslash or NUL (raw or percent-encoded): refused, not clamped. `/` is
 * index.html.
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  const match = APP_URL_PATH.exec(url);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(match[1] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded === '/' ? ['index.html'] : decoded.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, ...segments);
  const rel = relative(root, file);
  // Belt and braces: with the segments checked this cannot happen.
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return file;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

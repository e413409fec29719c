import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTrustedSender } from '../../../src/main/electron/ipc-guard.js';
import { CRASH_MEMORY_MS, MAX_RELOAD_DELAY_MS, nextReloadDelay } from '../../../src/main/electron/reload-backoff.js';
import {
  APP_INDEX_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isBlockedShortcut,
  kioskWindowOptions,
  resolveAppFile,
  type KeyInput,
} from '../../../src/main/electron/window-options.js';

const key = (code: string, mods: Partial<Omit<KeyInput, 'code' | 'type'>> = {}): KeyInput => ({
  type: 'keyDown',
  code,
  control: false,
  meta: false,
  alt: false,
  shift: false,
  ...mods,
});

describe('kioskWindowOptions', () => {
  const options = kioskWindowOptions({ preloadPath: '/app/dist/main/electron/preload.cjs', production: true });

  it('is a fullscreen kiosk with no frame or menu, hidden until painted', () => {
    expect(options).toMatchObject({ fullscreen: true, kiosk: true, autoHideMenuBar: true, frame: false, show: false });
    expect(options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('isolates and sandboxes the renderer, with no Node anywhere', () => {
    expect(options.webPreferences).toEqual({
      preload: '/app/dist/main/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      enableBlinkFeatures: undefined,
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      autoplayPolicy: 'no-user-gesture-required',
      devTools: false,
    });
  });

  it('allows DevTools only outside production', () => {
    expect(kioskWindowOptions({ preloadPath: '/p.cjs', production: false }).webPreferences?.devTools).toBe(true);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name!, values] as const;
  }));

  it('allows only the app itself, and data: images for the QR codes', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    for (const none of ['object-src', 'base-uri', 'frame-ancestors', 'form-action']) expect(directives.get(none)).toEqual(["'none'"]);
  });

  it('has no inline or eval escape hatch', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|http:|https:/);
  });
});

describe('isBlockedShortcut (production)', () => {
  const blocked = (input: KeyInput) => isBlockedShortcut(input, true);

  it.each([
    ['Ctrl+R', key('KeyR', { control: true })],
    ['Ctrl+Shift+R', key('KeyR', { control: true, shift: true })],
    ['Cmd+R', key('KeyR', { meta: true })],
    ['F5', key('F5')],
    ['Ctrl+F5', key('F5', { control: true })],
    ['F11', key('F11')],
    ['F12', key('F12')],
    ['Ctrl+Shift+I', key('KeyI', { control: true, shift: true })],
    ['Ctrl+Shift+J', key('KeyJ', { control: true, shift: true })],
    ['Ctrl+Shift+C', key('KeyC', { control: true, shift: true })],
    ['Cmd+Alt+I', key('KeyI', { meta: true, alt: true })],
    ['Ctrl+=', key('Equal', { control: true })],
    ['Ctrl+Shift+= (Ctrl++)', key('Equal', { control: true, shift: true })],
    ['Ctrl+-', key('Minus', { control: true })],
    ['Ctrl+numpad +', key('NumpadAdd', { control: true })],
    ['Ctrl+numpad -', key('NumpadSubtract', { control: true })],
    ['Ctrl+0', key('Digit0', { control: true })],
    ['Ctrl+numpad 0', key('Numpad0', { control: true })],
    ['Ctrl+W', key('KeyW', { control: true })],
    ['Ctrl+Q', key('KeyQ', { control: true })],
    ['Alt+F4', key('F4', { alt: true })],
    ['Alt+Left (back)', key('ArrowLeft', { alt: true })],
    ['browser back key', key('BrowserBack')],
    ['browser refresh key', key('BrowserRefresh')],
  ])('blocks %s', (_name, input) => {
    expect(blocked(input)).toBe(true);
    expect(blocked({ ...input, type: 'keyUp' })).toBe(true);
  });

  it.each([
    ['a digit', key('Digit1')],
    ['a numpad digit', key('Numpad7')],
    ['0 without Ctrl', key('Digit0')],
    ['Enter', key('Enter')],
    ['numpad Enter', key('NumpadEnter')],
    ['Backspace', key('Backspace')],
    ['Escape', key('Escape')],
    ['a letter', key('KeyR')],
    ['Shift+letter', key('KeyI', { shift: true })],
    ['Ctrl+I without Shift', key('KeyI', { control: true })],
    ['Ctrl+C (copy)', key('KeyC', { control: true })],
    ['Tab', key('Tab')],
    ['an arrow', key('ArrowLeft')],
  ])('lets %s through', (_name, input) => {
    expect(blocked(input)).toBe(false);
  });

  it('matches the physical key, not the character: Ctrl+R on any layout is KeyR', () => {
    // On AZERTY the R key still reports code KeyR; a key that types "r" elsewhere does not.
    expect(blocked({ ...key('KeyR', { control: true }) })).toBe(true);
    expect(blocked({ ...key('KeyT'), control: false })).toBe(false);
  });

  it('blocks nothing outside production', () => {
    for (const input of [key('KeyR', { control: true }), key('F12'), key('KeyI', { control: true, shift: true }), key('KeyW', { control: true })]) {
      expect(isBlockedShortcut(input, false)).toBe(false);
    }
  });
});

describe('app URLs', () => {
  it('knows its own origin', () => {
    expect(APP_ORIGIN).toBe('app://kiosk');
    expect(APP_INDEX_URL).toBe('app://kiosk/index.html');
    expect(isAppUrl('app://kiosk/index.html')).toBe(true);
    expect(isAppUrl('app://kiosk/assets/x.js?v=1#top')).toBe(true);
  });

  it.each(['https://evil.example/', 'http://kiosk/', 'app://evil/index.html', 'app://kiosk.evil.example/', 'app://kiosk:8080/', 'app://user@kiosk/', 'file:///etc/passwd', 'javascript:alert(1)', 'about:blank', 'not a url', ''])('refuses %j', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });
});

describe('resolveAppFile', () => {
  const root = resolve('/opt/kiosk/dist/renderer');

  it('maps app URLs to files inside the renderer folder', () => {
    expect(resolveAppFile(root, 'app://kiosk/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://kiosk')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://kiosk/index.html')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://kiosk/assets/index-abc.js?x=1')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveAppFile(root, 'app://kiosk/fonts/Noto%20Sans.woff2')).toBe(join(root, 'fonts', 'Noto Sans.woff2'));
  });

  it.each([
    'app://kiosk/../../etc/passwd',
    'app://kiosk/assets/../../../etc/passwd',
    'app://kiosk/%2e%2e/%2e%2e/etc/passwd',
    'app://kiosk/%2E%2E/index.html',
    'app://kiosk/assets/..%2f..%2f..%2fetc%2fpasswd',
    'app://kiosk/..%5c..%5cwindows%5cwin.ini',
    'app://kiosk/%2fetc%2fpasswd',
    'app://kiosk//etc/passwd',
    'app://kiosk/./index.html',
    'app://kiosk/index.html%00.png',
    'app://kiosk/%E0%A4%A',
    'app://kiosk/assets/',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });

  it('refuses other hosts, other schemes and absolute paths', () => {
    expect(resolveAppFile(root, 'app://evil/index.html')).toBeNull();
    expect(resolveAppFile(root, 'https://kiosk/index.html')).toBeNull();
    expect(resolveAppFile(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppFile(root, '/etc/passwd')).toBeNull();
    expect(resolveAppFile(root, '../../etc/passwd')).toBeNull();
    expect(resolveAppFile(root, 'app://user@kiosk/index.html')).toBeNull();
    expect(resolveAppFile(root, 'app://kiosk:8080/index.html')).toBeNull();
    expect(resolveAppFile(root, 'app://kiosk.evil.example/index.html')).toBeNull();
  });
});

describe('isTrustedSender', () => {
  it('trusts only the kiosk window, from a frame on the app origin', () => {
    expect(isTrustedSender({ url: 'app://kiosk/index.html' }, 7, 7)).toBe(true);
    expect(isTrustedSender({ url: 'app://kiosk/index.html' }, 7, 8)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/' }, 7, 7)).toBe(false);
    expect(isTrustedSender({ url: 'app://other/index.html' }, 7, 7)).toBe(false);
    expect(isTrustedSender(null, 7, 7)).toBe(false);
  });
});

describe('nextReloadDelay', () => {
  it('waits a second after a lone crash, doubling for crashes in a row up to a cap', () => {
    let crashes: number[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const next = nextReloadDelay(crashes, 1_000_000 + i * 1_000);
      crashes = next.crashes;
      delays.push(next.delayMs);
    }
    expect(delays.slice(0, 4)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(Math.max(...delays)).toBe(MAX_RELOAD_DELAY_MS);
  });

  it('forgets crashes older than its memory', () => {
    const next = nextReloadDelay([0, 1_000, 2_000], CRASH_MEMORY_MS + 10_000);
    expect(next).toEqual({ delayMs: 1_000, crashes: [CRASH_MEMORY_MS + 10_000] });
  });
});

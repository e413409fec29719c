import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convert } from 'fontverter';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { fontCodePoints, missingCharacters } from '../../tools/fonts/build-fonts.js';
import { CHROMIUM, CHROMIUM_ARGS } from './kiosk-browser.js';

/**
 * What the screen suite checks on each screen: every control inside the
 * panel (or a scroll region), unclipped and big enough to touch; every text
 * drawn with a shipped font that has its glyphs; no serious axe finding.
 */

/** The panels cabinets ship with (landscape and portrait). */
export const PANELS = [
  { width: 800, height: 480 },
  { width: 1024, height: 600 },
  { width: 1280, height: 800 },
  { width: 1080, height: 1920 },
  { width: 1920, height: 1080 },
] as const;
export type Panel = (typeof PANELS)[number];
export const panelName = (p: { width: number; height: number }): string => `${p.width}x${p.height}`;

/** The shipped faces as the DevTools protocol names them (their name tables: "Noto Sans", "Noto Sans SC …"). */
const SHIPPED_FAMILY = /^Noto Sans( SC)?\b/;

/**
 * Chromium that sees none of the machine's fonts: FONTCONFIG_FILE points to
 * a config whose one folder holds a single Latin face (Noto Sans 400 from
 * @fontsource, as TrueType). Whatever the page does not draw with its own
 * fonts falls back to that face, which the protocol reports as a system font
 * (`isCustomFont: false`) and which has no Chinese glyph. So the check below
 * fails here just as it would on a machine with fonts-noto-cjk if the
 * renderer stopped shipping its own. (With no font at all Chromium still
 * draws the web fonts but reports no font for any node.)
 */
export async function launchChromiumWithoutSystemFonts(): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-fontconfig-'));
  mkdirSync(join(dir, 'fonts'));
  const latin = readFileSync(createRequire(import.meta.url).resolve('@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff2'));
  writeFileSync(join(dir, 'fonts', 'fallback-latin.ttf'), await convert(latin, 'sfnt'));
  writeFileSync(
    join(dir, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'cache')}</cachedir>\n</fontconfig>\n`,
  );
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, FONTCONFIG_FILE: join(dir, 'fonts.conf') } });
}

/** The code points of the built faces in dist/renderer/assets (what the page may load: the cut faces and the fallback's slices). */
export async function shippedCodePoints(): Promise<Array<Set<number>>> {
  const assets = new URL('../../dist/renderer/assets/', import.meta.url);
  const fonts = readdirSync(assets).filter((f) => f.endsWith('.woff2'));
  if (fonts.length === 0) throw new Error('no fonts in dist/renderer/assets: run `npm run build`');
  // One at a time: the WOFF2 decoder's WebAssembly state is shared, and concurrent calls return empty fonts.
  const sets: Array<Set<number>> = [];
  for (const f of fonts) {
    const points = await fontCodePoints(readFileSync(new URL(f, assets)));
    if (points.size === 0) throw new Error(`${f}: no character decoded`);
    sets.push(points);
  }
  return sets;
}

export interface LayoutOptions {
  /** Smallest touch target, px. */
  minTarget: number;
  /** Elements (selectors) allowed a smaller target, and the size they must still reach. */
  smallTargets?: { selector: string; min: number }[];
  /** The screen's controls and headings must show without scrolling. */
  noScroll?: boolean;
}

/**
 * In the page: each control (and each heading, paragraph, alert and status)
 * is brought into view by scrolling only the scroll regions (overflow
 * auto/scroll) between it and the root, then must lie inside the window and
 * every clipping ancestor, with its own content unclipped; controls must be
 * `minTarget` px both ways. Scroll positions are put back.
 */
const LAYOUT_PROBE = String.raw`(opts) => {
  const vw = innerWidth, vh = innerHeight, issues = [], scrolled = new Set();
  const shown = (el) => {
    if (el.closest('[hidden], [aria-hidden="true"]')) return false;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = (el) => {
    const id = el.getAttribute('data-testid') || el.getAttribute('data-key') || el.getAttribute('data-tab') || el.getAttribute('data-size') || el.getAttribute('data-compartment') || el.className || el.tagName.toLowerCase();
    return el.tagName.toLowerCase() + '[' + String(id).slice(0, 40) + '] "' + (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 32) + '"';
  };
  const scrolls = (s, axis) => /(auto|scroll)/.test(axis === 'y' ? s.overflowY : s.overflowX);
  // A fixed layer (a modal) is clipped and scrolled by the window only, not by the ancestors it sits in.
  const fixedStop = (node) => getComputedStyle(node).position === 'fixed';
  const reveal = (el) => {
    let moved = false;
    for (let a = el.parentElement, n = el; a && a !== document.documentElement && !fixedStop(n); n = a, a = a.parentElement) {
      const s = getComputedStyle(a);
      const r = el.getBoundingClientRect(), ar = a.getBoundingClientRect();
      const top = ar.top + a.clientTop, left = ar.left + a.clientLeft;
      if (scrolls(s, 'y') && a.scrollHeight > a.clientHeight + 1) {
        const before = a.scrollTop;
        if (r.bottom > top + a.clientHeight) a.scrollTop += r.bottom - (top + a.clientHeight);
        if (r.top < top) a.scrollTop -= top - r.top;
        if (a.scrollTop !== before) { moved = true; scrolled.add(a); }
      }
      if (scrolls(s, 'x') && a.scrollWidth > a.clientWidth + 1) {
        const before = a.scrollLeft;
        if (r.right > left + a.clientWidth) a.scrollLeft += r.right - (left + a.clientWidth);
        if (r.left < left) a.scrollLeft -= left - r.left;
        if (a.scrollLeft !== before) { moved = true; scrolled.add(a); }
      }
    }
    return moved;
  };
  const clip = (el) => {
    let l = 0, t = 0, r = vw, b = vh;
    for (let a = el.parentElement, n = el; a && !fixedStop(n); n = a, a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      const al = ar.left + a.clientLeft, at = ar.top + a.clientTop;
      if (s.overflowX !== 'visible') { l = Math.max(l, al); r = Math.min(r, al + a.clientWidth); }
      if (s.overflowY !== 'visible') { t = Math.max(t, at); b = Math.min(b, at + a.clientHeight); }
    }
    return { l, t, r, b };
  };
  const controls = new Set([...document.querySelectorAll('button, a[href], input, select, textarea, [role="button"], [role="tab"], [tabindex]:not([tabindex="-1"])')].filter(shown));
  const texts = [...document.querySelectorAll('h1, h2, p, [role="alert"], [role="status"], legend, .issued-code')].filter((el) => shown(el) && !controls.has(el) && (el.textContent || '').trim() !== '');
  for (const el of [...controls, ...texts]) {
    const moved = reveal(el);
    const r = el.getBoundingClientRect();
    const c = clip(el);
    const name = label(el);
    if (r.left < c.l - 1 || r.top < c.t - 1 || r.right > c.r + 1 || r.bottom > c.b + 1) {
      issues.push(name + ' is cut off: ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(',') + ' outside ' + [c.l, c.t, c.r, c.b].map(Math.round).join(','));
    } else if (moved && opts.noScroll) {
      issues.push(name + ' shows only after scrolling');
    }
    const s = getComputedStyle(el);
    if (s.textOverflow !== 'ellipsis' && (el.scrollWidth > el.clientWidth + 1 || (s.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1)) && el.clientWidth > 0 && !/(auto|scroll)/.test(s.overflowX + s.overflowY)) {
      issues.push(name + ' clips its own content: ' + el.scrollWidth + 'x' + el.scrollHeight + ' in ' + el.clientWidth + 'x' + el.clientHeight);
    }
    if (controls.has(el)) {
      const small = (opts.smallTargets || []).find((x) => el.matches(x.selector));
      const min = small ? small.min : opts.minTarget;
      if (r.width < min - 0.5 || r.height < min - 0.5) issues.push(name + ' is ' + Math.round(r.width) + 'x' + Math.round(r.height) + ' px, under ' + min);
    }
  }
  for (const a of scrolled) { a.scrollTop = 0; a.scrollLeft = 0; }
  return issues;
}`;

export async function layoutIssues(page: Page, options: LayoutOptions): Promise<string[]> {
  return page.evaluate(`(${LAYOUT_PROBE})(${JSON.stringify(options)})`);
}

/**
 * Every element with a visible text child, marked for the protocol's
 * `CSS.getPlatformFontsForNode`: a font that is not shipped (a system font
 * the page fell back to) or a character no shipped face has is an issue.
 */
export async function fontIssues(page: Page, cdp: CDPSession, shipped: ReadonlyArray<ReadonlySet<number>>): Promise<string[]> {
  const texts = await page.evaluate<Array<{ text: string }>>(String.raw`(() => {
    const out = [];
    let i = 0;
    for (const el of document.querySelectorAll('[data-font-probe]')) el.removeAttribute('data-font-probe');
    for (const el of document.querySelectorAll('body, body *')) {
      const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim() !== '').map((n) => n.textContent).join('');
      if (!own) continue;
      if (el.closest('[hidden], [aria-hidden="true"], script, style')) continue;
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || s.display === 'none' || el.getClientRects().length === 0) continue;
      el.setAttribute('data-font-probe', String(i++));
      out.push({ text: own });
    }
    return out;
  })()`);
  const issues: string[] = [];
  const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
  const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '[data-font-probe]' });
  for (const [i, nodeId] of nodeIds.entries()) {
    const text = texts[i]?.text ?? '';
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    for (const f of fonts) {
      if (!f.isCustomFont || !SHIPPED_FAMILY.test(f.familyName)) issues.push(`"${text.trim().slice(0, 40)}" drawn with ${f.familyName}${f.isCustomFont ? '' : ' (a system font)'}`);
    }
    const lost = missingCharacters(text, shipped);
    if (lost.length > 0) issues.push(`"${text.trim().slice(0, 40)}" has characters no shipped font holds: ${lost.join(' ')}`);
  }
  await page.evaluate(`document.querySelectorAll('[data-font-probe]').forEach((el) => el.removeAttribute('data-font-probe'))`);
  return issues;
}

export async function openFontProbe(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  return cdp;
}

/**
 * axe-core, run with the page's real timers: a test that stops the page's
 * clock (Playwright's `clock.pauseAt`, to hold a screen that leaves by
 * itself) would otherwise stop axe too (see installClockKeepingRealTimers).
 */
const AXE_SOURCE = `(function (t) {
  var setTimeout = t.setTimeout, clearTimeout = t.clearTimeout, setInterval = t.setInterval, clearInterval = t.clearInterval, requestAnimationFrame = t.requestAnimationFrame, cancelAnimationFrame = t.cancelAnimationFrame;
${readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')}
}).call(window, window.__ckRealTimers || window)`;

/**
 * Gives the context a clock the test can stop (`context.clock`), after an
 * init script that keeps the page's own timers for axe: init scripts run in
 * the order they were added, so this one sees the native timers (checked).
 */
export async function installClockKeepingRealTimers(context: BrowserContext): Promise<void> {
  await context.addInitScript(
    `window.__ckRealTimers = { native: /\\[native code\\]/.test(Function.prototype.toString.call(window.setTimeout)), setTimeout: setTimeout.bind(window), clearTimeout: clearTimeout.bind(window), setInterval: setInterval.bind(window), clearInterval: clearInterval.bind(window), requestAnimationFrame: requestAnimationFrame.bind(window), cancelAnimationFrame: cancelAnimationFrame.bind(window) }`,
  );
  await context.clock.install();
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * axe-core's serious and critical findings on the page as it is. The source
 * goes in through `evaluate` (the page's CSP allows no inline script tag).
 */
export async function axeIssues(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) {
    if ((await page.evaluate('window.__ckRealTimers ? window.__ckRealTimers.native : null')) === false) throw new Error('axe: the saved timers are not the native ones (the clock was installed first)');
    await page.evaluate(AXE_SOURCE);
  }
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
}

/**
 * The screen's figures: renderer bundle size, `start` in browser mode → keypad
 * interactive, and keypress → paint on the on-screen keypad, in Debian's
 * Chromium driven by playwright-core, against the real agent on a simulated
 * cabinet (embedded defaults, in a temp folder).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/kiosk-browser.js';
import { JsonLineProcess } from '../test/helpers/cli.js';
import { median, progress, summarize, tempDir, type Summary } from './stats.js';

const RENDERER = fileURLToPath(new URL('../dist/renderer/', import.meta.url));

export interface UiResult {
  /** What a page loads to show its first screen; the spoken clips and the fallback font's slices apart (each fetched when needed). */
  bundle: { files: number; rawKb: number; gzipKb: number; largestGzipKb: { file: string; kb: number }; voice: { files: number; kb: number }; fallbackFont: { files: number; kb: number } };
  uiReady: { runs: Array<{ spawnToReadyLineMs: number; readyLineToInteractiveMs: number; totalMs: number }>; medianMs: number; chromiumLaunchMs: number };
  keypress: { presses: number; toPaintMs: Summary; toDomMs: Summary; frameMs: Summary; waitForFrameMs: Summary; workMs: Summary };
}

export async function runUiBench(opts: { readyRuns: number; presses: number }): Promise<UiResult> {
  const bundle = measureBundle();
  progress(`renderer bundle: ${bundle.gzipKb} KB gzipped in ${bundle.files} files`);
  const t0 = performance.now();
  // Headless Chromium keeps its 60 Hz frame clock whatever the flags (measured:
  // rAF every 16.7 ms with --disable-frame-rate-limit --disable-gpu-vsync), as a
  // kiosk panel does: a tap waits for the next frame, which the figure includes.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const chromiumLaunchMs = performance.now() - t0;
  try {
    const runs = [];
    for (let i = 0; i < opts.readyRuns; i += 1) runs.push(await uiReadyOnce(browser, i === opts.readyRuns - 1 ? opts.presses : 0));
    const keypress = runs.at(-1)!.keypress!;
    return {
      bundle,
      uiReady: { runs: runs.map((r) => r.timing), medianMs: median(runs.map((r) => r.timing.totalMs)), chromiumLaunchMs },
      keypress,
    };
  } finally {
    await browser.close();
  }
}

function measureBundle(): UiResult['bundle'] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(RENDERER);
  let raw = 0;
  let gz = 0;
  let largest = { file: '', kb: 0 };
  const kb = (list: string[]) => +(list.reduce((n, f) => n + statSync(f).size, 0) / 1024).toFixed(1);
  const voice = files.filter((f) => f.endsWith('.wav'));
  // Noto Sans SC's unicode-range slices (tools/fonts/build-fonts.ts buildFallback): fetched only for a character outside the catalogue.
  // Numbered slices and the named ones (latin, latin-ext, cyrillic, vietnamese) alike, and the stylesheet and chunk that load them after the first screen.
  const fallback = files.filter((f) => /\/noto-sans-sc-[a-z\d-]+-400-normal-[\w-]+\.woff2$/.test(f) || /\/fonts-fallback-[\w-]+\.(css|js)$/.test(f));
  const loaded = files.filter((f) => !voice.includes(f) && !fallback.includes(f));
  for (const file of loaded) {
    const bytes = readFileSync(file);
    const zipped = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += zipped;
    if (zipped / 1024 > largest.kb) largest = { file: file.slice(RENDERER.length), kb: +(zipped / 1024).toFixed(1) };
  }
  return { files: loaded.length, rawKb: +(raw / 1024).toFixed(1), gzipKb: +(gz / 1024).toFixed(1), largestGzipKb: largest, voice: { files: voice.length, kb: kb(voice) }, fallbackFont: { files: fallback.length, kb: kb(fallback) } };
}

async function uiReadyOnce(browser: Browser, presses: number) {
  const dir = tempDir('ck-bench-ui-');
  const t0 = performance.now();
  const agent = new JsonLineProcess(['--json', 'start', '--ui', 'browser', '--no-browser'], { CABINET_KIOSK_CONFIG: '' }, { cwd: dir.path });
  try {
    const ready = await agent.next((l) => l['event'] === 'ready', 30_000);
    const tReady = performance.now();
    const url = (ready['ui'] as { url: string }).url;
    const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
    const tInteractive = performance.now();
    let keypress: UiResult['keypress'] | undefined;
    if (presses > 0) {
      await page.locator('[data-testid="start-pickup"]').click();
      await page.locator('main#app[data-screen="code"]').waitFor();
      // Per tap: the event's timestamp; the code field's DOM change (a MutationObserver
      // fires in the microtask after it); the start of the first frame after that change
      // (rAF), which is the frame that shows it; and the task after that frame, which runs
      // once the frame is produced. tap→DOM is our handler; DOM→frame is the wait for the
      // display's next refresh (nothing of ours runs there); frame→done is that frame's work.
      // Page code is passed as text: this file is type-checked for Node, not the DOM.
      await page.evaluate(`
        window.__taps = [];
        let current = null;
        new MutationObserver(() => {
          const tap = current;
          if (!tap || tap.dom !== null) return;
          tap.dom = performance.now();
          requestAnimationFrame((t) => {
            tap.frame = t;
            setTimeout(() => { tap.painted = performance.now(); window.__taps.push(tap); }, 0);
          });
        }).observe(document.querySelector('[data-testid="code-field"]'), { subtree: true, childList: true, characterData: true, attributes: true });
        window.addEventListener('pointerdown', (e) => {
          current = { event: e.timeStamp, dom: null, frame: null, painted: null };
        }, { capture: true });
      `);
      // Taps as a finger makes them: pressed at the key's centre and lifted 60 ms later
      // (a finger rests ~100 ms). Not locator.click(): its actionability checks and
      // hit-target listener force a style and layout inside the measured window, and
      // its release comes before the frame, which no finger's does. (CDP touch events
      // would be closer still, but after a touchstart Blink holds back timer tasks for
      // a possible scroll, which delays the task that marks the paint, not the paint.)
      const centres = new Map<string, { x: number; y: number }>();
      for (const key of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear']) {
        const box = await page.locator(`[data-key="${key}"]`).boundingBox();
        if (!box) throw new Error(`keypad key ${key} is not on screen`);
        centres.set(key, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
      }
      for (let i = 0; i < presses; i += 1) {
        // Fill and clear, as customers do: eight digits, then clear.
        const at = centres.get(i % 9 === 8 ? 'clear' : String(i % 10))!;
        await page.mouse.move(at.x, at.y);
        await page.mouse.down();
        await page.waitForTimeout(60);
        await page.mouse.up();
        await page.waitForTimeout(40);
      }
      await page.waitForTimeout(100);
      const taps = (await page.evaluate('window.__taps')) as Array<{ event: number; dom: number; frame: number; painted: number }>;
      keypress = {
        presses: taps.length,
        toPaintMs: summarize(taps.map((t) => t.painted - t.event)),
        toDomMs: summarize(taps.map((t) => t.dom - t.event)),
        waitForFrameMs: summarize(taps.map((t) => Math.max(0, t.frame - t.dom))),
        frameMs: summarize(taps.map((t) => t.painted - t.frame)),
        // What the screen's code controls: the handler and the frame's work, without the wait for the refresh.
        workMs: summarize(taps.map((t) => t.painted - t.event - Math.max(0, t.frame - t.dom))),
      };
    }
    await context.close();
    return { timing: { spawnToReadyLineMs: tReady - t0, readyLineToInteractiveMs: tInteractive - tReady, totalMs: tInteractive - t0 }, keypress };
  } finally {
    await agent.stop();
    dir.remove();
  }
}

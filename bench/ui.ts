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
  bundle: { files: number; rawKb: number; gzipKb: number; largestGzipKb: { file: string; kb: number } };
  uiReady: { runs: Array<{ spawnToReadyLineMs: number; readyLineToInteractiveMs: number; totalMs: number }>; medianMs: number; chromiumLaunchMs: number };
  keypress: { presses: number; toPaintMs: Summary; vsyncNote: string };
}

export async function runUiBench(opts: { readyRuns: number; presses: number }): Promise<UiResult> {
  const bundle = measureBundle();
  progress(`renderer bundle: ${bundle.gzipKb} KB gzipped in ${bundle.files} files`);
  const t0 = performance.now();
  // Unthrottled frames: the figure is our handler + style + layout + paint, not
  // the wait for the next 60 Hz vsync a real display adds (0–16.7 ms, noted beside).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--disable-frame-rate-limit', '--disable-gpu-vsync'] });
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
  for (const file of files) {
    const bytes = readFileSync(file);
    const zipped = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += zipped;
    if (zipped / 1024 > largest.kb) largest = { file: file.slice(RENDERER.length), kb: +(zipped / 1024).toFixed(1) };
  }
  return { files: files.length, rawKb: +(raw / 1024).toFixed(1), gzipKb: +(gz / 1024).toFixed(1), largestGzipKb: largest };
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
    // Page code is passed as text: this file is type-checked for Node, not the DOM.
    await page.waitForFunction('document.documentElement.dataset.ready === "true"');
    const tInteractive = performance.now();
    let keypress: UiResult['keypress'] | undefined;
    if (presses > 0) {
      await page.locator('[data-testid="start-pickup"]').click();
      await page.locator('main#app[data-screen="code"]').waitFor();
      // The task after the next frame's requestAnimationFrame runs once that frame, with the app's update, is painted.
      await page.evaluate(`
        window.__paint = [];
        window.addEventListener('pointerdown', (e) => {
          const start = e.timeStamp;
          requestAnimationFrame(() => setTimeout(() => window.__paint.push(performance.now() - start), 0));
        }, { capture: true });
      `);
      for (let i = 0; i < presses; i += 1) {
        // Fill and clear, as customers do: eight digits, then clear.
        const key = i % 9 === 8 ? 'clear' : String(i % 10);
        await page.locator(`[data-key="${key}"]`).click();
      }
      const samples = { paint: (await page.evaluate('window.__paint')) as number[] };
      keypress = {
        presses: samples.paint.length,
        toPaintMs: summarize(samples.paint),
        vsyncNote: 'frame-rate limit off: a 60 Hz panel adds the wait for its next vsync (0–16.7 ms) on top',
      };
    }
    await context.close();
    return { timing: { spawnToReadyLineMs: tReady - t0, readyLineToInteractiveMs: tInteractive - tReady, totalMs: tInteractive - t0 }, keypress };
  } finally {
    await agent.stop();
    dir.remove();
  }
}

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { launchChromium, screen, type KioskUnderTest } from './kiosk-browser.js';

/** What an e2e suite holds while it runs: set by `useKioskInChromium`'s hooks. */
export interface KioskInChromium {
  kiosk: KioskUnderTest;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Open frames the simulator received for one lock. */
  openFramesFor(board: number, lock: number): number;
}

/**
 * The hooks every e2e suite needs: one kiosk and one Chromium for the suite,
 * a fresh portrait page per test on its own one-time screen address, page
 * errors thrown. Read the fields inside tests (they are set by the hooks).
 */
export function useKioskInChromium(start: () => Promise<KioskUnderTest>, viewport = { width: 1080, height: 1920 }): KioskInChromium {
  const ui = {
    openFramesFor: (board: number, lock: number) =>
      ui.kiosk.simulator.lines.filter((l) => l['event'] === 'frame' && l['kind'] === 'open' && l['board'] === board && l['lock'] === lock).length,
  } as KioskInChromium;
  beforeAll(async () => {
    ui.kiosk = await start();
    ui.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await ui.browser?.close();
    await ui.kiosk?.stop();
  });
  beforeEach(async () => {
    ui.context = await ui.browser.newContext({ viewport });
    ui.page = await ui.context.newPage();
    ui.page.on('pageerror', (err) => {
      throw err;
    });
    // One address per page: its ticket opens one session.
    await ui.page.goto(await ui.kiosk.screenUrl());
    await screen(ui.page, 'attract');
  });
  afterEach(async () => {
    await ui.context?.close();
  });
  return ui;
}

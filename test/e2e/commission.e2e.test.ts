import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/renderer/i18n/messages.js';
import { fill } from '../../src/renderer/logic/format.js';
import { assertBuilt, JsonLineProcess } from '../helpers/cli.js';
import { enterCode, launchChromium, oneTimeUrls, PINS, screen, startKiosk, tapDigits, type KioskUnderTest } from '../helpers/kiosk-browser.js';
import { requireSocat } from '../helpers/pty.js';
import { axeIssues, layoutIssues, panelName, PANELS } from '../helpers/screen-audit.js';

/**
 * Commissioning from the touchscreen, end to end: a real agent on a YAML
 * configuration file with the board simulator on a PTY (`serial.path:
 * simulator`), real Chromium in browser mode. The technician starts setup on
 * the Setup tab of service mode, scans the line, pulses the locks one by one
 * and says which compartment each is, and writes the file; the agent then
 * stops to start again on it (exit 0: under systemd, Restart=always brings it
 * back). Cancel writes nothing. While setup runs, a customer at another
 * screen is told the cabinet is being set up. Every step must fit every panel.
 */
const SHOTS = join(process.cwd(), 'test-results', 'screens');
const zh = MESSAGES.zh;
const LONG = 60_000;

interface Cabinet {
  dir: string;
  file: string;
  /** The file as the operator wrote it. */
  text: string;
  agent: JsonLineProcess;
  /** An unused one-time address of the screen, for one page. */
  screenUrl(): Promise<string>;
}

/** One board of 8 locks, its compartments D1 … D8 (the door map setup replaces), the technician PIN set. */
function cabinetText(): string {
  return [
    '# Written by the operator: setup must keep this comment and the keys it does not own.',
    'cabinet:',
    '  id: E2E-SETUP',
    'serial:',
    '  path: simulator',
    'simulator:',
    '  transport: pty',
    '  autoCloseMs: 300',
    'boards:',
    '  - { address: 1, protocol: xor-8a, locks: 8 }',
    'compartments:',
    ...Array.from({ length: 8 }, (_, i) => `  - { id: D${i + 1}, board: 1, lock: ${i + 1}, size: M }`),
    'database: ./kiosk.db',
    `staff: { courierPin: '${PINS.courier}', technicianPin: '${PINS.technician}', sessionIdleMs: 600000 }`,
    'ui: { shell: browser, idleResetMs: 600000, sound: false, voice: false }',
    '',
  ].join('\n');
}

async function startCabinet(): Promise<Cabinet> {
  assertBuilt();
  requireSocat();
  if (!existsSync(new URL('../../dist/renderer/index.html', import.meta.url))) throw new Error('dist/renderer is missing: run `npm run build`');
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ck-e2e-setup-')));
  const file = join(dir, 'kiosk.yaml');
  const text = cabinetText();
  writeFileSync(file, text, { mode: 0o640 });
  const agent = new JsonLineProcess(['--config', file, '--json', 'start', '--no-browser'], {}, { cwd: dir });
  try {
    await agent.next((l) => l['event'] === 'ready', 30_000);
  } catch (err) {
    await agent.stop();
    throw err;
  }
  return { dir, file, text, agent, screenUrl: oneTimeUrls(join(dir, 'screen-url')) };
}

/** The agent's exit code once it has ended by itself. */
function exitCode(agent: JsonLineProcess, timeoutMs = 30_000): Promise<number | null> {
  const child = agent.child;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not exit within ${timeoutMs} ms; stderr: ${agent.stderr}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Backups `setup` keeps beside the file: `<file>.<stamp>.bak`. */
const backupsOf = (c: Cabinet): string[] => readdirSync(c.dir).filter((f) => f.startsWith('kiosk.yaml.') && f.endsWith('.bak'));

describe('commissioning from the Setup tab in Chromium (browser mode, simulator on a PTY)', { timeout: 240_000 }, () => {
  let browser: Browser;
  let cabinet: Cabinet | undefined;
  let kiosk: KioskUnderTest | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  }, LONG);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    await cabinet?.agent.stop();
    cabinet = undefined;
    await kiosk?.stop();
    kiosk = undefined;
  });

  async function openPage(c: Pick<Cabinet, 'screenUrl'>, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(await c.screenUrl());
    await screen(page, 'attract', 15_000);
    return page;
  }

  async function technicianOnSetupTab(page: Page): Promise<void> {
    await page.locator('[data-testid="start-technician"]').click();
    await screen(page, 'staff-login');
    await tapDigits(page, PINS.technician);
    await page.locator('[data-key="ok"]').click();
    await screen(page, 'service', 15_000);
    await page.locator('[data-tab="setup"]').click();
    await page.locator('[data-tab="setup"][aria-selected="true"]').waitFor();
  }

  const step = (page: Page, name: string) => page.locator(`[data-testid="setup"][data-step="${name}"]`).waitFor({ timeout: LONG });
  const text = async (page: Page, testId: string) => ((await page.locator(`[data-testid="${testId}"]`).first().textContent()) ?? '').trim();

  /** Every control and text of the step showing, on every panel, in both languages, and axe's serious findings (fonts are screen-fit's). */
  async function fits(page: Page, name: string): Promise<string[]> {
    const issues: string[] = [];
    const start = page.viewportSize()!;
    for (const lang of ['zh', 'en'] as const) {
      if ((await page.locator('main#app').getAttribute('lang')) !== lang) await page.locator('[data-testid="lang-toggle"]').click();
      await page.locator(`main#app[lang="${lang}"]`).waitFor();
      for (const panel of PANELS) {
        await page.setViewportSize(panel);
        issues.push(...(await layoutIssues(page, { minTarget: 64 })).map((i) => `${name} ${panelName(panel)} ${lang}: ${i}`));
        if (panel === PANELS[0]) issues.push(...(await axeIssues(page)).map((i) => `${name} ${panelName(panel)} ${lang}: axe ${i}`));
        if ((panel === PANELS[0] && lang === 'en') || (panel === PANELS[2] && lang === 'zh')) await page.screenshot({ path: join(SHOTS, `setup-${name}-${panelName(panel)}-${lang}.png`) });
      }
    }
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.locator('main#app[lang="zh"]').waitFor();
    await page.setViewportSize(start);
    return issues;
  }

  it('start, scan, map two locks (pulse, id, size), write: the file holds exactly those doors, the old one is kept, the agent exits 0 to restart on it', async () => {
    const c = (cabinet = await startCabinet());
    const page = await openPage(c);
    await technicianOnSetupTab(page);

    // 1. Nothing is called before Start: the cabinet still serves customers.
    await step(page, 'intro');
    expect(await text(page, 'setup-warning')).toBe(zh.setupIntroWarning);
    expect.soft(await fits(page, 'intro')).toEqual([]);
    await page.locator('[data-testid="setup-start"]').click();
    await step(page, 'line');
    expect(await page.locator('[data-testid="setup-facts"]').getAttribute('data-simulator')).toBe('true');
    expect(await text(page, 'setup-config-file')).toBe(c.file);
    expect(await page.locator('[data-testid="setup-no-config"]').count()).toBe(0);

    // 2. The scan: one xor-8a board of 8 locks.
    await page.locator('[data-testid="setup-scan"]').click();
    // While it runs, the agent's progress: the board is named as soon as it answers (the sweep goes on through the other protocols and rates).
    await page.locator('[data-testid="setup-scan-progress"][data-found="1"]').waitFor({ timeout: LONG });
    await page.locator('[data-testid="setup-bus"]').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid="setup-bus"]').getAttribute('data-protocol')).toBe('xor-8a');
    const boards = page.locator('[data-testid="setup-board"]');
    expect(await boards.count()).toBe(1);
    expect([await boards.getAttribute('data-address'), await boards.getAttribute('data-locks')]).toEqual(['1', '8']);
    expect(await boards.textContent()).toBe(fill(zh.setupBoard, { board: 1, locks: 8 }));
    expect(await text(page, 'setup-scan')).toBe(zh.setupScanAgain);
    expect.soft(await fits(page, 'line')).toEqual([]);

    // 3. Lock 1: offered the id the door map in use gives it; pulsed; renamed A1, size S.
    await page.locator('[data-testid="setup-map"]').click();
    await step(page, 'mapping');
    const lock = page.locator('[data-testid="setup-lock"]');
    expect([await lock.getAttribute('data-board'), await lock.getAttribute('data-lock')]).toEqual(['1', '1']);
    expect(await page.locator('[data-testid="setup-id"]').inputValue()).toBe('D1');
    expect(await page.locator('[data-testid="setup-size-M"]').getAttribute('aria-pressed')).toBe('true');
    expect(await text(page, 'setup-pulse')).toBe(zh.setupPulse);
    await page.locator('[data-testid="setup-pulse"]').click();
    await page.locator('[data-testid="setup-outcome"]:not([data-outcome="pulsing"])').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid="setup-outcome"]').getAttribute('data-outcome')).toBe('opened');
    expect(await text(page, 'setup-outcome')).toBe(zh.pulseOutcomes.opened);
    expect(await text(page, 'setup-pulse')).toBe(zh.setupPulseAgain);
    await page.locator('[data-testid="setup-id"]').fill('A1');
    await page.locator('[data-testid="setup-size-S"]').click();
    expect.soft(await fits(page, 'mapping')).toEqual([]);
    await page.locator('[data-testid="setup-next"]').click();

    // Lock 2: an empty id and one already given are refused inline; the digit keys type; size L.
    await page.locator('[data-testid="setup-lock"][data-lock="2"]').waitFor();
    expect(await page.locator('[data-testid="setup-mapped"]').getAttribute('data-count')).toBe('1');
    await page.locator('[data-testid="setup-pulse"]').click();
    await page.locator('[data-testid="setup-outcome"][data-outcome="opened"]').waitFor({ timeout: LONG });
    await page.locator('[data-testid="setup-id"]').fill('');
    await page.locator('[data-testid="setup-next"]').click();
    expect(await page.locator('[data-testid="setup-id-error"]').getAttribute('data-problem')).toBe('empty');
    await page.locator('[data-testid="setup-id"]').fill('A1');
    await page.locator('[data-testid="setup-next"]').click();
    expect(await page.locator('[data-testid="setup-id-error"]').getAttribute('data-problem')).toBe('taken');
    expect(await text(page, 'setup-id-error')).toBe(fill(zh.setupIdTaken, { id: 'A1', board: 1, lock: 1 }));
    await page.locator('[data-testid="setup-key-back"]').click();
    await page.locator('[data-testid="setup-key-2"]').click();
    expect(await page.locator('[data-testid="setup-id"]').inputValue()).toBe('A2');
    expect(await page.locator('[data-testid="setup-id-error"]').count()).toBe(0);
    await page.locator('[data-testid="setup-size-L"]').click();
    await page.locator('[data-testid="setup-next"]').click();

    // Lock 3 is skipped, then mapping is finished: the rest stay out.
    await page.locator('[data-testid="setup-lock"][data-lock="3"]').waitFor();
    await page.locator('[data-testid="setup-skip"]').click();
    await page.locator('[data-testid="setup-lock"][data-lock="4"]').waitFor();
    await page.locator('[data-testid="setup-finish"]').click();

    // 4. Review: the two doors, then Write.
    await step(page, 'review');
    const rows = page.locator('[data-testid="setup-mapped-door"]');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-board'), tr.getAttribute('data-lock'), tr.getAttribute('data-compartment'), tr.getAttribute('data-size')]))).toEqual([
      ['1', '1', 'A1', 'S'],
      ['1', '2', 'A2', 'L'],
    ]);
    expect.soft(await fits(page, 'review')).toEqual([]);
    await page.locator('[data-testid="setup-write"]').click();

    // 5. Written: the screen names the file and the backup; the agent stops to start again on it.
    await step(page, 'saved');
    const result = await text(page, 'setup-result');
    const backups = backupsOf(c);
    expect(backups).toHaveLength(1);
    const backup = join(c.dir, backups[0]!);
    expect(result).toBe(fill(zh.setupWritten, { file: c.file, backup }));
    await page.screenshot({ path: join(SHOTS, 'setup-saved.png') });
    expect(await exitCode(c.agent)).toBe(0);

    expect(readFileSync(backup, 'utf8')).toBe(c.text);
    const written = readFileSync(c.file, 'utf8');
    expect(written).toContain('# Written by the operator');
    const config = parseYaml(written) as { cabinet: { id: string }; serial: { path: string }; boards: unknown[]; compartments: unknown[] };
    expect(config.cabinet.id).toBe('E2E-SETUP');
    // The demo's line stays the simulator (its PTY is made anew at each start).
    expect(config.serial.path).toBe('simulator');
    expect(config.boards).toEqual([{ address: 1, protocol: 'xor-8a', locks: 8 }]);
    expect(config.compartments).toEqual([
      { id: 'A1', board: 1, lock: 1, size: 'S' },
      { id: 'A2', board: 1, lock: 2, size: 'L' },
    ]);
  });

  it('while setup runs a customer is told the cabinet is being set up; Cancel (asked once, with doors mapped) writes nothing and the agent exits 0 to take the line back', async () => {
    const c = (cabinet = await startCabinet());
    const page = await openPage(c);
    await technicianOnSetupTab(page);
    await page.locator('[data-testid="setup-start"]').click();
    await step(page, 'line');

    // A customer at another screen: refused with the setup message, sent back to the start (trying again cannot help).
    const customer = await openPage(c, { width: 1080, height: 1920 });
    // Before anyone types: the banner says the cabinet is being set up, not that it is broken.
    const banner = customer.locator('[data-testid="unavailable-banner"]');
    await banner.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await banner.getAttribute('data-reason')).toBe('in-setup');
    expect(await banner.textContent()).toContain(zh.errors['cabinet-in-setup'].title);
    await enterCode(customer, '123456');
    await screen(customer, 'error', 30_000);
    expect(await customer.locator('main#app').getAttribute('data-error-code')).toBe('cabinet-in-setup');
    expect(await text(customer, 'error-message')).toContain(zh.errors['cabinet-in-setup'].title);
    expect(await customer.locator('[data-testid="error-back"]').getAttribute('data-action')).toBe('backToStart');
    await customer.screenshot({ path: join(SHOTS, 'error-cabinet-in-setup.png') });

    await page.locator('[data-testid="setup-scan"]').click();
    await page.locator('[data-testid="setup-bus"]').waitFor({ timeout: LONG });
    await page.locator('[data-testid="setup-map"]').click();
    await page.locator('[data-testid="setup-id"]').fill('X1');
    await page.locator('[data-testid="setup-next"]').click();
    await page.locator('[data-testid="setup-lock"][data-lock="2"]').waitFor();

    // A mapped door would be lost: Cancel asks first; "keep setting up" stays.
    await page.locator('[data-testid="setup-cancel"]').click();
    expect(await page.locator('.dialog-text').textContent()).toBe(fill(zh.setupCancelConfirm, { count: 1 }));
    await page.locator('[data-testid="confirm-no"]').click();
    await step(page, 'mapping');
    await page.locator('[data-testid="setup-cancel"]').click();
    await page.locator('[data-testid="confirm-yes"]').click();
    await step(page, 'left');
    expect(await text(page, 'setup-result')).toBe(zh.setupLeaving);
    expect(await exitCode(c.agent)).toBe(0);
    expect(readFileSync(c.file, 'utf8')).toBe(c.text);
    expect(backupsOf(c)).toEqual([]);
  });
  it('a line where no board answers: the failed step says what happened and the one thing to do; Scan again finds the boards; Exit cancels setup', async () => {
    // The simulator as its own process on a PTY, so the test can silence its boards.
    const k = (kiosk = await startKiosk({ ui: { shell: 'browser', idleResetMs: 600_000, sound: false, voice: false }, staff: { courierPin: PINS.courier, technicianPin: PINS.technician, sessionIdleMs: 600_000 } }));
    const page = await openPage(k);
    await technicianOnSetupTab(page);
    await page.locator('[data-testid="setup-start"]').click();
    await step(page, 'line');
    expect(await page.locator('[data-testid="setup-facts"]').getAttribute('data-simulator')).toBe('false');

    await k.simulatorCommand('fault no-reply');
    try {
      await page.locator('[data-testid="setup-scan"]').click();
      await page.locator('[data-testid="setup-scanning"]').waitFor();
      const failure = page.locator('[data-testid="setup-error"]');
      await failure.waitFor({ timeout: 120_000 });
      expect(await failure.getAttribute('data-error-code')).toBe('commission-failed');
      expect(await failure.getAttribute('data-reason')).toBe('bus-silent');
      expect(await failure.locator('strong').textContent()).toBe(zh.errors['commission-failed'].title);
      // The agent's words and its hint, as it wrote them (technical English is fine on this screen).
      expect(await failure.locator('.notice-detail').textContent()).toMatch(/no board answered/);
      expect(await text(page, 'setup-hint')).toMatch(/A\/B wiring/);
      expect(await page.locator('[data-testid="setup-bus"]').count()).toBe(0);
      expect(await page.locator('[data-testid="setup-map"]').count()).toBe(0);
      expect(await text(page, 'setup-scan')).toBe(zh.setupScanAgain);
      expect.soft(await fits(page, 'scan-failed')).toEqual([]);
    } finally {
      await k.simulatorCommand('fault off');
    }

    await page.locator('[data-testid="setup-scan"]').click();
    await page.locator('[data-testid="setup-bus"]').waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-testid="setup-error"]').count()).toBe(0);
    expect(await page.locator('[data-testid="setup-board"]').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-address'), li.getAttribute('data-locks')]))).toEqual([
      ['1', '12'],
      ['2', '12'],
    ]);
    // Exit from service mode while setup holds the cabinet: setup is cancelled first, so the agent takes the line back.
    await page.locator('[data-testid="svc-exit"]').click();
    await screen(page, 'attract', 30_000);
    expect(await exitCode(k.agent)).toBe(0);
  });
});

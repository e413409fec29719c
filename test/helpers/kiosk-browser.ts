import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { assertBuilt, JsonLineProcess, runCli } from './cli.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** This machine refuses outside connections; without these Chromium retries them at every start. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const PINS = { courier: '2468', technician: '1357' };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface KioskUnderTest {
  dir: string;
  configPath: string;
  url: string;
  /**
   * An unused one-time address of the screen, for one page: the agent keeps
   * one in its screen-url file and rewrites it once a page spends its ticket.
   */
  screenUrl(): Promise<string>;
  simulator: JsonLineProcess;
  agent: JsonLineProcess;
  /** `cabinet-kiosk --config … --json <args>` against the running agent. */
  cli(...args: string[]): Promise<Record<string, unknown>>;
  /** One line on the simulator's stdin (`fault no-reply board=1 lock=7`, `fault off`, `close 1 7`), resolved once it is applied. */
  simulatorCommand(line: string): Promise<void>;
  /** SIGKILLs the agent (a power cut, as far as the data folder can tell) and starts it again on the same folder; `screenUrl()` then hands out the new agent's addresses. */
  restartAgent(): Promise<void>;
  stop(): Promise<void>;
}

export interface KioskOptions {
  /** Simulated doors swing shut after this long; 0 = never. Default 800. */
  autoCloseMs?: number;
}

/**
 * A kiosk as a technician would run it: `cabinet-kiosk simulate` on a socat PTY
 * (its frame lines tell which lock was pulsed), and `cabinet-kiosk start` in
 * browser mode pointed at it, with real PINs (a real port requires them).
 */
export async function startKiosk(overrides: Record<string, unknown> = {}, options: KioskOptions = {}): Promise<KioskUnderTest> {
  assertBuilt();
  if (!existsSync(new URL('../../dist/renderer/index.html', import.meta.url))) throw new Error('dist/renderer is missing: run `npm run build`');
  const dir = mkdtempSync(join(tmpdir(), 'ck-e2e-'));
  const simulator = new JsonLineProcess(['--json', 'simulate', '--boards', '2', '--locks', '12', '--auto-close-ms', String(options.autoCloseMs ?? 800)]);
  const sim = await simulator.next((l) => l['event'] === 'ready');
  const configPath = join(dir, 'kiosk.yaml');
  const config = {
    cabinet: { id: 'E2E-0001', supportPhone: '400-800-1234', supportQr: 'https://support.example/cabinet/E2E-0001' },
    serial: { path: sim['path'] },
    boards: [
      { address: 1, protocol: 'xor-8a', locks: 12 },
      { address: 2, protocol: 'xor-8a', locks: 12 },
    ],
    database: './kiosk.db',
    staff: { courierPin: PINS.courier, technicianPin: PINS.technician },
    supervision: { pollIntervalMs: 300, activePollMs: 50 },
    lockout: { maxFailures: 5, baseDelayMs: 3000 },
    ui: { shell: 'browser', idleResetMs: 4000, sound: false },
    ...overrides,
  };
  writeFileSync(configPath, stringify(config));
  const launch = async (): Promise<{ agent: JsonLineProcess; url: string }> => {
    const agent = new JsonLineProcess(['--config', configPath, '--json', 'start', '--no-browser'], {}, { cwd: dir });
    let ready: Record<string, unknown>;
    try {
      ready = await agent.next((l) => l['event'] === 'ready', 30_000);
    } catch (err) {
      await simulator.stop();
      await agent.stop();
      throw err;
    }
    const url = String((ready['ui'] as { url?: string } | undefined)?.url ?? '');
    if (!url) throw new Error(`the agent reported no screen address: ${JSON.stringify(ready)}`);
    return { agent, url };
  };
  const first = await launch();
  const kiosk: KioskUnderTest = {
    dir,
    configPath,
    // The data folder is `dir` (the database is ./kiosk.db beside the config).
    screenUrl: oneTimeUrls(join(dir, 'screen-url')),
    url: first.url,
    simulator,
    agent: first.agent,
    simulatorCommand: async (line: string) => {
      const answered = () => simulator.lines.filter((l) => l['event'] === 'command').length;
      const before = answered();
      simulator.child.stdin!.write(line + '\n');
      await simulator.next(() => answered() > before);
    },
    restartAgent: async () => {
      await kiosk.agent.stop('SIGKILL');
      const next = await launch();
      kiosk.agent = next.agent;
      kiosk.url = next.url;
    },
    cli: async (...args: string[]) => {
      const r = await runCli(['--config', configPath, '--json', ...args], {}, { cwd: dir });
      if (r.code !== 0) throw new Error(`cabinet-kiosk ${args.join(' ')} exited ${r.code}: ${r.stdout}${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    },
    stop: async () => {
      await kiosk.agent.stop();
      await simulator.stop();
    },
  };
  return kiosk;
}

/** Each call: the address in `urlFile` once it differs from every one handed out before (the agent rewrites it as each ticket is used). */
export function oneTimeUrls(urlFile: string): () => Promise<string> {
  const handedOut = new Set<string>();
  return async () => {
    for (let i = 0; i < 400; i += 1) {
      const url = existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : '';
      if (url && !handedOut.has(url)) {
        handedOut.add(url);
        return url;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${urlFile} holds no unused screen address: did the last page never connect?`);
  };
}

/** Waits until the screen shows `name` (the root's data-screen). */
export async function screen(page: Page, name: string, timeout = 10_000): Promise<void> {
  await page.locator(`main#app[data-screen="${name}"]`).waitFor({ timeout });
}

/** Taps digits on the on-screen keypad, as a finger would. */
export async function tapDigits(page: Page, digits: string): Promise<void> {
  for (const d of digits) await page.locator(`[data-key="${d}"]`).click();
}

/** Types a pickup code as a customer would: from the start screen if needed, then OK. */
export async function enterCode(page: Page, code: string): Promise<void> {
  if ((await page.locator('main#app').getAttribute('data-screen')) !== 'code') {
    await page.locator('[data-testid="start-pickup"]').click();
    await screen(page, 'code');
  }
  await tapDigits(page, code);
  await page.locator('[data-key="ok"]').click();
}

/**
 * Runs `act` while a lock stays shut and its board answers nothing (not even
 * the door reads after an open): the agent cannot tell what the door did.
 * Without a lock, every lock and board. The faults are cleared however `act` ends.
 */
export async function withSilentBoard(kiosk: KioskUnderTest, act: () => Promise<void>, door?: { board: number; lock: number }): Promise<void> {
  await kiosk.simulatorCommand(door ? `fault still-locked board=${door.board} lock=${door.lock}` : 'fault still-locked');
  await kiosk.simulatorCommand(door ? `fault no-reply board=${door.board}` : 'fault no-reply');
  try {
    await act();
  } finally {
    await kiosk.simulatorCommand('fault off');
  }
}

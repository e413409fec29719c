import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { AgentLink } from '../../../src/main/electron/agent-link.js';
import { ScreenRecovery } from '../../../src/main/electron/screen-recovery-host.js';
import { MAX_GPU_CRASHES } from '../../../src/main/electron/screen-recovery.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { startBrowserUi, type BrowserUi } from '../../../src/main/ui/browser-ui.js';

/**
 * A screen crash reaches the agent across the privilege split: the Electron
 * shell's recovery (screen-recovery-host.ts) over the shell's real AgentLink,
 * a real agent serving the contract on its WebSocket. Each GPU death is one
 * `screen.crashed` event in the outbox; the third switches the screen to
 * software rendering (persisted in the screen's own folder, never the
 * agent's), and `status` shows the last screen crash.
 */
const silent = pino({ enabled: false });

describe('screen crashes are reported to the agent through the contract', () => {
  const root = mkdtempSync(join(tmpdir(), 'ck-screen-crash-'));
  const endpointDir = join(root, 'run');
  const endpointFile = join(endpointDir, 'screen-url');
  const rendererDir = join(root, 'renderer') + '/';
  const screenDir = join(root, 'screen-user');
  const base = loadConfig({ env: {}, cwd: join(root, 'agent') });
  const config = { ...base, simulator: { ...base.simulator, transport: 'mock' as const }, log: { ...base.log, file: false } };
  let running: RunningAgent;
  let ui: BrowserUi;
  let link: AgentLink;

  beforeAll(async () => {
    for (const d of [endpointDir, rendererDir, screenDir]) mkdirSync(d, { recursive: true, mode: 0o750 });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kiosk</title>');
    const logger = await createLogger(config, { stdout: false });
    running = await runAgent(config, logger, { jobs: false });
    ui = await startBrowserUi(running.agent, { openBrowser: false, log: logger, rendererDir, endpointFile });
    link = new AgentLink({ endpointFile, log: silent }).start();
    for (;;) {
      if (((await link.call({ id: 1, name: 'session.info', input: {} })) as { ok: boolean }).ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);
  afterAll(async () => {
    link?.close();
    await ui?.close();
    await running?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('records one screen.crashed per death, the software-rendering switch included, and status shows the last', async () => {
    const app = { relaunch: vi.fn(), exit: vi.fn() };
    let t = Date.now();
    const recovery = new ScreenRecovery({ app, link, log: silent, env: {}, dir: screenDir, crashDumpsDir: join(screenDir, 'Crashpad'), version: '1.0.0', now: () => (t += 1_000) });
    for (let i = 0; i < MAX_GPU_CRASHES; i++) recovery.processGone('gpu', 'crashed', 11);
    const db = running.agent.db;
    const rows = () => db.sqlite.prepare(`SELECT payload FROM events WHERE type = 'screen.crashed' ORDER BY seq`).all() as Array<{ payload: string }>;
    const until = Date.now() + 30_000;
    while (rows().length < MAX_GPU_CRASHES && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(rows().map((r) => (JSON.parse(r.payload) as { recovery: string }).recovery)).toEqual(['none', 'none', 'software-rendering']);
    expect(JSON.parse(rows()[0]!.payload)).toMatchObject({ process: 'gpu', reason: 'crashed', exitCode: 11, dumpFiles: 0 });
    expect(running.agent.health.summary().lastScreenCrash?.what).toBe('gpu crashed (exit 11); software-rendering');
    // The state lives with the screen's user; the relaunch waited for the agent's answer.
    expect(new ScreenRecovery({ app, link, log: silent, env: {}, dir: screenDir, crashDumpsDir: undefined, version: '1.0.0' }).softwareRendering).toBe(true);
    await vi.waitFor(() => expect(app.relaunch).toHaveBeenCalledTimes(1), { timeout: 10_000 });
  }, 60_000);

  it('refuses a report that is not a summary', async () => {
    const result = await link.call({ id: 9, name: 'screen.reportCrash', input: { process: 'gpu', reason: 'crashed', exitCode: 1, recovery: 'none', dumpFiles: 0, dump: 'AAAA' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});

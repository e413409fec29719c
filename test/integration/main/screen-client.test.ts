import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ptyTransport } from '../../helpers/pty.js';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { AgentLink } from '../../../src/main/electron/agent-link.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { startBrowserUi, type BrowserUi } from '../../../src/main/ui/browser-ui.js';
import { pushedEvent } from '../../../src/shared/contract.js';

/**
 * The Electron shell's side of the split, below Electron: the shell's
 * AgentLink (what its main process relays renderer IPC over) against a real
 * agent serving the contract on its WebSocket, the endpoint in a file of its
 * own (as `agent --endpoint-file` writes it). The agent is stopped and
 * started again under the link, which must take the screen back by itself.
 */
const silent = pino({ enabled: false });

describe('the screen as a client of the agent (the Electron shell\'s link)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ck-screen-client-'));
  const endpointDir = join(root, 'run');
  const endpointFile = join(endpointDir, 'screen-url');
  const rendererDir = join(root, 'renderer') + '/';
  const base = loadConfig({ env: {}, cwd: root });
  const config = {
    ...base,
    simulator: { ...base.simulator, transport: ptyTransport(), autoCloseMs: 150 },
    log: { ...base.log, file: false },
  };
  let running: RunningAgent | undefined;
  let ui: BrowserUi | undefined;
  let link: AgentLink;

  async function startAgent(port = 0): Promise<void> {
    const logger = await createLogger(config, { stdout: false });
    running = await runAgent({ ...config, ui: { ...config.ui, port } }, logger, { jobs: false });
    ui = await startBrowserUi(running.agent, { openBrowser: false, log: logger, rendererDir, endpointFile });
  }
  async function stopAgent(): Promise<void> {
    await ui?.close();
    await running?.stop();
    ui = undefined;
    running = undefined;
  }
  async function answered(): Promise<unknown> {
    // Calls made while the link is between connections answer agent-busy at once; the screen simply asks again.
    for (;;) {
      const result = (await link.call({ id: 1, name: 'session.info', input: {} })) as { ok: boolean };
      if (result.ok) return result;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    mkdirSync(endpointDir, { mode: 0o750 });
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kiosk</title>');
    await startAgent();
    link = new AgentLink({ endpointFile, log: silent }).start();
  });
  afterAll(async () => {
    link?.close();
    await stopAgent();
    rmSync(root, { recursive: true, force: true });
  });

  it('the endpoint file is 0640 in its folder\'s group, and the link speaks the contract over it', async () => {
    expect(statSync(endpointFile).mode & 0o777).toBe(0o640);
    expect(statSync(endpointFile).gid).toBe(statSync(endpointDir).gid);
    await expect(answered()).resolves.toMatchObject({ ok: true, value: { cabinetId: config.cabinet.id } });
    const overview = (await link.call({ id: 7, name: 'cabinet.overview', input: {} })) as { ok: boolean; value: { compartments: unknown[] } };
    expect(overview.ok).toBe(true);
    expect(overview.value.compartments.length).toBe(config.compartments.length);
  });

  it('refusals come back as the agent gave them (the shell decides nothing)', async () => {
    expect(await link.call({ id: 2, name: 'service.outbox', input: {} })).toMatchObject({ ok: false, error: { code: 'not-authorised' } });
    expect(await link.call({ id: 3, name: 'no.such.call', input: {} })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('relays the agent\'s pushed events', async () => {
    const events: unknown[] = [];
    const off = link.onEvent((e) => events.push(e));
    const login = await link.call({ id: 4, name: 'staff.login', input: { role: 'technician', pin: config.staff.technicianPin } });
    expect(login).toMatchObject({ ok: true });
    expect(await link.call({ id: 5, name: 'service.open', input: { compartmentId: config.compartments[0]!.id } })).toMatchObject({ ok: true });
    await expect.poll(() => events.some((e) => pushedEvent.safeParse(e).success && (e as { type: string }).type === 'cabinet'), { timeout: 10_000 }).toBe(true);
    off();
  });

  it('reset() ends the agent-side session: the staff login is gone', async () => {
    expect(await link.call({ id: 6, name: 'service.outbox', input: {} })).toMatchObject({ ok: true });
    link.reset();
    await answered();
    expect(await link.call({ id: 6, name: 'service.outbox', input: {} })).toMatchObject({ ok: false, error: { code: 'not-authorised' } });
  });

  it('takes the screen back by itself when the agent restarts on another port (re-reads the endpoint file), saying when the link drops and returns', async () => {
    await answered();
    const changes: boolean[] = [];
    const off = link.onLinkChange((connected) => changes.push(connected));
    expect(link.connected).toBe(true);
    await stopAgent();
    expect(await link.call({ id: 8, name: 'session.info', input: {} })).toEqual({ ok: false, error: { code: 'agent-busy' } });
    expect(link.connected).toBe(false);
    await startAgent();
    await expect(answered()).resolves.toMatchObject({ ok: true });
    off();
    expect(changes).toEqual([false, true]);
  });

  it('a restarted agent on the same port takes the link\'s session token back (kept as a digest in the data folder)', async () => {
    const port = Number(new URL(ui!.launchUrl()).port);
    await stopAgent();
    // No endpoint file while no agent runs: the link can only come back with the token it holds.
    await startAgent(port);
    rmSync(endpointFile);
    await expect(answered()).resolves.toMatchObject({ ok: true });
    expect(statSync(join(config.dataDir, 'screen-sessions.json')).mode & 0o777).toBe(0o600);
  });
});

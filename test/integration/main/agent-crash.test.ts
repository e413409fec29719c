import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { CRASH_FILE } from '../../../src/main/health/crash-record.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent } from '../../../src/main/run-agent.js';
import type { AgentStatus } from '../../../src/main/status.js';
import { assertBuilt, runCli } from '../../helpers/cli.js';

/**
 * An agent that dies on an uncaught exception or an unhandled rejection
 * (test/helpers/crashing-agent.ts, a real process) leaves a crash record;
 * the next agent on the same data folder reports it once as `agent.crashed`
 * in the outbox, counts the restart, and `cabinet-kiosk status` (text and
 * --json) shows the last crash.
 */
const HELPER = fileURLToPath(new URL('../../helpers/crashing-agent.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ck-crash-record-'));
  dirs.push(dir);
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ database: join(dir, 'data', 'kiosk.db'), simulator: { transport: 'mock' }, log: { file: false, level: 'silent' } }));
  return { dir, file, dataDir: join(dir, 'data') };
}

function crash(configFile: string, mode: 'throw' | 'reject'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HELPER, configFile, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the crashing agent did not die in 120 s: ${stderr}`));
    }, 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function statusOf(socket: string): Promise<AgentStatus> {
  const answer = await callAgent(socket, 'status', {});
  if (!answer.reached || !answer.result.ok) throw new Error(`status failed: ${JSON.stringify(answer)}`);
  return answer.result.value as AgentStatus;
}

describe('agent crashes leave a record the next start reports', () => {
  it.each([
    ['uncaught exception', 'throw', 'uncaughtException', 'TypeError: the test threw this from a timer'],
    ['unhandled rejection', 'reject', 'unhandledRejection', 'RangeError: the test rejected this promise'],
  ] as const)('%s: record left, agent.crashed once in the outbox, restart counted, status shows it', async (_name, mode, origin, what) => {
    assertBuilt();
    const { file, dataDir } = setup();
    const died = await crash(file, mode);
    expect(died.stdout).toContain('"ready":true');
    expect(died.code).not.toBe(0);
    expect(existsSync(join(dataDir, CRASH_FILE))).toBe(true);

    const config = loadConfig({ file, env: {} });
    const running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
    try {
      expect(existsSync(join(dataDir, CRASH_FILE))).toBe(false);
      const rows = running.agent.db.sqlite.prepare(`SELECT payload FROM events WHERE type = 'agent.crashed'`).all() as Array<{ payload: string }>;
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.payload)).toMatchObject({ origin, message: what.split(': ')[1] });
      const status = await statusOf(running.socketPath);
      expect(status.health).toMatchObject({ starts: 2, restarts: 1, lastScreenCrash: null, watchdog: { enabled: false } });
      expect(status.health.lastAgentCrash?.what).toMatch(new RegExp(`^${origin}: ${what} \\(pid \\d+, version `));
      expect(status.health.rss.nowMb).toBeGreaterThan(0);

      // The CLI as a technician runs it, against this agent's socket.
      const json = await runCli(['status', '--json'], { CABINET_KIOSK_CONFIG: file });
      expect(json.code).toBe(0);
      expect((JSON.parse(json.stdout) as AgentStatus).health).toMatchObject({ restarts: 1, lastAgentCrash: { what: status.health.lastAgentCrash!.what } });
      const text = await runCli(['status'], { CABINET_KIOSK_CONFIG: file });
      expect(text.stdout).toMatch(new RegExp(`^health: 1 restart\\(s\\) since first start; last agent crash: \\S+ ${origin}: `, 'm'));
      expect(text.stdout).toMatch(/RSS \d+(\.\d)? MB \(trend after 3 min\); no watchdog \(not under systemd\)$/m);
    } finally {
      await running.stop();
    }
    // Reported once: a third start adds no second event.
    const again = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
    try {
      expect(again.agent.db.sqlite.prepare(`SELECT count(*) AS n FROM events WHERE type = 'agent.crashed'`).get()).toEqual({ n: 1 });
      expect(again.agent.health.summary().restarts).toBe(2);
    } finally {
      await again.stop();
    }
  }, 240_000);
});

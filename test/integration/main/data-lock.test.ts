import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentAlreadyRunning, lockDataDir, PID_FILE } from '../../../src/main/data-lock.js';
import { assertBuilt, JsonLineProcess, runCli } from '../../helpers/cli.js';

/**
 * One agent per data folder, held by a lock the kernel drops when the holder
 * dies: real agent processes, the control socket deleted under them, SIGKILL.
 */
function demoConfig(): { dir: string; dataDir: string; configPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ck-lock-'));
  const configPath = join(dir, 'kiosk.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      cabinet: { id: 'LOCK-TEST' },
      serial: { path: 'simulator' },
      simulator: { transport: 'mock' },
      database: './data/kiosk.db',
      log: { file: false },
    }),
  );
  return { dir, dataDir: join(dir, 'data'), configPath };
}

describe('the data folder lock in one process', () => {
  it('refuses a second claim naming the folder and this pid, and is free again once released', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ck-lock-unit-'));
    const first = lockDataDir(dataDir);
    let refusal: unknown;
    try {
      lockDataDir(dataDir);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(AgentAlreadyRunning);
    expect((refusal as Error).message).toBe(`another cabinet-kiosk agent is running on the data folder ${dataDir} (pid ${process.pid}); stop it first`);
    first.release();
    expect(existsSync(join(dataDir, PID_FILE))).toBe(false);
    const again = lockDataDir(dataDir);
    again.release();
  });
});

describe('one agent per data folder, across processes', () => {
  const { dir, dataDir, configPath } = demoConfig();
  const agents: JsonLineProcess[] = [];
  const start = () => {
    const agent = new JsonLineProcess(['--config', configPath, '--json', 'start', '--ui', 'none'], {}, { cwd: dir });
    agents.push(agent);
    return agent;
  };
  afterAll(async () => {
    for (const agent of agents) await agent.stop();
  });

  // Four agent starts and two CLI runs, each a cold Node process: allow for a busy machine.
  it('a missing socket lets neither a second agent nor an in-process CLI in; after SIGKILL a new agent starts', { timeout: 90_000 }, async () => {
    assertBuilt();
    const first = start();
    const ready = await first.next((l) => l['event'] === 'ready', 30_000);
    const socket = String(ready['socket']);
    rmSync(socket);

    const second = await runCli(['--config', configPath, 'start', '--ui', 'none'], {}, { cwd: dir });
    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`another cabinet-kiosk agent is running on the data folder ${dataDir} (pid ${first.child.pid})`);

    // The CLI finds no socket; it must not open the port and the database itself.
    const status = await runCli(['--config', configPath, 'status'], {}, { cwd: dir });
    expect(status.code).toBe(1);
    expect(status.stdout).toBe('');
    expect(status.stderr).toContain(`(pid ${first.child.pid})`);
    expect(status.stderr).toContain(`its control socket ${socket} did not answer (ENOENT)`);
    expect(first.child.exitCode).toBeNull();

    expect(await first.stop('SIGKILL')).toBeNull();
    const next = start();
    const nextReady = await next.next((l) => l['event'] === 'ready', 30_000);
    expect(nextReady['pid']).toBe(next.child.pid);
    const answer = await runCli(['--config', configPath, '--json', 'status'], {}, { cwd: dir });
    expect(answer.code).toBe(0);
    expect(JSON.parse(answer.stdout)).toMatchObject({ agent: { pid: next.child.pid } });
  });
});

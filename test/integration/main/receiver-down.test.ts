import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, JsonLineProcess, runCli } from '../../helpers/cli.js';
import { until } from '../../helpers/cloud.js';

interface StatusJson {
  alarms: Array<{ code: string; detail: string | null }>;
  cloud: { receiver: string | null };
}

/**
 * The vendor callback receiver's port is taken when the agent starts: the
 * agent runs anyway (pickups never need the cloud), says `receiver-down` in
 * `status`, and binds by itself once the port is free.
 */
describe('the receiver port taken at start', () => {
  let blocker: Server | undefined;
  let port: number;
  let config: string;
  let agent: JsonLineProcess | undefined;
  const cli = (...args: string[]) => runCli(['--config', config, '--json', ...args]);
  const status = async (): Promise<StatusJson> => {
    const r = await cli('status');
    if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.stdout} ${r.stderr}`);
    return JSON.parse(r.stdout) as StatusJson;
  };

  beforeAll(async () => {
    assertBuilt();
    blocker = createServer();
    await new Promise<void>((resolve, reject) => {
      blocker!.once('error', reject);
      blocker!.listen(0, '127.0.0.1', () => resolve());
    });
    port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'ck-receiver-down-'));
    config = join(dir, 'kiosk.json');
    writeFileSync(
      config,
      JSON.stringify({
        simulator: { transport: 'mock', autoCloseMs: 100 },
        supervision: { activePollMs: 30 },
        database: './data/kiosk.db',
        // Yopoint has callbacks only (no destination, no code source): the receiver is the one cloud part that runs.
        cloud: { yopoint: { appid: 'ck-test-app', appSecret: 'ck-test-yopoint-secret' }, receiver: { host: '127.0.0.1', port, retryBaseMs: 20, retryCapMs: 200 } },
      }),
    );
    agent = new JsonLineProcess(['--config', config, 'start', '--json', '--ui', 'none']);
    await agent.next((l) => l['event'] === 'ready');
  });
  afterAll(async () => {
    await agent?.stop();
    await new Promise<void>((resolve) => (blocker?.listening ? blocker.close(() => resolve()) : resolve()));
  });

  it('the agent runs, pickups work, status shows receiver-down; once the port is free the receiver binds and the alarm clears', async () => {
    const down = await status();
    expect(down.alarms).toEqual([expect.objectContaining({ code: 'receiver-down', detail: expect.stringContaining('EADDRINUSE') })]);
    expect(down.cloud.receiver).toBeNull();

    const deposit = await cli('deposit', '--size', 'M');
    expect(deposit.code, deposit.stderr).toBe(0);
    const { code, compartmentId } = JSON.parse(deposit.stdout) as { code: string; compartmentId: string };
    const pickup = await cli('pickup', code);
    expect(pickup.code, pickup.stderr).toBe(0);
    expect(JSON.parse(pickup.stdout)).toMatchObject({ compartmentId });
    // Still down: the pickup went through without it.
    expect((await status()).alarms.map((a) => a.code)).toEqual(['receiver-down']);

    await new Promise<void>((resolve) => blocker!.close(() => resolve()));
    const up = await until('the receiver to bind', async () => {
      const s = await status();
      return s.alarms.length === 0 && s.cloud.receiver !== null ? s : undefined;
    });
    expect(up.cloud.receiver).toBe(`http://127.0.0.1:${port}`);
    // Really listening: a GET on a callback route is refused by the receiver itself (POST only).
    const answer = await fetch(`http://127.0.0.1:${port}/yopoint/notify`);
    expect(answer.status).toBe(405);
    // Each CLI call is a fresh Node process: on a busy 2-core box six of them take seconds.
  }, 60_000);
});

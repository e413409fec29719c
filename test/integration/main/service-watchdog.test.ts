import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { agentWatchdog } from '../../../src/main/health/agent-watchdog.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent } from '../../../src/main/run-agent.js';
import * as store from '../../../src/store/index.js';
import { assertBuilt, JsonLineProcess } from '../../helpers/cli.js';
import { NotifySocket } from '../../helpers/notify-socket.js';

/**
 * systemd's service protocol against a real $NOTIFY_SOCKET (a Unix datagram
 * socket bound by test/helpers/notify-socket.ts): the built `agent` command
 * says READY=1 once it serves, pings WATCHDOG=1 at half of WATCHDOG_USEC and
 * says STOPPING=1 on SIGTERM; a real agent in this process withholds its
 * pings while its event loop lags or its database does not answer, and
 * resumes once the loop is back.
 */
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ck-watchdog-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the event loop busy in slices of `sliceMs`, yielding only a moment between them, for `totalMs`. */
async function starveLoop(totalMs: number, sliceMs: number): Promise<void> {
  const end = Date.now() + totalMs;
  while (Date.now() < end) {
    const sliceEnd = Date.now() + sliceMs;
    while (Date.now() < sliceEnd) {
      // busy: the agent's timers cannot run
    }
    await new Promise((r) => setImmediate(r));
  }
}

describe('the agent service under systemd (Type=notify)', () => {
  it('the built agent says READY=1 with a STATUS, pings WATCHDOG=1 periodically, and STOPPING=1 on SIGTERM', async () => {
    assertBuilt();
    const dir = tempDir();
    const sock = join(dir, 'notify.sock');
    const notify = await NotifySocket.listen(sock);
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ database: join(dir, 'data', 'kiosk.db'), simulator: { transport: 'mock' }, log: { file: false } }));
    const agent = new JsonLineProcess(['agent'], { CABINET_KIOSK_CONFIG: configFile, NOTIFY_SOCKET: sock, WATCHDOG_USEC: '2000000', WATCHDOG_PID: '' });
    try {
      const [ready] = await notify.waitFor('READY', 1, 60_000);
      expect(ready!.fields['READY']).toBe('1');
      expect(ready!.fields['STATUS']).toMatch(/^serving; lock bus connected; outbox \d+ pending$/);
      expect(Number(ready!.fields['MAINPID'])).toBe(agent.child.pid);
      // Every second (half of 2 s): a few in a row, none before READY.
      const pings = await notify.waitFor('WATCHDOG', 4, 60_000);
      expect(pings.every((p) => p.fields['WATCHDOG'] === '1' && p.at >= ready!.at)).toBe(true);
      expect(pings.at(-1)!.at - pings[0]!.at).toBeGreaterThan(1_500);
      // The agent keeps NOTIFY_SOCKET to itself: only its own messages, each whole.
      expect(notify.messages.every((m) => Object.keys(m.fields).every((k) => ['READY', 'STATUS', 'MAINPID', 'WATCHDOG', 'BARRIER', 'STOPPING'].includes(k)))).toBe(true);
      const code = await agent.stop('SIGTERM');
      expect(code).toBe(0);
      expect(notify.with('STOPPING')).toHaveLength(1);
    } finally {
      await agent.stop('SIGKILL');
      notify.close();
    }
  }, 120_000);

  it('withholds the pings while the event loop lags or the database does not answer', async () => {
    const dir = tempDir();
    const sock = join(dir, 'notify.sock');
    const notify = await NotifySocket.listen(sock);
    const base = loadConfig({ env: {}, cwd: dir });
    const config = { ...base, simulator: { ...base.simulator, transport: 'mock' as const, autoCloseMs: 100 }, log: { ...base.log, file: false } };
    const running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
    const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '600000' };
    const watchdog = agentWatchdog(running.agent, (await createLogger(config, { stdout: false })), { env, maxLoopLagMs: 150 });
    try {
      expect(watchdog).not.toBeNull();
      expect(env['NOTIFY_SOCKET']).toBeUndefined();
      expect(watchdog!.pingIntervalMs).toBe(300);
      await watchdog!.ready();
      await notify.waitFor('WATCHDOG', 3, 30_000);

      // A sluggish loop: timers still fire, but 400 ms late. No ping while it lasts.
      const lagFrom = Date.now();
      await starveLoop(3_000, 400);
      const lagTo = Date.now();
      // Messages sent during the lag would have arrived by now.
      await sleep(200);
      expect(notify.with('WATCHDOG', lagFrom).filter((m) => m.at < lagTo)).toEqual([]);
      expect(watchdog!.verdict.problems.map((p) => p.code)).toContain('event-loop-lag');
      expect(notify.with('STATUS', lagFrom).some((m) => m.fields['STATUS']!.startsWith('unhealthy: event loop lagged'))).toBe(true);

      // Back to normal: pings resume.
      await notify.waitFor('WATCHDOG', 3, 30_000, lagTo);
      expect(watchdog!.verdict.healthy).toBe(true);

      // The database stops answering (its handle is gone): no ping from then on.
      store.closeDatabase(running.agent.db);
      const dbFrom = Date.now() + 400;
      await sleep(3_000);
      expect(notify.with('WATCHDOG', dbFrom)).toEqual([]);
      expect(watchdog!.verdict.problems.map((p) => p.code)).toEqual(['database-unavailable']);
      expect(notify.with('STATUS').at(-1)!.fields['STATUS']).toMatch(/^unhealthy: database read failed/);
    } finally {
      watchdog?.stop();
      await running.stop().catch(() => undefined);
      notify.close();
    }
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import type { AgentStatus } from '../../../src/main/status.js';
import { dingshangMock } from '../../../tools/mock-cloud/dingshang.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { webhooksMock } from '../../../tools/mock-cloud/webhooks.js';
import { agentConfig, freePort, until, webhookSecret } from '../../helpers/cloud.js';

/**
 * Code pulls follow their own source: at start, on their schedule, and when
 * the destination that shares the source's server comes back, never when an
 * unrelated destination (a webhook) recovers. A real agent, the Dingshang and
 * webhook mocks on 127.0.0.1 with fault plans switched per vendor; each pull
 * is one §4.4 `/products` request at the Dingshang mock.
 */
describe('agent: code pulls follow their own source', () => {
  const creds = { appId: 'ck-pull-app', appSecret: 'ck-pull-app-secret', appKey: 'ck-pull-merchant-key', machineNo: '20261124' };
  const secret = webhookSecret();
  let mock: RunningMockCloud;
  let running: RunningAgent;
  let codes: Array<{ code: string }>;
  const pulls: number[] = [];

  const faults = async (plan: unknown): Promise<void> => {
    const res = await fetch(`${mock.url}/_mock/faults`, { method: 'POST', body: JSON.stringify(plan) });
    if (!res.ok) throw new Error(`faults: HTTP ${res.status}`);
  };
  const status = async (): Promise<AgentStatus> => {
    const answer = await callAgent(running.socketPath, 'status', {});
    if (!answer.reached || !answer.result.ok) throw new Error('status failed');
    return answer.result.value as AgentStatus;
  };
  const destinationState = async (name: string): Promise<string | undefined> => (await status()).cloud.destinations.find((d) => d.name === name)?.state;
  const call = async <T>(command: 'deposit' | 'pickup', input: Record<string, unknown>): Promise<T> => {
    const answer = await callAgent(running.socketPath, command, input);
    if (!answer.reached || !answer.result.ok) throw new Error(`${command} failed: ${JSON.stringify(answer)}`);
    return answer.result.value as T;
  };

  beforeAll(async () => {
    const port = await freePort();
    mock = await startMockCloud([dingshangMock({ ...creds, codesPerProduct: 2 }), webhooksMock({ secret })], { port });
    mock.onRequest((a) => {
      if (a.vendor === 'dingshang' && a.path.endsWith('/products')) pulls.push(a.at);
    });
    ({ codes } = (await (await fetch(`${mock.url}/_mock/dingshang/create-codes`, { method: 'POST', body: JSON.stringify({ count: 2 }) })).json()) as { codes: Array<{ code: string }> });
    const config = agentConfig({
      cloud: {
        dingshang: { ...creds, baseUrl: `${mock.url}/dingshang`, notifyUrl: 'http://127.0.0.1:9/dingshang/delivery', callback: { urlToken: { param: 'token', value: 'pull-test-callback-token' } }, lanes: { A01: '5', A02: '6' } },
        webhooks: [{ name: 'hook', url: `${mock.url}/webhooks/hook`, secret, timeoutMs: 2000 }],
        // Once a year: only the start and the triggers under test pull here.
        codePull: { cron: '0 0 1 1 *' },
        sync: { pollMs: 100, backoffBaseMs: 20, backoffCapMs: 200, attemptTimeoutMs: 2000, offlineAfterFailures: 1 },
      },
    });
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  it('pulls once at start, not when the webhook recovers, and again when the Dingshang destination recovers', async () => {
    await until('the pull at start', () => (pulls.length >= 1 ? true : undefined));
    await until('the pull at start applied', async () => ((await status()).cloud.codePulls.some((p) => p.source === 'dingshang' && p.ok) ? true : undefined));
    expect(pulls).toHaveLength(1);

    // The webhook fails until it goes offline, then recovers: three times over.
    for (let flap = 0; flap < 3; flap++) {
      await faults({ vendors: { webhooks: { failRate: 1 } } });
      await call('deposit', { size: 'S' });
      await until('webhook offline', async () => ((await destinationState('hook')) === 'offline' ? true : undefined), 30_000);
      await faults({});
      await until('webhook online', async () => ((await destinationState('hook')) === 'online' ? true : undefined), 30_000);
    }
    expect(pulls).toHaveLength(1);

    // Dingshang itself goes away while a customer uses one of its codes: the report fails, the destination goes offline.
    await faults({ vendors: { dingshang: { failRate: 1 } } });
    await call('pickup', { code: codes[0]!.code });
    await until('dingshang offline', async () => ((await destinationState('dingshang')) === 'offline' ? true : undefined), 30_000);
    const duringOutage = pulls.length;
    await faults({});
    await until('dingshang online', async () => ((await destinationState('dingshang')) === 'online' ? true : undefined), 30_000);
    await until('the pull on its recovery', () => (pulls.length > duringOutage ? true : undefined));
    // One pull for the recovery (the fault plan also refused any arrival during the outage; none was asked for).
    expect(pulls.length - duringOutage).toBe(1);
    expect(duringOutage).toBe(1);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import type { AgentStatus } from '../../../src/main/status.js';
import * as store from '../../../src/store/index.js';
import { AITUO_MOCK_API_PREFIX, AITUO_MOCK_PUSH_PATH, aituoMock } from '../../../tools/mock-cloud/aituo.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { agentConfig, until } from '../../helpers/cloud.js';

/**
 * Aituo's pushes carry what we have: a real agent pulls a waiting-pickup
 * order (1018) from the Aituo mock with its PIN, user and order, keeps the
 * references with the code in the real SQLite file, and the 1003 push of the
 * pickup made with that PIN carries the PIN used, the user and the order.
 * A pickup with a local code carries no PIN and no user (we have none): empty.
 */
describe('agent → Aituo pushes with the values we have', () => {
  let mock: RunningMockCloud;
  let running: RunningAgent;

  beforeAll(async () => {
    mock = await startMockCloud([aituoMock()]);
    await fetch(`${mock.url}/_mock/aituo/add-waiting-order`, {
      method: 'POST',
      body: JSON.stringify({ order: { orderNo: 'AT-ORDER-77', pin: '482913', box: '7', member: 'U-5521' } }),
    });
    const config = agentConfig({
      cloud: {
        aituo: {
          deviceNo: 'AT1003',
          url: `${mock.url}/aituo${AITUO_MOCK_PUSH_PATH}`,
          api: {
            baseUrl: `${mock.url}/aituo${AITUO_MOCK_API_PREFIX}`,
            waitingOrders: { enabled: true, listPath: '', codeField: 'pin', idField: 'orderNo', boxField: 'box', userField: 'member', orderField: 'orderNo' },
          },
        },
        sync: { pollMs: 100, backoffBaseMs: 20, backoffCapMs: 200 },
      },
    });
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  const status = async (): Promise<AgentStatus> => {
    const answer = await callAgent(running.socketPath, 'status', {});
    if (!answer.reached || !answer.result.ok) throw new Error('status failed');
    return answer.result.value as AgentStatus;
  };
  const call = async <T>(command: 'deposit' | 'pickup', input: Record<string, unknown>): Promise<T> => {
    const answer = await callAgent(running.socketPath, command, input);
    if (!answer.reached || !answer.result.ok) throw new Error(`${command} failed: ${JSON.stringify(answer)}`);
    return answer.result.value as T;
  };
  // The bodies as the mock applied them (its in-process ledger).
  const pushes = (): Array<Record<string, string>> => mock.ledger.summary('aituo').applied.map((a) => a.body as Record<string, string>);

  it('keeps the user and order of a pulled order with its code, and the 1003 of its pickup carries the PIN used, the user and the order', async () => {
    await until('the 1018 pull', async () => ((await status()).cloud.codePulls.find((p) => p.source === 'aituo' && p.ok) ? true : undefined));
    expect(store.sourceCodeRefs(running.agent.db, 'aituo', 'AT-ORDER-77')).toEqual({ userRef: 'U-5521', orderRef: 'AT-ORDER-77' });
    await call('pickup', { code: '482913' });
    const push = await until('the 1003 at the mock', () => pushes().find((p) => p.oType === '1003'));
    expect(push).toEqual({ oType: '1003', tid: expect.any(String), userId: 'U-5521', deviceNo: 'AT1003', boxNo: '7', orderCode: 'AT-ORDER-77', pinCode: '482913' });
  }, 60_000);

  it('leaves empty what a local code does not give: no user, no PIN (the order is our parcel id)', async () => {
    const { parcelId, code } = await call<{ parcelId: string; code: string }>('deposit', { size: 'M' });
    await call('pickup', { code });
    const push = await until('the 1003 of the local pickup', () => pushes().find((p) => p.oType === '1003' && p.orderCode === parcelId));
    expect(push).toMatchObject({ userId: '', pinCode: '' });
  }, 60_000);
});

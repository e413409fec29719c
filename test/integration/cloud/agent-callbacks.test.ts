import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { yopointMock } from '../../../tools/mock-cloud/yopoint.js';
import * as store from '../../../src/store/index.js';
import { agentConfig, freePort } from '../../helpers/cloud.js';

/**
 * Vendor → cabinet callbacks through the agent's receiver: the Yopoint mock
 * signs and posts §5 notifications as Yopoint would; the agent verifies them
 * on the raw body, commits an inbox row, and only then answers.
 */
describe('agent callback receiver (Yopoint notifications)', () => {
  const credentials = { appid: 'ck-demo-app', appSecret: 'demo-yopoint-secret-0001' };
  let mock: RunningMockCloud;
  let forger: RunningMockCloud;
  let running: RunningAgent;

  beforeAll(async () => {
    const receiverPort = await freePort();
    const notifyUrl = `http://127.0.0.1:${receiverPort}/yopoint/notify`;
    mock = await startMockCloud([yopointMock({ ...credentials, notifyUrl })]);
    forger = await startMockCloud([yopointMock({ ...credentials, appSecret: 'not-the-shared-secret', notifyUrl })]);
    const config = agentConfig({ cloud: { yopoint: credentials, receiver: { port: receiverPort } } });
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
    await forger?.close();
  });

  const notify = async (cloud: RunningMockCloud, body: unknown) => {
    const response = await fetch(`${cloud.url}/_mock/yopoint/send-notify`, { method: 'POST', body: JSON.stringify(body) });
    return (await response.json()) as { answers: Array<{ status: number; body: unknown }> };
  };
  const inboxRows = () => running.agent.db.stmt('SELECT command_id FROM inbox ORDER BY command_id').all() as Array<{ command_id: string }>;

  it('answers a signed notification with the documented success, once per notification however often it is sent', async () => {
    const sent = await notify(mock, { method: 'notify.close.door', biz: { Status: 1, ReceiptNo: 'VI2026112301', Msg: '已关门' }, duplicate: 2 });
    expect(sent.answers).toHaveLength(3);
    for (const answer of sent.answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ error_code: 0, error_msg: 'SUCCESS', data: {} });
    }
    const rows = inboxRows().filter((r) => r.command_id.includes('VI2026112301'));
    expect(rows).toHaveLength(1);
    expect(store.getInbox(running.agent.db, rows[0]!.command_id)?.source).toBe('yopoint');
  });

  it('refuses a notification signed with another secret: 401 and nothing stored', async () => {
    const before = inboxRows().length;
    const sent = await notify(forger, { method: 'notify.close.door', biz: { Status: 1, ReceiptNo: 'VI-FORGED', Msg: 'x' } });
    expect(sent.answers[0]?.status).toBe(401);
    expect(inboxRows()).toHaveLength(before);
  });
});

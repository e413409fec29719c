import { afterAll, describe, expect, it } from 'vitest';
import { yopointRegistration } from '../../../src/cloud/index.js';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { handlers, type HandlerContext } from '../../../src/main/ui/contract-handlers.js';
import { calls } from '../../../src/shared/contract.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import type { AgentStatus } from '../../../src/main/status.js';
import * as store from '../../../src/store/index.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { YOPOINT_MOCK_GATEWAY_PATH, yopointMock } from '../../../tools/mock-cloud/yopoint.js';
import { agentConfig, freePort, until } from '../../helpers/cloud.js';

/**
 * Yopoint in the running agent: the gateway client checks the cabinet's
 * registration (`cabinet.list`) at start, and an order notification received
 * by the receiver is completed with `cabinet.order.get` and kept. A real
 * agent, the real SQLite file, the Yopoint mock on 127.0.0.1 (signed gateway
 * and signed §5 notifications).
 */
describe('agent ↔ Yopoint gateway and notifications (mock)', () => {
  const credentials = { appid: 'ck-yp-app', appSecret: 'ck-yp-secret-0001' };
  const mocks: RunningMockCloud[] = [];
  const agents: RunningAgent[] = [];
  afterAll(async () => {
    for (const a of agents) await a.stop();
    for (const m of mocks) await m.close();
  });

  async function start(deviceCode: string, extra: Record<string, unknown> = {}): Promise<{ mock: RunningMockCloud; running: RunningAgent }> {
    const receiverPort = await freePort();
    const mock = await startMockCloud([yopointMock({ ...credentials, notifyUrl: `http://127.0.0.1:${receiverPort}/yopoint/notify` })]);
    mocks.push(mock);
    await fetch(`${mock.url}/_mock/yopoint/add-cabinet`, { method: 'POST', body: JSON.stringify({ cabinets: [{ DeviceCode: 'A001', Name: 'lobby' }, { DeviceCode: 'A002', Name: 'gate' }] }) });
    const config = agentConfig({
      cloud: { yopoint: { ...credentials, gatewayUrl: `${mock.url}/yopoint${YOPOINT_MOCK_GATEWAY_PATH}`, cabinet: { deviceCode }, ...extra }, receiver: { port: receiverPort } },
    });
    const running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
    agents.push(running);
    return { mock, running };
  }
  const status = async (running: RunningAgent): Promise<AgentStatus> => {
    const answer = await callAgent(running.socketPath, 'status', {});
    if (!answer.reached || !answer.result.ok) throw new Error('status failed');
    return answer.result.value as AgentStatus;
  };

  it('finds the cabinet registered at start, and completes a paid-order notification with cabinet.order.get into the store', async () => {
    const { mock, running } = await start('A002');
    const registration = await until('the registration check', async () => (await status(running)).cloud.yopoint ?? undefined);
    expect(registration).toMatchObject({ state: 'registered' });
    expect((await status(running)).alarms.map((a) => a.code)).not.toContain('vendor-unregistered');

    await fetch(`${mock.url}/_mock/yopoint/add-order`, {
      method: 'POST',
      body: JSON.stringify({ CID: 'cab-77', ReceiptNo: 'OD2026120701', DoorStatus: 0, Price: 2, Products: [{ Qty: 2, BarCode: '6901', Name: 'water', Price: 1 }] }),
    });
    const sent = (await (await fetch(`${mock.url}/_mock/yopoint/send-notify`, {
      method: 'POST',
      body: JSON.stringify({ method: 'notify.cabinet.order.simple', biz: { ReceiptNo: 'OD2026120701', CID: 'cab-77', PayTime: 1_796_000_000 } }),
    })).json()) as { answers: Array<{ status: number }> };
    expect(sent.answers[0]?.status).toBe(200);
    const order = await until('the order completed', () => store.listVendorOrders(running.agent.db, 10).find((o) => o.orderRef === 'OD2026120701' && o.fetchedAt !== null));
    expect(order).toMatchObject({ source: 'yopoint', cabinetRef: 'cab-77', paidAt: 1_796_000_000_000, fetchError: null, detail: { ReceiptNo: 'OD2026120701', Price: 2, DoorStatus: 0 } });
    expect((await status(running)).cloud.vendorOrders).toEqual([expect.objectContaining({ orderRef: 'OD2026120701' })]);
    // Service mode's outbox tab lists it, as the screen contract carries it.
    const view = calls['service.outbox'].output.parse(await handlers['service.outbox']({ agent: running.agent } as HandlerContext, {}));
    expect(view.vendorOrders).toEqual([{ source: 'yopoint', orderRef: 'OD2026120701', receivedAt: expect.any(Number), paidAt: 1_796_000_000_000, fetched: true, fetchError: null }]);
  }, 60_000);

  it('raises vendor-unregistered when cabinet.list does not list this cabinet, and doctor can ask the same question', async () => {
    const { mock, running } = await start('B999');
    const registration = await until('the registration check', async () => (await status(running)).cloud.yopoint ?? undefined);
    expect(registration).toMatchObject({ state: 'not-registered', detail: expect.stringContaining('B999') });
    expect((await status(running)).alarms).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'vendor-unregistered' })]));
    // The check as a function of the cloud layer (for `doctor`), with its own client.
    const gatewayUrl = `${mock.url}/yopoint${YOPOINT_MOCK_GATEWAY_PATH}`;
    const options = running.agent.config.cloud.yopoint!;
    expect(await yopointRegistration({ ...options, gatewayUrl, cabinet: { deviceCode: 'A001', matchField: 'DeviceCode' } })).toMatchObject({ state: 'registered' });
    expect(await yopointRegistration({ ...options, gatewayUrl, appSecret: 'wrong-secret' })).toMatchObject({ state: 'refused' });
  }, 60_000);

  it('flags a door report that disagrees with the door seen here, and clears it when one agrees', async () => {
    const { mock, running } = await start('A001', { doorCompartment: '3' });
    const notify = async (receiptNo: string): Promise<void> => {
      const sent = (await (await fetch(`${mock.url}/_mock/yopoint/send-notify`, {
        method: 'POST',
        body: JSON.stringify({ method: 'notify.close.door', biz: { Status: 1, ReceiptNo: receiptNo, Msg: 'closed' } }),
      })).json()) as { answers: Array<{ status: number }> };
      expect(sent.answers[0]?.status).toBe(200);
    };
    const mismatch = async () => (await status(running)).alarms.find((a) => a.code === 'vendor-door-mismatch');
    // Yopoint says its order opened the door; nothing here saw compartment 3 move.
    await notify('VI-DOOR-1');
    const raised = await until('the mismatch alarm', mismatch);
    expect(raised.detail).toContain('VI-DOOR-1');
    expect(store.listAudit(running.agent.db, { newestFirst: true, limit: 5 }).map((a) => a.action)).toContain('vendor.door-mismatch');
    // The door does open here; the next report agrees.
    const opened = await callAgent(running.socketPath, 'open', { compartment: '3' });
    expect(opened).toMatchObject({ reached: true, result: { ok: true } });
    await notify('VI-DOOR-2');
    await until('the alarm cleared', async () => ((await mismatch()) === undefined ? true : undefined));
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { handlers, type HandlerContext } from '../../../src/main/ui/contract-handlers.js';
import { calls } from '../../../src/shared/contract.js';
import type { AgentStatus } from '../../../src/main/status.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { dingshangMock } from '../../../tools/mock-cloud/dingshang.js';
import type { LedgerReport } from '../../../tools/mock-cloud/ledger.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import * as store from '../../../src/store/index.js';
import { agentConfig, freePort, until } from '../../helpers/cloud.js';

/**
 * Dingshang through a real agent: codes issued upstream are pulled into the
 * offline cache (hashed), a customer types one at the cabinet, its door
 * opens, and the use is reported with /consumes (trade_id = our event id);
 * the vendor's delivery callback comes back through the receiver.
 */
describe('agent ↔ Dingshang Open API (mock)', () => {
  const creds = { appId: 'ck-demo-app', appSecret: 'ck-demo-app-secret', appKey: 'ck-demo-merchant-key', machineNo: '20261123' };
  const token = 'callback-token-0123456789';
  let mock: RunningMockCloud;
  let running: RunningAgent;
  let codes: Array<{ productId: number; recordId: number; code: string; externalId: string }>;

  const control = async <T>(action: string, body: unknown): Promise<T> =>
    (await (await fetch(`${mock.url}/_mock/dingshang/${action}`, { method: 'POST', body: JSON.stringify(body) })).json()) as T;
  const status = async (): Promise<AgentStatus> => {
    const answer = await callAgent(running.socketPath, 'status', {});
    if (!answer.reached || !answer.result.ok) throw new Error('status failed');
    return answer.result.value as AgentStatus;
  };

  beforeAll(async () => {
    const receiverPort = await freePort();
    const notifyUrl = `http://127.0.0.1:${receiverPort}/dingshang/delivery`;
    mock = await startMockCloud([dingshangMock({ ...creds, codesPerProduct: 2, callbackUrl: `${notifyUrl}?token=${token}` })]);
    ({ codes } = await control<{ codes: typeof codes }>('create-codes', { count: 4 }));
    const config = agentConfig({
      cloud: {
        dingshang: {
          ...creds,
          baseUrl: `${mock.url}/dingshang`,
          notifyUrl,
          callback: { urlToken: { param: 'token', value: token } },
          lanes: { A01: '5', A02: '6' },
        },
        receiver: { port: receiverPort },
        sync: { pollMs: 200, backoffBaseMs: 50, backoffCapMs: 400 },
      },
    });
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  it('pulls the vendor codes at start into the cache, hashed, on the mapped compartments', async () => {
    const pulled = await until('the first pull', async () => (await status()).cloud.codePulls.find((p) => p.source === 'dingshang'));
    expect(pulled).toMatchObject({ ok: true, result: { added: 4, removed: 0 } });
    const rows = running.agent.db.stmt(`SELECT compartment_id, hash FROM pickup_codes WHERE source = 'dingshang'`).all() as Array<{ compartment_id: string; hash: Buffer }>;
    expect(rows.map((r) => r.compartment_id).sort()).toEqual(['5', '5', '6', '6']);
    expect(JSON.stringify(rows)).not.toContain(codes[0]!.code);
  });

  it('opens the mapped door for a vendor code and reports the use with /consumes, trade_id = our event id', async () => {
    const first = codes[0]!;
    const answer = await callAgent(running.socketPath, 'pickup', { code: first.code });
    expect(answer.reached && answer.result.ok && answer.result.value).toMatchObject({ compartmentId: '5' });
    const report = await until('the consume at the mock', async () => {
      const r = (await (await fetch(`${mock.url}/_mock/ledger/dingshang`)).json()) as LedgerReport;
      return r.applied.length > 0 ? r : undefined;
    });
    const picked = running.agent.db.stmt(`SELECT id FROM events WHERE type = 'parcel.picked-up'`).all() as Array<{ id: string }>;
    expect(picked).toHaveLength(1);
    expect(report.applied).toHaveLength(1);
    expect(report.applied[0]!.key.replaceAll('-', '')).toBe(picked[0]!.id.replaceAll('-', ''));
    await until('outbox drained', async () => ((await status()).outbox.pending === 0 ? true : undefined));
  });

  it('files the delivery result of our /consumes with its pickup: on the outbox row, shown by `outbox`', async () => {
    const picked = running.agent.db.stmt(`SELECT id FROM events WHERE type = 'parcel.picked-up'`).get() as { id: string };
    const row = store.getOutboxRow(running.agent.db, picked.id, 'dingshang');
    expect(row).toMatchObject({ state: 'delivered', vendorRef: expect.stringMatching(/^\d+$/), vendorResult: null });
    const sent = await control<{ status: number }>('send-delivery-callback', { orderId: Number(row!.vendorRef), deliverStatus: '0', errorMsg: 'Slot Invalid' });
    expect(sent.status).toBe(200);
    const filed = await until('the result on the row', () => store.getOutboxRow(running.agent.db, picked.id, 'dingshang')?.vendorResult ?? undefined);
    expect(filed).toMatchObject({ orderId: Number(row!.vendorRef), outcome: 'failed', failReason: 'Slot Invalid' });
    const outbox = await callAgent(running.socketPath, 'outbox', {});
    expect(outbox.reached && outbox.result.ok && outbox.result.value).toMatchObject({
      reported: [{ eventId: picked.id, destination: 'dingshang', vendorRef: row!.vendorRef, result: { outcome: 'failed', failReason: 'Slot Invalid' } }],
    });
    // Service mode's outbox tab shows it too, as the screen contract carries it.
    const view = calls['service.outbox'].output.parse(await handlers['service.outbox']({ agent: running.agent } as HandlerContext, {}));
    expect(view.vendorResults).toEqual([{ destination: 'dingshang', vendorRef: row!.vendorRef, eventType: 'parcel.picked-up', at: expect.any(Number), outcome: 'failed', reason: 'Slot Invalid' }]);
  });

  it('accepts the delivery callback with the URL token once, and refuses one without it', async () => {
    const { orderId } = await control<{ orderId: number }>('use-code', { recordId: codes[3]!.recordId });
    const sent = await control<{ status: number }>('send-delivery-callback', { orderId });
    expect(sent.status).toBe(200);
    const rows = running.agent.db.stmt(`SELECT count(*) AS n FROM inbox WHERE source = 'dingshang'`).get() as { n: number };
    expect(rows.n).toBe(2); // this one and the result filed above
    const forged = await control<{ status: number }>('send-delivery-callback', { orderId, url: `http://127.0.0.1:${new URL((await status()).cloud.receiver!).port}/dingshang/delivery` });
    expect(forged.status).toBe(401);
    expect((running.agent.db.stmt(`SELECT count(*) AS n FROM inbox WHERE source = 'dingshang'`).get() as { n: number }).n).toBe(2);
  });

  it('service mode withdraws a compartment\'s vendor codes upstream first; a withdrawn code opens nothing', async () => {
    const answer = await callAgent(running.socketPath, 'codes-cancel', { compartment: '6' });
    expect(answer.reached && answer.result.ok && answer.result.value).toMatchObject({ cancelled: expect.any(Number) });
    const value = (answer as { result: { value: { cancelled: number; failed: number } } }).result.value;
    expect(value.cancelled).toBeGreaterThanOrEqual(1);
    const pickup = await callAgent(running.socketPath, 'pickup', { code: codes[2]!.code });
    expect(pickup.reached && !pickup.result.ok && pickup.result.error.code).toBe('code-invalid');
    // Upstream first: the mock now holds exactly the codes the cabinet cancelled as cancelled.
    const held = (await (await fetch(`${mock.url}/_mock/state`)).json()) as { dingshang: { snapshot: { codes: { cancelled: number } } } };
    expect(held.dingshang.snapshot.codes.cancelled).toBe(value.cancelled);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { yopointOptionsSchema, type YopointOptions } from '../../../src/cloud/yopoint/config.js';
import { buildYopointRequest } from '../../../src/cloud/yopoint/client.js';
import { mapYopointNotification } from '../../../src/cloud/yopoint/mapper.js';
import { decodeYopointForm, verifyYopointNotification, yopointNotifyAnswer } from '../../../src/cloud/yopoint/callback.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { YOPOINT_MOCK_GATEWAY_PATH, yopointMock, type YopointMockOptions } from '../../../tools/mock-cloud/yopoint.js';
import { CABINET_CHANGED_BIZ } from '../cloud/yopoint/fixtures.js';

/** The Yopoint mock's own behaviour: its gateway checks and the notifications it sends to a real receiver. */

const APPID = '930859529955';
const SECRET = 'kiosk-test-secret-0001';

let clouds: RunningMockCloud[] = [];
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(clouds.map((c) => c.close()));
  await Promise.all(servers.map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
  clouds = [];
  servers = [];
});

/**
 * A webhook receiver on 127.0.0.1 done as the agent's must be (§5, §9):
 * verify, dedupe on the mapped commandId, answer the documented envelope.
 */
async function receiver(options: YopointOptions): Promise<{ url: string; bodies: string[]; applied: string[]; duplicates: () => number }> {
  const bodies: string[] = [];
  const applied: string[] = [];
  let duplicates = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const form = decodeYopointForm(body);
      const verdict = form === null ? null : verifyYopointNotification(form, options, Date.now());
      if (verdict?.ok === true && verdict.notification.known) {
        const { commandId } = mapYopointNotification(verdict.notification);
        if (applied.includes(commandId)) duplicates += 1;
        else applied.push(commandId);
      }
      const answer = verdict === null ? { error_code: -1, error_msg: 'ERR_PARAMS', data: {} } : yopointNotifyAnswer(verdict);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/yopoint/notify`, bodies, applied, duplicates: () => duplicates };
}

async function mock(options: Partial<YopointMockOptions> = {}): Promise<RunningMockCloud> {
  const cloud = await startMockCloud([yopointMock({ appid: APPID, appSecret: SECRET, ...options })]);
  clouds.push(cloud);
  return cloud;
}

async function control(cloud: RunningMockCloud, action: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${cloud.url}/_mock/yopoint/${action}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function gateway(cloud: RunningMockCloud, body: string, method = 'POST'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${cloud.url}/yopoint${YOPOINT_MOCK_GATEWAY_PATH}`, {
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ...(method === 'POST' ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') === true ? JSON.parse(text) : text };
}

describe('send-notify (§5)', () => {
  it.each([
    ['notify.cabinet.order.simple', { ReceiptNo: 'VI231228102118586561', CID: '5f6da2362201410011fe7b72', PayTime: 1_703_730_094 }],
    ['notify.close.door', { Status: 1, ReceiptNo: 'VI231228102118586561', Msg: '已关门' }],
    ['notify.cabinet.changed', CABINET_CHANGED_BIZ],
  ] as const)('%s: signed bodies verify with verifyYopointNotification; duplicates are the same bytes', async (method, biz) => {
    const options = yopointOptionsSchema.parse({ appid: APPID, appSecret: SECRET });
    const agent = await receiver(options);
    const cloud = await mock({ notifyUrl: agent.url });
    const sent = await control(cloud, 'send-notify', { method, biz, duplicate: 2 });
    expect(sent.status).toBe(200);
    const { form, answers } = sent.body as { form: Record<string, string>; answers: Array<{ status: number; body: unknown }> };
    expect(answers).toEqual(Array.from({ length: 3 }, () => ({ status: 200, body: { error_code: 0, error_msg: 'SUCCESS', data: {} } })));
    expect(agent.bodies).toHaveLength(3);
    expect(new Set(agent.bodies).size).toBe(1);
    expect(decodeYopointForm(agent.bodies[0] ?? '')).toEqual(form);
    const verdict = verifyYopointNotification(form, options, Date.now());
    expect(verdict).toMatchObject({ ok: true, notification: { known: true, method, biz } });
    expect(agent.applied).toHaveLength(1);
    expect(agent.duplicates()).toBe(2);
  });

  it('a receiver on the other timestamp unit or secret refuses, and says so in its answer', async () => {
    const agent = await receiver(yopointOptionsSchema.parse({ appid: APPID, appSecret: SECRET, notifyMaxSkewMs: 300_000 }));
    const msCloud = await mock({ notifyUrl: agent.url, timestampUnit: 'ms' });
    const stale = await control(msCloud, 'send-notify', { method: 'notify.close.door', biz: { Status: 2, ReceiptNo: 'R1', Msg: 'm' } });
    expect(stale.body).toMatchObject({ answers: [{ status: 200, body: { error_code: -1, error_msg: 'ERR_TIMESTAMP' } }] });
    const otherSecret = await mock({ notifyUrl: agent.url, appSecret: 'another-secret' });
    const bad = await control(otherSecret, 'send-notify', { method: 'notify.close.door', biz: { Status: 2, ReceiptNo: 'R1', Msg: 'm' } });
    expect(bad.body).toMatchObject({ answers: [{ body: { error_code: -1, error_msg: 'ERR_SIGN' } }] });
    expect(agent.applied).toEqual([]);
  });

  it('refuses an undocumented method, a biz that does not fit, or no notifyUrl', async () => {
    const cloud = await mock({ notifyUrl: 'http://127.0.0.1:9/none' });
    expect((await control(cloud, 'send-notify', { method: 'notify.consumer.order.simple', biz: {} })).status).toBe(400);
    expect((await control(cloud, 'send-notify', { method: 'notify.close.door', biz: { Status: 1 } })).status).toBe(400);
    expect((await control(cloud, 'send-notify', { method: 'notify.close.door', biz: { Status: 1, ReceiptNo: 'R', Msg: '' }, duplicate: -1 })).status).toBe(400);
    const noUrl = await mock();
    expect((await control(noUrl, 'send-notify', { method: 'notify.close.door', biz: { Status: 1, ReceiptNo: 'R', Msg: '' } })).status).toBe(400);
  });

  it('reports a receiver that cannot be reached instead of failing the control call', async () => {
    const cloud = await mock({ notifyUrl: 'http://127.0.0.1:9/none' });
    const sent = await control(cloud, 'send-notify', { method: 'notify.close.door', biz: { Status: 1, ReceiptNo: 'R', Msg: '' } });
    expect(sent).toMatchObject({ status: 200, body: { answers: [{ status: null }] } });
  });
});

describe('the gateway checks (§1, §2.1)', () => {
  const options = yopointOptionsSchema.parse({ appid: APPID, appSecret: SECRET });
  const signed = (o = options, now = Date.now()) => buildYopointRequest(o, 'cabinet.order.get', { ReceiptNo: 'R1' }, now).body;

  it('answers a bad sign with -1 (§4.2) and records the call', async () => {
    const cloud = await mock();
    const tampered = new URLSearchParams(signed());
    tampered.set('biz_content', '{"ReceiptNo":"R2"}');
    expect(await gateway(cloud, tampered.toString())).toEqual({ status: 200, body: { error_code: -1, error_msg: 'ERR_SIGN', sub_error_code: null, sub_error_msg: null, data: null } });
    const noSign = new URLSearchParams(signed());
    noSign.delete('sign');
    expect((await gateway(cloud, noSign.toString())).body).toMatchObject({ error_code: -1, error_msg: 'ERR_SIGN' });
    const state = (await (await fetch(`${cloud.url}/_mock/state`)).json()) as { yopoint: { snapshot: { calls: Array<{ answer: string }> } } };
    expect(state.yopoint.snapshot.calls.map((c) => c.answer)).toEqual(['ERR_SIGN', 'ERR_SIGN']);
  });

  it('accepts an upper-case sign, refuses a repeated key, another version, an unknown method', async () => {
    const cloud = await mock();
    await control(cloud, 'add-order', { CID: 'C', ReceiptNo: 'R1', PayTime: 1 });
    const upper = new URLSearchParams(signed());
    upper.set('sign', upper.get('sign')?.toUpperCase() ?? '');
    expect((await gateway(cloud, upper.toString())).body).toMatchObject({ error_code: 0, data: { ReceiptNo: 'R1' } });
    expect((await gateway(cloud, `${signed()}&appid=${APPID}`)).body).toMatchObject({ error_code: 1, error_msg: 'ERR_PARAMS' });
    // A version other than §1.1's fixed 1.0.0, correctly signed.
    const { yopointSign } = await import('../../../src/cloud/yopoint/signer.js');
    const v2 = Object.fromEntries(new URLSearchParams(signed()));
    delete v2['sign'];
    v2['version'] = '2.0.0';
    expect((await gateway(cloud, new URLSearchParams({ ...v2, sign: yopointSign(v2, SECRET) }).toString())).body).toMatchObject({ error_msg: 'ERR_PARAMS' });
    const other = { ...v2, version: '1.0.0', method: 'api.test' };
    expect((await gateway(cloud, new URLSearchParams({ ...other, sign: yopointSign(other, SECRET) }).toString())).body).toMatchObject({ error_msg: 'ERR_METHOD' });
  });

  it('only POST on the gateway path', async () => {
    const cloud = await mock();
    expect((await gateway(cloud, '', 'GET')).status).toBe(405);
    const res = await fetch(`${cloud.url}/yopoint/other`, { method: 'POST', body: signed() });
    expect(res.status).toBe(404);
  });

  it('a byte-identical cabinet.open.door is counted as a duplicate, a new call is not', async () => {
    const cloud = await mock();
    const body = buildYopointRequest(options, 'cabinet.open.door', { CID: 'C1' }, Date.now()).body;
    await gateway(cloud, body);
    await gateway(cloud, body);
    await gateway(cloud, buildYopointRequest(options, 'cabinet.open.door', { CID: 'C1' }, Date.now() + 1000).body);
    expect(cloud.ledger.summary('yopoint')).toMatchObject({ duplicates: 1 });
    expect(cloud.ledger.summary('yopoint').applied).toHaveLength(2);
  });
});

describe('control actions', () => {
  it('add-order validates the §4.8 order; reset clears the holdings', async () => {
    const cloud = await mock();
    expect((await control(cloud, 'add-order', { CID: 'C' })).status).toBe(400);
    expect(await control(cloud, 'add-order', { orders: [{ CID: 'C', ReceiptNo: 'R1' }, { CID: 'C', ReceiptNo: 'R2' }] })).toEqual({ status: 200, body: { orders: 2 } });
    expect(await control(cloud, 'add-cabinet', CABINET_CHANGED_BIZ)).toEqual({ status: 200, body: { cabinets: 1 } });
    await control(cloud, 'reset', null);
    const state = (await (await fetch(`${cloud.url}/_mock/state`)).json()) as { yopoint: { snapshot: unknown } };
    expect(state.yopoint.snapshot).toEqual({ cabinets: 0, orders: [], openDoorCalls: 0, notificationsSent: 0, calls: [] });
    expect((await control(cloud, 'nope', null)).status).toBe(400);
  });
});

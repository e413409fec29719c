import { afterEach, describe, expect, it } from 'vitest';
import { buildRequest, encodePayload } from '../../../src/cloud/dingshang/signer.js';
import { dingshangMock } from '../../../tools/mock-cloud/dingshang.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';

/** The Dingshang mock on the wire, with raw requests: what a client other than ours would see. */

const KEY = 'mock-merchant-app-key';
const CREDS = { appId: 'dsaaa73cee5b4efce9', appSecret: 'secret', appKey: KEY };
const MACHINE = '12345678';
const ts = () => String(Math.floor(Date.now() / 1000));

let cloud: RunningMockCloud | null = null;
afterEach(async () => {
  await cloud?.close();
  cloud = null;
});

async function start(online = true): Promise<RunningMockCloud> {
  cloud = await startMockCloud([dingshangMock({ appKey: KEY, machineNo: MACHINE, online })]);
  return cloud;
}

async function post(c: RunningMockCloud, path: string, body: string | null, method = 'POST', headers: Record<string, string> = { Appid: CREDS.appId, AppSecret: CREDS.appSecret }) {
  const res = await fetch(`${c.url}/dingshang/api/openapi/v1${path}`, { method, headers, ...(body === null ? {} : { body }) });
  return { status: res.status, date: res.headers.get('date'), json: (await res.json()) as { code: number; message: string; data: unknown } };
}

const control = async (c: RunningMockCloud, action: string, body: unknown = {}) => {
  const res = await fetch(`${c.url}/_mock/dingshang/${action}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

describe('dingshang mock', () => {
  it('leaves zero values out of data as protobuf does (§1), and answers an empty product list with data: [] (§4.4)', async () => {
    const c = await start(false);
    const machines = await post(c, '/rent/machines', null);
    expect(machines.json).toEqual({ code: 0, message: 'ok', data: [{ machine_name: 'Mock cabinet', machine_no: MACHINE, status: true, created_at: '2024-01-01 00:00:00' }] });
    expect(machines.date).not.toBeNull();

    const empty = buildRequest('productList', { params: { machine_no: MACHINE, timestamp: ts() } }, CREDS);
    expect((await post(c, '/products', empty.body)).json).toEqual({ code: 0, message: 'ok', data: [] });
    const categories = buildRequest('categoryList', { params: { machine_no: MACHINE, timestamp: ts() } }, CREDS);
    expect((await post(c, '/categories', categories.body)).json.data).toEqual([{ id: 1, title: 'Parcels', is_visible: true }]);
  });

  it('checks the sign of every signed call, the params against the documented shape, and the machine', async () => {
    const c = await start();
    const good = { machine_no: MACHINE, timestamp: ts() };
    expect((await post(c, '/categories', JSON.stringify(encodePayload(good, 'another-key')))).json).toMatchObject({ code: 4006, message: 'sorry, payload sign invalid' });
    expect((await post(c, '/categories', JSON.stringify(encodePayload({ ...good, page: '1' }, KEY)))).json.code).toBe(4003); // not a field of §4.5
    expect((await post(c, '/categories', '{"payload":"not base64!"}')).json.code).toBe(4003);
    expect((await post(c, '/categories', JSON.stringify(encodePayload({ ...good, machine_no: '87654321' }, KEY)))).json).toMatchObject({ code: 30003 });
    expect((await post(c, '/ping', '{"a":1}')).json.code).toBe(4003); // §1: ping sends no body
    expect((await post(c, '/nowhere', null)).status).toBe(404);
    expect((await post(c, '/ping', null, 'POST', { Appid: CREDS.appId })).status).toBe(401);
  });

  it('creates codes through its control API, spread over products, and reports counts only', async () => {
    const c = await start();
    const created = await control(c, 'create-codes', { count: 2500 });
    expect(created.json.codes).toHaveLength(2500);
    const texts = new Set((created.json.codes as Array<{ code: string }>).map((x) => x.code));
    expect(texts.size).toBe(2500);
    expect((await control(c, 'cancel-code', { recordId: 1 })).json).toEqual({ cancelled: true });
    const state = (await (await fetch(`${c.url}/_mock/state`)).json()) as { dingshang: { snapshot: unknown } };
    expect(state.dingshang.snapshot).toMatchObject({ products: 3, codes: { unused: 2499, used: 0, cancelled: 1 } });

    expect((await control(c, 'create-codes', { count: 0 })).status).toBe(400);
    expect((await control(c, 'no-such-action')).status).toBe(400);
    await control(c, 'reset');
    const after = (await (await fetch(`${c.url}/_mock/state`)).json()) as { dingshang: { snapshot: unknown } };
    expect(after.dingshang.snapshot).toMatchObject({ products: 0, codes: { unused: 0 } });
  });
});

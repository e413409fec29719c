import { afterEach, describe, expect, it } from 'vitest';
import { verifyDeliveryCallback } from '../../../../src/cloud/dingshang/callback.js';
import { DingshangClient } from '../../../../src/cloud/dingshang/client.js';
import { DingshangError } from '../../../../src/cloud/dingshang/errors.js';
import { DingshangCodeSource } from '../../../../src/cloud/dingshang/code-source.js';
import { callbackAuthFor, type DingshangConfig, type DingshangConfigInput } from '../../../../src/cloud/dingshang/config.js';
import { DingshangDestination } from '../../../../src/cloud/dingshang/destination.js';
import { tradeIdForEvent } from '../../../../src/cloud/dingshang/mapper.js';
import { ClockOffset } from '../../../../src/cloud/common/clock-offset.js';
import { dingshangMock, type DingshangMockOptions } from '../../../../tools/mock-cloud/dingshang.js';
import { startMockCloud, type RunningMockCloud } from '../../../../tools/mock-cloud/server.js';
import { APP_ID, APP_KEY, APP_SECRET, dsConfig, MACHINE_NO, pickedUp, tinyServer, TOKEN, type TinyServer } from './helpers.js';

/** The client, destination and code source against the Dingshang mock served by startMockCloud on 127.0.0.1. */

let clouds: RunningMockCloud[] = [];
let servers: TinyServer[] = [];
afterEach(async () => {
  await Promise.all([...clouds.map((c) => c.close()), ...servers.map((s) => s.close())]);
  clouds = [];
  servers = [];
});

interface Rig {
  cloud: RunningMockCloud;
  config: DingshangConfig;
  clock: ClockOffset;
  client: DingshangClient;
  control<T = unknown>(action: string, body?: unknown): Promise<T>;
}

async function rig(mock: Partial<DingshangMockOptions> = {}, config: Partial<DingshangConfigInput> = {}): Promise<Rig> {
  const cloud = await startMockCloud([dingshangMock({ appKey: APP_KEY, machineNo: MACHINE_NO, appId: APP_ID, appSecret: APP_SECRET, ...mock })]);
  clouds.push(cloud);
  const cfg = dsConfig(`${cloud.url}/dingshang`, config);
  const clock = new ClockOffset();
  return {
    cloud,
    config: cfg,
    clock,
    client: new DingshangClient(cfg, { clock }),
    control: async <T,>(action: string, body: unknown = {}) => {
      const res = await fetch(`${cloud.url}/_mock/dingshang/${action}`, { method: 'POST', body: JSON.stringify(body) });
      const json = (await res.json()) as T;
      if (res.status !== 200) throw new Error(`control ${action}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
  };
}

interface Created {
  codes: Array<{ productId: number; recordId: number; code: string; externalId: string }>;
}

async function failure(p: Promise<unknown>): Promise<DingshangError> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DingshangError);
  return err as DingshangError;
}

const never = new AbortController().signal;

describe('DingshangClient against the mock: every endpoint', () => {
  it('§4 machines and catalogue: ping, machine list and detail, products, categories, banners, floors', async () => {
    const r = await rig();
    const { codes } = await r.control<Created>('create-codes', { count: 2, productId: 131 });
    expect(await r.client.ping()).toBe('pong');

    const machines = await r.client.machines();
    expect(machines).toEqual([expect.objectContaining({ machine_no: MACHINE_NO, is_online: true, status: true, address: '' })]);

    const detail = await r.client.machine();
    expect(detail.model.cabinet_names).toEqual(['A']);
    expect(detail.machine_type).toBe(6);
    expect(detail.currency).toEqual({ name: '', code: '', symbol: '' }); // left out by the mock, defaults from the schema (§1)
    expect(await failure(r.client.machine('99999999'))).toMatchObject({ code: 'refused', meta: { vendorCode: 30003, vendorMessage: '设备不存在' } });

    const page = await r.client.products();
    expect(page).toMatchObject({ total: 1, current_page: 1, last_page: 1, per_page: 10 });
    expect(page.data[0]).toMatchObject({ id: 131, channel: { name: 'A01', cabinet_name: 'A', addr: 1 }, good: { price: '1.00' } });
    expect((await r.client.products({ cabinetName: 'B' })).data).toEqual([]); // §4.4 `data: []` read as an empty page
    expect((await failure(r.client.products({ cabinetName: 'A', addr: 1 }))).code).toBe('invalid-request');

    expect(await r.client.categories()).toEqual([{ id: 1, title: 'Parcels', sort_id: 0, is_visible: true }]);
    expect(await r.client.banners()).toEqual([]);
    const floors = await r.client.floors();
    expect(floors[0]).toMatchObject({ status: '1', channel: { name: 'A01' }, good: { id: 131 } });
    expect(codes).toHaveLength(2);
  });

  it('§5 orders: create, query, pay, dispense and its result, cancel, test dispense', async () => {
    const r = await rig();
    await r.control('add-product', { id: 121, inventory: 5 });
    const orderId = await r.client.createOrder({ tradeId: '20240429123456789012', products: [{ productId: 121, quantity: 1 }] });
    const order = await r.client.order(orderId);
    expect(order).toMatchObject({ order_id: orderId, trade_id: '20240429123456789012', status: 'NOTPAY', amount: '1.00', pickup_code_id: 0 });
    expect(order.records[0]).toMatchObject({ product_id: 121, quantity: 1, status: '' });

    // §7.1: an unpaid order is refused with code 0 and a text: not a success.
    const unpaid = await failure(r.client.deliver(orderId, order.records[0]!.id));
    expect(unpaid).toMatchObject({ code: 'refused', meta: { vendorCode: 0, vendorMessage: '订单未支付' } });

    await r.client.updateOrder(orderId, '1');
    expect((await r.client.order(orderId)).status).toBe('SUCCESS');
    const delivery = await r.client.deliver(orderId, order.records[0]!.id);
    expect(delivery.delivery_id).toMatch(/^\d+$/);
    expect(delivery.status).toBe('未取货或正在出货');
    expect(await r.client.deliveryResult(delivery.delivery_id)).toMatchObject({ status: '出货完成', fail_reason: '' });
    expect((await failure(r.client.deliveryResult('1'))).meta.vendorCode).toBe(404);

    const second = await r.client.createOrder({ tradeId: '20240429123456789013', products: [{ productId: 121, quantity: 1 }] });
    await r.client.cancelOrder(second, '3');
    expect((await r.client.order(second)).status).toBe('CLOSED');
    expect((await failure(r.client.updateOrder(second, '1'))).meta.vendorCode).toBe(40006);
    expect((await failure(r.client.order(999_999))).meta).toMatchObject({ vendorCode: 80002, vendorMessage: '查不到对应记录' });

    expect((await r.client.debugDelivery('A01')).delivery_id).toMatch(/^\d+$/);
  });

  it('§6 pickup codes: create one / all, query, cancel one / all, consume and "already used"', async () => {
    const r = await rig();
    await r.control('add-product', { id: 131, inventory: 3 });
    await r.client.createCodes(131, 2, { codeLength: 8, expiresAt: Date.now() + 3_600_000 });
    let codes = await r.client.codes(131);
    expect(codes).toHaveLength(2);
    expect(codes[0]!.code).toMatch(/^\d{8}$/);
    expect(codes[0]).toMatchObject({ status: 'UNUSED', quantity: 1 });
    expect(codes[0]!.expired_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    await r.client.createCodesForAll(); // §6.2: one per item
    expect(await r.client.codes(131)).toHaveLength(5);

    await r.client.cancelCode(codes[0]!.id);
    codes = await r.client.codes(131);
    expect(codes.map((c) => c.id)).not.toContain(1);
    expect((await failure(r.client.cancelCode(999))).meta.vendorCode).toBe(80002);

    const target = codes[0]!;
    const first = await r.client.consume({ code: target.code, productId: 131, tradeId: '800a7e9500d345c8987d3aafa412c77d' });
    expect(first.kind).toBe('consumed');
    if (first.kind !== 'consumed') return;
    expect(first.order).toMatchObject({ status: 'PICKUPCODE', trade_id: '800a7e95-00d3-45c8-987d-3aafa412c77d', pickup_code_id: target.id });
    expect(first.order.records[0]).toMatchObject({ product_id: 131, status: '未取货' });
    expect(await r.client.consume({ code: target.code, productId: 131, tradeId: '800a7e9500d345c8987d3aafa412c77d' })).toEqual({
      kind: 'already-used',
      vendorCode: 10025,
      orderId: first.order.order_id,
    });
    expect((await r.client.codes(131)).map((c) => c.id)).not.toContain(target.id);

    await r.client.cancelAllCodes();
    expect(await r.client.codes(131)).toEqual([]);
  });
});

describe('DingshangClient: refusals and transport failures', () => {
  it('a wrong AppKey fails the sign check (4006) and surfaces as unauthorised, without the key or the sign', async () => {
    const r = await rig();
    const bad = new DingshangClient({ ...r.config, appKey: 'not-the-merchant-key' }, { clock: r.clock });
    expect(await bad.ping()).toBe('pong'); // no body, nothing signed (§1)
    const err = await failure(bad.products());
    expect(err).toMatchObject({ code: 'unauthorised', meta: { vendorCode: 4006, vendorMessage: 'sorry, payload sign invalid' } });
    expect(err.message).not.toContain('not-the-merchant-key');
    expect(err.message).not.toContain(APP_SECRET);
  });

  it('a wrong AppSecret header is 10013 → unauthorised; missing headers are HTTP 401 with 10008 (§1)', async () => {
    const r = await rig();
    const wrong = new DingshangClient({ ...r.config, appSecret: 'wrong-secret-value' }, { clock: r.clock });
    expect(await failure(wrong.ping())).toMatchObject({ code: 'unauthorised', meta: { vendorCode: 10013 } });
    const res = await fetch(`${r.cloud.url}/dingshang/api/openapi/v1/ping`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 10008, message: 'appid or appsecret is empty' });
  });

  it('the URL-encoded sign mode is refused by a raw-mode server only when a value has reserved characters (§2.3)', async () => {
    const r = await rig({ signValueMode: 'raw' });
    await r.control('add-product', { id: 131 });
    const encoded = new DingshangClient({ ...r.config, signValueMode: 'url-encoded' }, { clock: r.clock });
    expect(await encoded.codes(131)).toEqual([]); // only digits: both modes agree
    expect((await failure(encoded.createCodes(131, 1, { expiresAt: Date.now() + 60_000 }))).meta.vendorCode).toBe(4006); // "2024-12-31 23:59:59"
  });

  it('maps HTTP, non-JSON, timeout and refused connections to their codes, feeding Retry-After through', async () => {
    const hang = await tinyServer(() => undefined);
    const busy = await tinyServer((_req, res) => res.writeHead(503, { 'retry-after': '7' }).end(`busy ${APP_SECRET}`));
    const html = await tinyServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'));
    servers.push(hang, busy, html);
    const clock = new ClockOffset();
    const client = (url: string, timeoutMs = 10_000) => new DingshangClient(dsConfig(url, { timeoutMs }), { clock });

    const http = await failure(client(busy.url).ping());
    expect(http).toMatchObject({ code: 'http', meta: { status: 503, retryAfter: '7' } });
    expect(http.message).not.toContain(APP_SECRET);
    expect((await failure(client(html.url).ping())).code).toBe('unparsable');
    expect((await failure(client(hang.url, 200).ping())).code).toBe('timeout');
    const closed = await tinyServer(() => undefined);
    await closed.close();
    expect((await failure(client(closed.url).ping())).code).toBe('network');
    expect(busy.requests[0]!.headers).toMatchObject({ appid: APP_ID, appsecret: APP_SECRET });
  });

  it('measures the clock offset from the Date header and signs with the server time', async () => {
    // The mock's clock is an hour ahead and refuses a timestamp more than 5 minutes off its own.
    const r = await rig({ clockSkewMs: 3_600_000, maxSkewSeconds: 300 });
    expect(r.clock.measured()).toBe(false);
    expect((await failure(r.client.categories())).meta.vendorCode).toBe(4003); // our clock, before any answer
    expect(r.clock.measured()).toBe(true); // the refusal's Date header counted
    expect(Math.abs(r.clock.offsetMs() - 3_600_000)).toBeLessThan(2_000);
    expect(await r.client.categories()).toHaveLength(1);
  });
});

describe('DingshangDestination against the mock', () => {
  it('reports a pickup with /consumes (trade_id = event id), and a repeat is "already used" → delivered, applied once', async () => {
    const r = await rig();
    const { codes } = await r.control<Created>('create-codes', { count: 1, productId: 131 });
    const dest = new DingshangDestination(r.config, { client: r.client });
    const event = pickedUp('0190a1b2-0000-7000-8000-000000000001', codes[0]!.externalId);

    // The order's id is kept as the row's vendor reference (the §10 callback names it).
    const first = await dest.deliver(event, never);
    expect(first).toEqual({ kind: 'delivered', vendorRef: expect.stringMatching(/^\d+$/) });
    // A redelivery (the answer was lost, the drainer tried again): 10025, reconciled to our order, the same reference.
    const again = new DingshangDestination(r.config, { client: r.client, codeFor: () => codes[0]!.code });
    expect(await again.deliver(event, never)).toEqual(first);

    const ledger = r.cloud.ledger.summary('dingshang');
    expect(ledger.applied.map((e) => e.key)).toEqual([tradeIdForEvent(event.id)]);
    expect(ledger.applied[0]).toMatchObject({ kind: 'consume', stream: null });
    expect(ledger.duplicates).toBe(1);
  });

  it('a code used upstream by someone else is still delivered (10025), and an unknown code id is dead', async () => {
    const r = await rig();
    const { codes } = await r.control<Created>('create-codes', { count: 1, productId: 131 });
    await r.control('use-code', { recordId: codes[0]!.recordId });
    const dest = new DingshangDestination(r.config, { client: r.client, codeFor: () => codes[0]!.code });
    expect(await dest.deliver(pickedUp('0190a1b2-0000-7000-8000-000000000002', codes[0]!.externalId), never)).toEqual({ kind: 'delivered' });
    expect(r.cloud.ledger.summary('dingshang').applied).toEqual([]);

    const lookup = new DingshangDestination(r.config, { client: r.client });
    const dead = await lookup.deliver(pickedUp('0190a1b2-0000-7000-8000-000000000003', '131:999'), never);
    expect(dead).toMatchObject({ kind: 'dead', reason: expect.stringContaining('no longer listed upstream') });
  });

  it('a wrong AppKey pauses the destination (unauthorised); other events are skipped without a request', async () => {
    const r = await rig();
    const { codes } = await r.control<Created>('create-codes', { count: 1, productId: 131 });
    const client = new DingshangClient({ ...r.config, appKey: 'not-the-merchant-key' }, { clock: r.clock });
    const dest = new DingshangDestination(r.config, { client, codeFor: () => codes[0]!.code });
    const outcome = await dest.deliver(pickedUp('0190a1b2-0000-7000-8000-000000000004', codes[0]!.externalId), never);
    expect(outcome).toMatchObject({ kind: 'unauthorised', reason: expect.stringContaining('4006') });
    expect(JSON.stringify(outcome)).not.toContain(codes[0]!.code);
    expect(await dest.deliver(pickedUp('0190a1b2-0000-7000-8000-000000000005', '1:1', 'local'), never)).toMatchObject({ kind: 'skipped' });
  });
});

describe('DingshangCodeSource against the mock', () => {
  it('pulls exactly the codes created, over several §4.4 pages; a cancelled code disappears', async () => {
    // 25 codes, 3 per product → 9 products; 2 products per page → 5 pages.
    const r = await rig({ codesPerProduct: 3 }, { productsPerPage: 2 });
    const { codes } = await r.control<Created>('create-codes', { count: 25 });
    const page = await r.client.products({ perPage: 2 });
    expect(page.last_page).toBe(5);

    // The mock names its lanes A01, A02 …; lanes map to compartments 1, 2 … except A09, left unmapped.
    const lanes = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`A${String(i + 1).padStart(2, '0')}`, String(i + 1)]));
    const unmappedSource = new DingshangCodeSource({ ...r.config, lanes: {} }, { client: r.client, clock: r.clock });
    expect(await unmappedSource.pullAll(never)).toEqual([]);
    const source = new DingshangCodeSource({ ...r.config, lanes: { ...lanes, A09: '9' } }, { client: r.client, clock: r.clock });
    const pulled = await source.pullAll(never);
    expect(new Map(pulled.map((c) => [c.externalId, c.code]))).toEqual(new Map(codes.map((c) => [c.externalId, c.code])));
    expect(pulled).toHaveLength(25);
    expect(pulled.find((c) => c.externalId === codes[0]!.externalId)?.compartmentId).toBe('1');
    const partial = await new DingshangCodeSource({ ...r.config, lanes }, { client: r.client, clock: r.clock }).pullAll(never);
    expect(partial).toHaveLength(24);
    const now = Date.now();
    for (const c of pulled) {
      expect(c.validFrom).toBeLessThanOrEqual(now);
      expect(c.validUntil).toBeNull();
    }

    await r.control('cancel-code', { recordId: codes[0]!.recordId });
    await source.cancelCode(codes[1]!.externalId);
    const after = await source.pullAll(never);
    expect(after.map((c) => c.externalId).sort()).toEqual(codes.slice(2).map((c) => c.externalId).sort());

    await source.cancelAll();
    expect(await source.pullAll(never)).toEqual([]);
    await expect(source.cancelCode('not-an-id')).rejects.toMatchObject({ code: 'invalid-request' });
  });

  it('throws on any failure instead of returning part of the set', async () => {
    const r = await rig();
    await r.control('create-codes', { count: 3, productId: 131 });
    const client = new DingshangClient({ ...r.config, appKey: 'not-the-merchant-key' }, { clock: r.clock });
    await expect(new DingshangCodeSource(r.config, { client, clock: r.clock }).pullAll(never)).rejects.toMatchObject({ code: 'unauthorised' });
  });
});

describe('the mock\'s device.delivery.response callback (§10)', () => {
  it.each(['none', 'section-2'] as const)('posts a body the receiver check accepts (signature %s)', async (signature) => {
    let verdict: ReturnType<typeof verifyDeliveryCallback> | undefined;
    let config: DingshangConfig | undefined;
    const receiver = await tinyServer((req, res) => {
      verdict = verifyDeliveryCallback({ url: req.url, body: req.body }, callbackAuthFor(config!));
      res.writeHead(verdict.reply.status).end(verdict.reply.body);
    });
    servers.push(receiver);
    const r = await rig({ callbackUrl: `${receiver.url}/notify?token=${TOKEN}`, callbackSignature: signature }, { callback: { urlToken: { value: TOKEN }, signature } });
    config = r.config;
    const { codes } = await r.control<Created>('create-codes', { count: 1, productId: 131 });
    const consumed = await r.client.consume({ code: codes[0]!.code, productId: 131, tradeId: '800a7e9500d345c8987d3aafa412c77d' });
    if (consumed.kind !== 'consumed') throw new Error('not consumed');

    const answer = await r.control<{ status: number }>('send-delivery-callback', { orderId: consumed.order.order_id, deliverStatus: '0' });
    expect(answer.status).toBe(200);
    expect(verdict).toMatchObject({
      kind: 'delivery',
      result: { orderId: consumed.order.order_id, recordId: consumed.order.records[0]!.id, outcome: 'failed', failReason: 'Slave Comm Error', laneStatus: '3' },
    });

    // Without the token in the URL the receiver refuses it.
    const refused = await r.control<{ status: number }>('send-delivery-callback', { orderId: consumed.order.order_id, url: `${receiver.url}/notify` });
    expect(refused.status).toBe(401);
  });
});

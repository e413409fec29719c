import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClockOffset } from '../../../../src/cloud/common/clock-offset.js';
import { YopointClient, yopointOrderPage } from '../../../../src/cloud/yopoint/client.js';
import { yopointOptionsSchema, type YopointOptionsInput } from '../../../../src/cloud/yopoint/config.js';
import { YopointError } from '../../../../src/cloud/yopoint/errors.js';
import { startMockCloud, type RunningMockCloud } from '../../../../tools/mock-cloud/server.js';
import { YOPOINT_MOCK_GATEWAY_PATH, yopointMock, type YopointMockOptions } from '../../../../tools/mock-cloud/yopoint.js';
import { APIFOX_ORDER_GET_RESPONSE, CABINET_CHANGED_BIZ, GITBOOK_ORDER_JSON } from './fixtures.js';

/** YopointClient against the Yopoint mock served by startMockCloud on 127.0.0.1, over Node's real fetch. */

const APPID = '930859529955';
const SECRET = 'kiosk-test-secret-0001';
const HOUR = 3_600_000;

let clouds: RunningMockCloud[] = [];
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(clouds.map((c) => c.close()));
  await Promise.all(servers.map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
  clouds = [];
  servers = [];
});

interface Setup {
  cloud: RunningMockCloud;
  client: YopointClient;
  clock: ClockOffset;
  control(action: string, body: unknown): Promise<unknown>;
  calls(): Promise<Array<{ method: string; timestamp: string; answer: string }>>;
}

async function setup(mock: Partial<YopointMockOptions> = {}, client: Partial<YopointOptionsInput> = {}, mockNow?: () => number): Promise<Setup> {
  const cloud = await startMockCloud([yopointMock({ appid: APPID, appSecret: SECRET, ...mock })], mockNow === undefined ? {} : { now: mockNow });
  clouds.push(cloud);
  const clock = new ClockOffset();
  const options = yopointOptionsSchema.parse({ appid: APPID, appSecret: SECRET, gatewayUrl: `${cloud.url}/yopoint${YOPOINT_MOCK_GATEWAY_PATH}`, ...client });
  return {
    cloud,
    clock,
    client: new YopointClient(options, { clock }),
    async control(action, body) {
      const res = await fetch(`${cloud.url}/_mock/yopoint/${action}`, { method: 'POST', body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`control ${action}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    async calls() {
      const state = (await (await fetch(`${cloud.url}/_mock/state`)).json()) as { yopoint: { snapshot: { calls: Array<{ method: string; timestamp: string; answer: string }> } } };
      return state.yopoint.snapshot.calls;
    },
  };
}

/** An order in the §4.8 shape; PayTime in Unix seconds. */
function order(n: number, payTime: number): Record<string, unknown> {
  return { CID: '5f519ebf4405f00010750ef5', ReceiptNo: `OD2101271201269020${String(n).padStart(2, '0')}`, TradeNo: `T${n}`, PayTime: payTime, Price: 2, DoorStatus: 0 };
}

async function failure(promise: Promise<unknown>): Promise<YopointError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof YopointError)) throw new Error(`expected a YopointError, got ${String(err)}`);
  return err;
}

describe.each(['s', 'ms'] as const)('each method against the mock, timestamp unit %s (§2.4)', (unit) => {
  it('cabinet.list (§4.2): one page of opaque cabinets', async () => {
    const t = await setup({ timestampUnit: unit }, { timestampUnit: unit });
    await t.control('add-cabinet', { cabinets: [CABINET_CHANGED_BIZ, { ...CABINET_CHANGED_BIZ, Code: '2' }, { ...CABINET_CHANGED_BIZ, Code: '3' }] });
    const first = await t.client.cabinetList({ Page: 1, PageSize: 2 });
    expect(first.total).toBe(3);
    expect(first.data?.map((c) => c['Code'])).toEqual(['108284445710', '2']);
    expect((await t.client.cabinetList({ Page: 2, PageSize: 2 })).data?.map((c) => c['Code'])).toEqual(['3']);
    const calls = await t.calls();
    expect(calls.map((c) => c.answer)).toEqual(['SUCCESS', 'SUCCESS']);
    // The envelope timestamp went out in the configured unit (10 digits = s, 13 = ms).
    expect(calls[0]?.timestamp).toMatch(unit === 's' ? /^\d{10}$/ : /^\d{13}$/);
  });

  it('cabinet.order.get (§4.8) by ReceiptNo and by TradeNo, undocumented fields kept', async () => {
    const t = await setup({ timestampUnit: unit }, { timestampUnit: unit });
    const apifox = (JSON.parse(APIFOX_ORDER_GET_RESPONSE) as { data: Record<string, unknown> }).data;
    await t.control('add-order', { orders: [JSON.parse(GITBOOK_ORDER_JSON), { ...apifox, TradeNo: 'T-apifox' }] });
    const byReceipt = await t.client.cabinetOrderGet({ ReceiptNo: 'VI231228102118586561' });
    expect(byReceipt).toMatchObject({ CID: '5f6da2362201410011fe7b72', PayType: 90, NotifyUrl: '' });
    const byTrade = await t.client.cabinetOrderGet({ TradeNo: '2021012722001457321424619414' });
    expect(byTrade).toMatchObject({ ReceiptNo: 'OD210127120126902082', Price: 2, DoorStatus: 0 });
  });

  it('cabinet.order.list (§4.7): walks every page of the window', async () => {
    const t = await setup({ timestampUnit: unit }, { timestampUnit: unit, orderListPageSize: 2 });
    await t.control('add-order', { orders: [order(1, 1_000), order(2, 2_000), order(3, 3_000), order(4, 4_000), order(5, 5_000), order(6, 9_000)] });
    const orders = await t.client.cabinetOrderList({ fromMs: 1_000_000, toMs: 5_000_999 });
    expect(orders.map((o) => o.TradeNo)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    expect((await t.calls()).filter((c) => c.method === 'cabinet.order.list')).toHaveLength(3);
  });

  it('cabinet.open.door (§4.4): biz passed through, the call recorded in the ledger', async () => {
    const t = await setup({ timestampUnit: unit }, { timestampUnit: unit });
    const { data, envelope } = await t.client.cabinetOpenDoor({ CID: '5f6da2362201410011fe7b72' });
    expect(data).toBeNull();
    expect(envelope).toMatchObject({ error_code: 0, error_msg: 'SUCCESS' });
    const applied = t.cloud.ledger.summary('yopoint').applied;
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ kind: 'cabinet.open.door', body: { CID: '5f6da2362201410011fe7b72' } });
  });
});

describe('refusals', () => {
  it.each([
    ['client ms, gateway s', 'ms', 's'],
    ['client s, gateway ms', 's', 'ms'],
  ] as const)('a timestamp unit mismatch is refused (%s)', async (_name, clientUnit, mockUnit) => {
    const t = await setup({ timestampUnit: mockUnit }, { timestampUnit: clientUnit });
    const err = await failure(t.client.cabinetList());
    expect(err).toMatchObject({ code: 'refused', retryable: false, meta: { method: 'cabinet.list', vendorCode: 1, vendorMsg: 'ERR_TIMESTAMP' } });
  });

  it('a wrong secret is unauthorised (-1, §4.2) and the secret is in no message', async () => {
    const t = await setup({ appSecret: 'the-real-secret' });
    const err = await failure(t.client.cabinetOrderGet({ ReceiptNo: 'R1' }));
    expect(err).toMatchObject({ code: 'unauthorised', retryable: false, meta: { vendorCode: -1, vendorMsg: 'ERR_SIGN' } });
    expect(err.message).toMatch(/check appid and appSecret/);
    expect(err.message).not.toContain(SECRET);
  });

  it('a wrong appid is unauthorised too; with signErrorCode null it is only refused', async () => {
    const t = await setup({ appid: '111' });
    expect(await failure(t.client.cabinetList())).toMatchObject({ code: 'unauthorised', meta: { vendorMsg: 'ERR_APPID' } });
    const lenient = await setup({ appid: '111' }, { signErrorCode: null });
    expect(await failure(lenient.client.cabinetList())).toMatchObject({ code: 'refused', meta: { vendorCode: -1 } });
  });

  it('an unknown order is refused with the vendor code and message', async () => {
    const t = await setup();
    const err = await failure(t.client.cabinetOrderGet({ ReceiptNo: 'NOPE' }));
    expect(err).toMatchObject({ code: 'refused', meta: { vendorCode: 1, vendorMsg: 'ERR_ORDER_NOT_EXIST' } });
  });

  it('parameters that do not fit the documented biz never leave', async () => {
    const t = await setup();
    expect(await failure(t.client.cabinetOrderGet({} as { ReceiptNo: string }))).toMatchObject({ code: 'invalid-request' });
    expect(await t.calls()).toEqual([]);
  });
});

describe('paging of cabinet.order.list (§4.7)', () => {
  const six = [1, 2, 3, 4, 5, 6].map((n) => order(n, n * 1000));

  it.each(['array', 'paged'] as const)('data as %s, a page count that divides evenly', async (shape) => {
    const t = await setup({ orderListShape: shape }, { orderListPageSize: 3 });
    await t.control('add-order', { orders: six });
    const orders = await t.client.cabinetOrderList({ fromMs: 0, toMs: 10_000_000 });
    expect(orders.map((o) => o.TradeNo)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6']);
    // An array cannot say it ended, so a full last page costs one empty page more; the block says last_page.
    expect((await t.calls()).length).toBe(shape === 'array' ? 3 : 2);
  });

  it('GitBook key casing is accepted by the gateway mock', async () => {
    const t = await setup({}, { orderListKeys: 'gitbook', orderListPageSize: 4 });
    await t.control('add-order', { orders: six });
    expect(await t.client.cabinetOrderList({ fromMs: 2_000_000, toMs: 3_000_000 })).toHaveLength(2);
  });

  it('gives up after orderListMaxPages, never returning part of the list', async () => {
    const t = await setup({}, { orderListPageSize: 2, orderListMaxPages: 2 });
    await t.control('add-order', { orders: six });
    expect(await failure(t.client.cabinetOrderList({ fromMs: 0, toMs: 10_000_000 }))).toMatchObject({ code: 'too-many-pages' });
  });

  it('keeps an order met on two pages once, with its latest copy (the list shifted while walking)', async () => {
    const pages: unknown[][] = [
      [order(1, 1), order(2, 2)],
      [{ ...order(2, 2), DoorStatus: 1 }, order(3, 3)],
      [],
    ];
    const url = await rawGateway((_req, body, res) => {
      const biz = JSON.parse(new URLSearchParams(body).get('biz_content') ?? '{}') as { page: number };
      reply(res, 200, { error_code: 0, error_msg: 'SUCCESS', data: pages[biz.page - 1] ?? [] });
    });
    const client = new YopointClient(yopointOptionsSchema.parse({ appid: APPID, appSecret: SECRET, gatewayUrl: url, orderListPageSize: 2 }), { clock: new ClockOffset() });
    const orders = await client.cabinetOrderList({ fromMs: 0, toMs: 1 });
    expect(orders.map((o) => [o.TradeNo, o.DoorStatus])).toEqual([['T1', 0], ['T2', 1], ['T3', 0]]);
  });

  it('yopointOrderPage reads the end of the list from either shape', () => {
    const o = yopointOrderSchemaOrders(3);
    expect(yopointOrderPage(o, 1, 3).last).toBe(false);
    expect(yopointOrderPage(o.slice(0, 2), 1, 3).last).toBe(true);
    expect(yopointOrderPage({ data: o, current_page: 1, last_page: 2 }, 1, 3).last).toBe(false);
    expect(yopointOrderPage({ data: o, current_page: 2, last_page: 2 }, 2, 3).last).toBe(true);
    expect(yopointOrderPage({ data: o }, 1, 3).last).toBe(false);
    expect(yopointOrderPage({ data: [], last_page: 9 }, 1, 3).last).toBe(true);
  });
});

describe('the server clock (Date header → ClockOffset)', () => {
  it('measures the gateway clock from a refused answer and signs the next call on it', async () => {
    // The gateway's clock runs an hour ahead; it accepts timestamps within 5 minutes of its own.
    const t = await setup({ maxSkewMs: 5 * 60_000 }, {}, () => Date.now() + HOUR);
    expect(await failure(t.client.cabinetList())).toMatchObject({ code: 'refused', meta: { vendorMsg: 'ERR_TIMESTAMP' } });
    // A Date header has 1 s resolution; the loopback round trip adds little.
    expect(Math.abs(t.clock.offsetMs() - HOUR)).toBeLessThan(2_000);
    await expect(t.client.cabinetList()).resolves.toMatchObject({ total: 0 });
    const [, second] = await t.calls();
    expect(Math.abs(Number(second?.timestamp) * 1000 - (Date.now() + HOUR))).toBeLessThan(5_000);
  });
});

describe('transport failures (a raw node:http gateway)', () => {
  const options = (gatewayUrl: string, extra: Partial<YopointOptionsInput> = {}) => yopointOptionsSchema.parse({ appid: APPID, appSecret: SECRET, gatewayUrl, ...extra });
  const client = (gatewayUrl: string, extra: Partial<YopointOptionsInput> = {}) => new YopointClient(options(gatewayUrl, extra), { clock: new ClockOffset() });

  it('5xx with Retry-After → http, retryable; the secret and the sign echoed back are redacted', async () => {
    const url = await rawGateway((_req, body, res) => {
      const sign = new URLSearchParams(body).get('sign') ?? '';
      res.writeHead(503, { 'retry-after': '7' }).end(`upstream echoed secret=${SECRET} sign=${sign}`);
    });
    const err = await failure(client(url).cabinetList());
    expect(err).toMatchObject({ code: 'http', retryable: true, meta: { status: 503, retryAfterMs: 7000 } });
    expect(err.message).toContain('[redacted]');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toMatch(/sign=[0-9a-f]{32}/);
  });

  it('401 → unauthorised; 404 → http, not retryable', async () => {
    const url401 = await rawGateway((_req, _body, res) => res.writeHead(401).end());
    expect(await failure(client(url401).cabinetList())).toMatchObject({ code: 'unauthorised', meta: { status: 401 } });
    const url404 = await rawGateway((_req, _body, res) => res.writeHead(404).end('no'));
    expect(await failure(client(url404).cabinetList())).toMatchObject({ code: 'http', retryable: false });
  });

  it('a 200 that is not JSON, or not the envelope, or data of the wrong shape → unparsable', async () => {
    const html = await rawGateway((_req, _body, res) => res.writeHead(200).end('<html>maintenance</html>'));
    expect(await failure(client(html).cabinetList())).toMatchObject({ code: 'unparsable' });
    const noEnvelope = await rawGateway((_req, _body, res) => reply(res, 200, { ok: true }));
    expect(await failure(client(noEnvelope).cabinetList())).toMatchObject({ code: 'unparsable' });
    const badData = await rawGateway((_req, _body, res) => reply(res, 200, { error_code: 0, error_msg: 'SUCCESS', data: { CID: 'x' } }));
    expect(await failure(client(badData).cabinetOrderGet({ ReceiptNo: 'R' }))).toMatchObject({ code: 'unparsable' });
  });

  it('the §1.2 business failure with -1 (ERR_BARCODE_OUTSTOCK) is refused, not unauthorised', async () => {
    const url = await rawGateway((_req, _body, res) => reply(res, 200, { error_code: -1, error_msg: 'ERR_BARCODE_OUTSTOCK', data: '6926265305381' }));
    expect(await failure(client(url).cabinetOpenDoor({}))).toMatchObject({ code: 'refused', meta: { vendorCode: -1, vendorMsg: 'ERR_BARCODE_OUTSTOCK' } });
  });

  it('a closed port → network; no answer in time → timeout; the caller stopping → aborted', async () => {
    const closed = await freePort();
    expect(await failure(client(`http://127.0.0.1:${closed}/gw`).cabinetList())).toMatchObject({ code: 'network', retryable: true });
    const silent = await rawGateway(() => undefined);
    expect(await failure(client(silent, { timeoutMs: 150 }).cabinetList())).toMatchObject({ code: 'timeout', retryable: true });
    const stop = new AbortController();
    const pending = client(silent).cabinetList({}, stop.signal);
    stop.abort();
    expect(await failure(pending)).toMatchObject({ code: 'aborted' });
  });

  it('sends one form-urlencoded POST with the seven §1.1 fields', async () => {
    let seen: { contentType: string | undefined; keys: string[] } | null = null;
    const url = await rawGateway((req, body, res) => {
      seen = { contentType: req.headers['content-type'], keys: [...new URLSearchParams(body).keys()].sort() };
      reply(res, 200, { error_code: 0, error_msg: 'SUCCESS', data: { total: 0 } });
    });
    await client(url).cabinetList({ Page: 1 });
    expect(seen).toEqual({ contentType: 'application/x-www-form-urlencoded', keys: ['appid', 'biz_content', 'method', 'sign', 'sign_type', 'timestamp', 'version'] });
  });

  it('refuses plain http to anything but loopback (§1: HTTPS only)', () => {
    expect(() => client('http://api.yopoint.com/api/gateway/index')).toThrow(RangeError);
    expect(() => client('https://api.yopoint.com/api/gateway/index')).not.toThrow();
  });
});

function yopointOrderSchemaOrders(n: number) {
  return Array.from({ length: n }, (_, i) => ({ CID: 'c', ReceiptNo: `R${i}` }));
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function rawGateway(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/gateway/index`;
}

/** A port nothing listens on: bound, read, closed. */
async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

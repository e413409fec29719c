import { afterEach, describe, expect, it } from 'vitest';
import { AituoClient, AituoClientError } from '../../../../src/cloud/aituo/client.js';
import { aituoApiConfigSchema, aituoConfigSchema, aituoWaitingOrdersConfigSchema } from '../../../../src/cloud/aituo/config.js';
import { AituoSourceError, AituoWaitingOrdersSource, type AituoWaitingOrdersSourceOptions } from '../../../../src/cloud/aituo/code-source.js';
import { AITUO_MOCK_API_PREFIX, aituoMock, type AituoMockOptions } from '../../../../tools/mock-cloud/aituo.js';
import { startMockCloud, type RunningMockCloud } from '../../../../tools/mock-cloud/server.js';

/** AituoClient (3.1 calls, UNVERIFIED envelope) and the 1018 code source against the Aituo mock, over real HTTP. */

const KEY = 'api-key-93be';
const CABINET = { deviceNo: 'AT1003', boxNumbers: { 'A-07': '7', 'A-08': '8' } };

let clouds: RunningMockCloud[] = [];
afterEach(async () => {
  await Promise.all(clouds.map((c) => c.close()));
  clouds = [];
});

async function cloud(options: AituoMockOptions = { apiHeaders: { 'x-api-key': KEY } }): Promise<RunningMockCloud> {
  const c = await startMockCloud([aituoMock(options)]);
  clouds.push(c);
  return c;
}

function client(c: RunningMockCloud, over: Record<string, unknown> = {}): AituoClient {
  const api = aituoApiConfigSchema.parse({ baseUrl: `${c.url}/aituo${AITUO_MOCK_API_PREFIX}`, headers: { 'x-api-key': KEY }, ...over });
  return new AituoClient(api, CABINET, { newRequestId: () => 'req-1' });
}

async function control(c: RunningMockCloud, action: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${c.url}/_mock/aituo/${action}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`control ${action}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function snapshot(c: RunningMockCloud): Promise<Record<string, unknown>> {
  const all = (await (await fetch(`${c.url}/_mock/state`)).json()) as { aituo: { snapshot: Record<string, unknown> } };
  return all.aituo.snapshot;
}

const never = new AbortController().signal;

describe('AituoClient → aituo mock (docs/vendors/aituo.md §2, envelope UNVERIFIED)', () => {
  it('1009 opens a box by deviceNo and the mapped boxNo', async () => {
    const c = await cloud();
    const answer = await client(c).openBox('A-08', never);
    expect(answer).toMatchObject({ method: '1009', status: 200, json: undefined });
    expect(await snapshot(c)).toMatchObject({ openings: [{ deviceNo: 'AT1003', boxNo: '8' }], calls: 1, callsRefused: 0 });
  });

  it('1018 and 1019 list the waiting orders as JSON', async () => {
    const c = await cloud();
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-1', pin: '111222' } });
    await control(c, 'add-waiting-order', { list: 'dropoff', order: { orderCode: 'O-2' } });
    const api = client(c);
    expect((await api.waitingPickupOrders({}, never)).json).toEqual([{ orderCode: 'O-1', pin: '111222' }]);
    expect((await api.waitingDropoffOrders({}, never)).json).toEqual([{ orderCode: 'O-2' }]);
  });

  it('can send one path per interface without oType (the other reading of §1)', async () => {
    const c = await cloud();
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-1' } });
    const api = client(c, { includeOType: false, paths: { '1018': '/1018', '1009': '1009' } });
    expect((await api.waitingPickupOrders({}, never)).json).toEqual([{ orderCode: 'O-1' }]);
    await api.openBox('A-07', never);
    expect(await snapshot(c)).toMatchObject({ openings: [{ boxNo: '7' }] });
  });

  it('classifies bad credentials as unauthorised, and keeps the key out of the message', async () => {
    const c = await cloud();
    const err = await client(c, { headers: { 'x-api-key': 'wrong-key-00' } }).openBox('A-07', never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AituoClientError);
    expect(err).toMatchObject({ code: 'unauthorised', retryable: false, meta: { method: '1009', status: 401 } });
    expect(String((err as Error).message)).not.toContain('wrong-key-00');
    expect(await snapshot(c)).toMatchObject({ openings: [] });
  });

  it('reports an unmocked interface as rejected and an unreachable one as unavailable', async () => {
    const c = await cloud();
    const api = client(c);
    await expect(api.call('1004', { deviceNo: 'AT1003' }, never)).rejects.toMatchObject({ code: 'rejected', meta: { status: 400 } });
    await c.close();
    clouds = [];
    await expect(api.openBox('A-07', never)).rejects.toMatchObject({ code: 'unavailable', retryable: true });
  });

  it('refuses a path that does not make a URL at construction', () => {
    expect(() => new AituoClient(aituoApiConfigSchema.parse({ baseUrl: 'not a url' }), CABINET)).toThrow(RangeError);
  });
});

describe('AituoWaitingOrdersSource (1018 → pickup codes)', () => {
  const waitingOrders = (over: Record<string, unknown> = {}) =>
    aituoWaitingOrdersConfigSchema.parse({ enabled: true, listPath: 'rows', codeField: 'pin', idField: 'orderCode', boxField: 'box', deviceField: 'device', ...over });

  async function source(c: RunningMockCloud, over: Partial<AituoWaitingOrdersSourceOptions> = {}): Promise<AituoWaitingOrdersSource> {
    return new AituoWaitingOrdersSource(client(c), { ...CABINET, waitingOrders: waitingOrders(), now: () => 1_700_000_000_000, ...over });
  }

  it('turns this cabinet’s waiting-pickup orders into codes, and follows removals upstream', async () => {
    const c = await cloud({ apiHeaders: { 'x-api-key': KEY }, listKey: 'rows' });
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-1', pin: '111222', box: '7', device: 'AT1003' } });
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-2', pin: 333444, box: '9', device: 'AT1003' } });
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-3', pin: '555666', box: '7', device: 'AT2000' } });
    await control(c, 'add-waiting-order', { list: 'dropoff', order: { orderCode: 'O-4', pin: '777888', box: '8', device: 'AT1003' } });
    const src = await source(c);
    expect(src.name).toBe('aituo');
    expect(await src.pullAll(never)).toEqual([
      { externalId: 'O-1', code: '111222', compartmentId: 'A-07', parcelId: null, validFrom: 1_700_000_000_000, validUntil: null, userRef: null, orderRef: null },
      // An unmapped box stays under its own number; a numeric PIN is read as a string (§3.3 notes).
      { externalId: 'O-2', code: '333444', compartmentId: '9', parcelId: null, validFrom: 1_700_000_000_000, validUntil: null, userRef: null, orderRef: null },
    ]);
    await control(c, 'remove-waiting-order', { match: { orderCode: 'O-1' } });
    expect((await src.pullAll(never)).map((p) => p.externalId)).toEqual(['O-2']);
  });

  it('reads the user and order fields when configured, and leaves a value an order lacks empty instead of refusing the pull', async () => {
    const c = await cloud({ apiHeaders: { 'x-api-key': KEY }, listKey: 'rows' });
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-1', pin: '111222', box: '7', device: 'AT1003', member: 'U-1', ref: 4711 } });
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-2', pin: '333444', box: '9', device: 'AT1003' } });
    const src = await source(c, { waitingOrders: waitingOrders({ userField: 'member', orderField: 'ref' }) });
    expect((await src.pullAll(never)).map(({ externalId, userRef, orderRef }) => ({ externalId, userRef, orderRef }))).toEqual([
      { externalId: 'O-1', userRef: 'U-1', orderRef: '4711' },
      { externalId: 'O-2', userRef: null, orderRef: null },
    ]);
  });

  it('refuses the whole pull when an order lacks a configured field, never naming the code', async () => {
    const c = await cloud({ apiHeaders: { 'x-api-key': KEY }, listKey: 'rows' });
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-1', pin: '111222', box: '7', device: 'AT1003' } });
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-2', code: '999000', box: '7', device: 'AT1003' } });
    const err = await (await source(c)).pullAll(never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AituoSourceError);
    expect(err).toMatchObject({ code: 'malformed-answer', meta: { field: 'pin', index: 1 } });
    expect((err as Error).message).not.toMatch(/111222|999000/);
  });

  it('refuses an answer without the list at listPath (a misnamed path must not wipe the codes)', async () => {
    const c = await cloud(); // bare array answer
    await control(c, 'add-waiting-order', { order: { orderCode: 'O-1', pin: '1' } });
    await expect((await source(c)).pullAll(never)).rejects.toMatchObject({ code: 'malformed-answer', meta: { field: 'listPath' } });
    const bare = await source(c, { waitingOrders: waitingOrders({ listPath: '', boxField: undefined, deviceField: undefined }) });
    expect(await bare.pullAll(never)).toMatchObject([{ externalId: 'O-1', code: '1', compartmentId: null }]);
  });

  it('propagates bad credentials as unauthorised', async () => {
    const c = await cloud({ apiHeaders: { 'x-api-key': 'other' }, listKey: 'rows' });
    await expect((await source(c)).pullAll(never)).rejects.toMatchObject({ name: 'AituoClientError', code: 'unauthorised' });
  });

  it('refuses to start when disabled or without the field switches (no invented default)', async () => {
    const c = await cloud();
    const api = client(c);
    const raw = (w: Record<string, unknown>) => ({ ...CABINET, waitingOrders: { enabled: true, params: {}, ...w } });
    expect(() => new AituoWaitingOrdersSource(api, { ...CABINET, waitingOrders: aituoWaitingOrdersConfigSchema.parse({}) })).toThrow(
      expect.objectContaining({ code: 'not-enabled' }),
    );
    expect(() => new AituoWaitingOrdersSource(api, raw({ listPath: '', idField: 'orderCode' }))).toThrow(expect.objectContaining({ code: 'missing-switch', meta: { field: 'codeField' } }));
    expect(() => new AituoWaitingOrdersSource(api, raw({ codeField: 'pin', idField: 'orderCode' }))).toThrow(expect.objectContaining({ code: 'missing-switch', meta: { field: 'listPath' } }));
    // The config schema says the same at load time.
    const parsed = aituoConfigSchema.safeParse({ deviceNo: 'AT1003', url: 'https://m.example/p', api: { baseUrl: 'https://a.example/', waitingOrders: { enabled: true, listPath: '' } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['api.waitingOrders.codeField', 'api.waitingOrders.idField']);
  });

  it('defaults: disabled, no params, 10 s timeout, oType in the body, no per-interface path', () => {
    expect(aituoApiConfigSchema.parse({ baseUrl: 'https://a.example/' })).toEqual({
      baseUrl: 'https://a.example/',
      paths: {},
      includeOType: true,
      headers: {},
      timeoutMs: 10_000,
      waitingOrders: { enabled: false, params: {} },
    });
  });
});

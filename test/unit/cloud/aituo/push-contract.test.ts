import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { aituoConfigSchema, type AituoConfigInput } from '../../../../src/cloud/aituo/config.js';
import { AITUO_EVENT_TYPES, AituoPushDestination, type AituoPushDestinationDeps } from '../../../../src/cloud/aituo/destination.js';
import type { OutboundEvent, OutboundEventOf } from '../../../../src/cloud/common/outbound-event.js';
import { AITUO_MOCK_PUSH_PATH, aituoMock, type AituoMockOptions } from '../../../../tools/mock-cloud/aituo.js';
import { startMockCloud, type RunningMockCloud } from '../../../../tools/mock-cloud/server.js';

/** AituoPushDestination against the Aituo mock's merchant receiver, over real HTTP on 127.0.0.1. */

const PIN = '482913';
const SEALED = 'v1.sealed.pin';
const TOKEN = 'merchant-token-7f3a';

const base = { cabinetId: 'CAB-1', occurredAt: 1_700_000_000_000, parcelId: 'p-1', compartmentId: 'A-07' };
function stored(id: string, parcelId = 'p-1'): OutboundEventOf<'parcel.stored'> {
  return {
    ...base, id, type: 'parcel.stored', parcelId,
    payload: { parcelId, compartmentId: 'A-07', board: 1, lock: 7, size: 'M', courier: 'bob', trackingNo: null, storedAt: 1, expiresAt: null, sealedCode: SEALED },
  };
}
function pickedUp(id: string): OutboundEventOf<'parcel.picked-up'> {
  return {
    ...base, id, type: 'parcel.picked-up',
    payload: { parcelId: 'p-1', compartmentId: 'A-07', board: 1, lock: 7, codeSource: 'local', codeExternalId: null, externalRef: null, pickedUpAt: 2, via: 'keypad' },
  };
}
function returned(id: string): OutboundEventOf<'parcel.returned'> {
  return { ...base, id, type: 'parcel.returned', payload: { parcelId: 'p-1', compartmentId: 'A-07', board: 1, lock: 7, previousState: 'expired', returnedAt: 3, actor: 'courier:bob' } };
}
const doorClosed: OutboundEvent = {
  ...base, id: 'e-door', type: 'door.closed', parcelId: null,
  payload: { compartmentId: 'A-07', board: 1, lock: 7, openMs: 1200, at: 4 },
};

let clouds: RunningMockCloud[] = [];
afterEach(async () => {
  await Promise.all(clouds.map((c) => c.close()));
  clouds = [];
});

async function cloud(options: AituoMockOptions = { pushHeaders: { 'x-merchant-token': TOKEN } }): Promise<RunningMockCloud> {
  const c = await startMockCloud([aituoMock(options)]);
  clouds.push(c);
  return c;
}

const unsealCode = (sealed: string): string => {
  if (sealed !== SEALED) throw new Error(`cannot open ${sealed}`);
  return PIN;
};

function destination(c: RunningMockCloud, over: Partial<AituoConfigInput> = {}, deps: Partial<AituoPushDestinationDeps> = {}): AituoPushDestination {
  const config = aituoConfigSchema.parse({
    deviceNo: 'AT1003',
    url: `${c.url}/aituo${AITUO_MOCK_PUSH_PATH}`,
    headers: { 'x-merchant-token': TOKEN },
    boxNumbers: { 'A-07': '7' },
    ...over,
  });
  return new AituoPushDestination(config, { unsealCode, ...deps });
}

async function state(c: RunningMockCloud): Promise<{ pushes: number; pushesRefused: number }> {
  const all = (await (await fetch(`${c.url}/_mock/state`)).json()) as { aituo: { snapshot: { pushes: number; pushesRefused: number } } };
  return all.aituo.snapshot;
}

const never = new AbortController().signal;

describe('AituoPushDestination → aituo mock (docs/vendors/aituo.md §3.2, §3.3)', () => {
  it('pushes 1001, 1003 and 1002 in the documented seven-string shape, tid = our event id', async () => {
    const c = await cloud();
    const dest = destination(c);
    for (const event of [stored('e-1'), pickedUp('e-2'), returned('e-3')]) expect(await dest.deliver(event, never)).toEqual({ kind: 'delivered' });

    const { applied, duplicates } = c.ledger.summary('aituo');
    expect(duplicates).toBe(0);
    expect(applied.map((e) => [e.key, e.kind, e.stream])).toEqual([
      ['e-1', 'push-1001', 'p-1'],
      ['e-2', 'push-1003', 'p-1'],
      ['e-3', 'push-1002', 'p-1'],
    ]);
    expect(applied[0]!.body).toEqual({ oType: '1001', tid: 'e-1', userId: '', deviceNo: 'AT1003', boxNo: '7', orderCode: 'p-1', pinCode: PIN });
    expect(applied[1]!.body).toEqual({ oType: '1003', tid: 'e-2', userId: '', deviceNo: 'AT1003', boxNo: '7', orderCode: 'p-1', pinCode: '' });
  });

  it('lets the mock recognise a redelivery by tid', async () => {
    const c = await cloud();
    const dest = destination(c);
    expect(await dest.deliver(stored('e-1'), never)).toEqual({ kind: 'delivered' });
    expect(await dest.deliver(stored('e-1'), never)).toEqual({ kind: 'delivered' });
    expect(c.ledger.summary('aituo')).toMatchObject({ duplicates: 1, applied: [{ key: 'e-1' }] });
  });

  it("with tid: 'device-no' a redelivery is still recognised, by its identical body", async () => {
    const c = await cloud({ key: 'body-hash', pushHeaders: { 'x-merchant-token': TOKEN } });
    const dest = destination(c, { tid: 'device-no' });
    expect(await dest.deliver(pickedUp('e-9'), never)).toEqual({ kind: 'delivered' });
    expect(await dest.deliver(pickedUp('e-9'), never)).toEqual({ kind: 'delivered' });
    const { applied, duplicates } = c.ledger.summary('aituo');
    expect(duplicates).toBe(1);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.body).toMatchObject({ tid: 'AT1003' });
    expect(applied[0]!.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passes refs from src/main over the configured sources', async () => {
    const c = await cloud();
    const dest = destination(c, {}, { refsFor: (e) => (e.type === 'parcel.picked-up' ? { userId: 'cust-42', orderCode: 'ORD-9', pinCode: '777111' } : undefined) });
    expect(await dest.deliver(pickedUp('e-2'), never)).toEqual({ kind: 'delivered' });
    expect(c.ledger.summary('aituo').applied[0]).toMatchObject({ stream: 'ORD-9', body: { userId: 'cust-42', orderCode: 'ORD-9', pinCode: '777111' } });
  });

  it('is refused with bad credentials and classifies that as unauthorised, the token kept out of the reason', async () => {
    const c = await cloud();
    const outcome = await destination(c, { headers: { 'x-merchant-token': 'wrong-token' } }).deliver(stored('e-1'), never);
    expect(outcome).toEqual({ kind: 'unauthorised', reason: 'HTTP 401: unauthorised' });
    expect(c.ledger.summary('aituo').applied).toEqual([]);
    expect(await state(c)).toMatchObject({ pushes: 1, pushesRefused: 1 });
  });

  it('mock: refuses a body that is not the §3.3 shape, and a push without the merchant token', async () => {
    const c = await cloud();
    const post = (body: unknown, headers: Record<string, string> = { 'x-merchant-token': TOKEN }) =>
      fetch(`${c.url}/aituo${AITUO_MOCK_PUSH_PATH}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const good = { oType: '1003', tid: 't-1', userId: '', deviceNo: 'AT1003', boxNo: '7', orderCode: 'o', pinCode: '' };
    expect((await post({ ...good, boxNo: 7 })).status).toBe(400); // every value a string
    expect((await post({ ...good, amount: '1' })).status).toBe(400); // no undocumented key
    expect((await post({ ...good, oType: '1004' })).status).toBe(400);
    expect((await post(good, {})).status).toBe(401);
    expect((await post(good)).status).toBe(200);
    expect(await state(c)).toMatchObject({ pushes: 5, pushesRefused: 4 });
  });

  it('redacts the PIN and the token when a refusal echoes the request', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.writeHead(422).end(`bad request ${body} ${String(req.headers['x-merchant-token'])}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const config = aituoConfigSchema.parse({ deviceNo: 'AT1003', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`, headers: { 'x-merchant-token': TOKEN } });
      const outcome = await new AituoPushDestination(config, { unsealCode }).deliver(stored('e-1'), never);
      expect(outcome.kind).toBe('dead');
      const reason = outcome.kind === 'dead' ? outcome.reason : '';
      expect(reason).toMatch(/^HTTP 422: bad request .*"pinCode":"\[redacted\]"/);
      expect(reason).not.toContain(PIN);
      expect(reason).not.toContain(TOKEN);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('skips the other event types, with the reason, without a request', async () => {
    const c = await cloud();
    expect(AITUO_EVENT_TYPES).toEqual(['parcel.stored', 'parcel.returned', 'parcel.picked-up']);
    expect(await destination(c).deliver(doorClosed, never)).toEqual({ kind: 'skipped', reason: 'Aituo has no push for door.closed (§3.2: 1001–1003 only)' });
    expect(await state(c)).toMatchObject({ pushes: 0 });
  });

  it("dead-letters an unbuildable event with the missing field named (whenAbsent: 'fail')", async () => {
    const c = await cloud();
    const outcome = await destination(c, { whenAbsent: 'fail' }).deliver(pickedUp('e-2'), never);
    expect(outcome).toEqual({ kind: 'dead', reason: 'cannot build the push: Aituo 1003 needs userId and event e-2 has none' });
    expect(await state(c)).toMatchObject({ pushes: 0 });
  });

  it('dead-letters an event whose code will not unseal, without quoting the unsealer', async () => {
    const c = await cloud();
    const event = stored('e-1');
    event.payload.sealedCode = 'v1.other';
    const outcome = await destination(c).deliver(event, never);
    expect(outcome).toEqual({ kind: 'dead', reason: 'cannot build the push: Error' });
  });

  it('retries when the receiver is unreachable', async () => {
    const c = await cloud();
    const dest = destination(c);
    await c.close();
    clouds = [];
    expect(await dest.deliver(stored('e-1'), never)).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^network: /) });
  });

  it('refuses to send the PIN over plain http to another host', () => {
    const config = aituoConfigSchema.parse({ deviceNo: 'AT1003', url: 'http://merchant.example/push' });
    expect(() => new AituoPushDestination(config, { unsealCode })).toThrow(/must be https/);
    expect(() => new AituoPushDestination({ ...config, dropoffPinCode: 'absent' }, { unsealCode })).not.toThrow();
    expect(() => new AituoPushDestination({ ...config, url: 'ftp://x' }, { unsealCode })).toThrow(RangeError);
  });

  it('defaults timeoutMs to 10 s and the name to aituo', () => {
    expect(aituoConfigSchema.parse({ deviceNo: 'AT1003', url: 'https://m.example/p' })).toMatchObject({ name: 'aituo', timeoutMs: 10_000, headers: {}, tid: 'event-id' });
    expect(aituoConfigSchema.safeParse({ deviceNo: 'AT1003', url: 'https://m.example/p', invented: 1 }).success).toBe(false);
  });
});

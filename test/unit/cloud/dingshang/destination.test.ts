import { describe, expect, it } from 'vitest';
import type { ConsumeResult } from '../../../../src/cloud/dingshang/client.js';
import { DingshangError, type DingshangErrorMeta } from '../../../../src/cloud/dingshang/errors.js';
import { DINGSHANG_EVENT_TYPES, DingshangDestination, outcomeOf, type DingshangConsumeClient } from '../../../../src/cloud/dingshang/destination.js';
import type { DsOrder, DsPickupCode } from '../../../../src/cloud/dingshang/schemas.js';
import type { OutboundEvent } from '../../../../src/cloud/common/outbound-event.js';
import { pickedUp } from './helpers.js';

/**
 * Classification only, over a scripted client (the HTTP path is covered
 * against the mock in client-contract.test.ts).
 */

const CODE = '52886401';
const EVENT_ID = '0190a1b2-0000-7000-8000-00000000000a';
const never = new AbortController().signal;

const order = (tradeId: string): DsOrder => ({
  order_id: 60, trade_id: tradeId, date: '2024-04-29', amount: '1.00', status: 'PICKUPCODE', notify_send_count: 0, pickup_code_id: 1, records: [],
});
const listed = (id: number, code = CODE): DsPickupCode => ({ id, code, status: 'UNUSED', created_at: '', expired_at: '', quantity: 1 });
const refused = (vendorCode: number, vendorMessage: string, extra: Partial<DingshangErrorMeta> = {}) =>
  new DingshangError('refused', `dingshang consume: code ${vendorCode} ${vendorMessage}`, { endpoint: 'consume', vendorCode, vendorMessage, ...extra });

interface Script {
  consume?: Array<ConsumeResult | Error>;
  order?: Array<DsOrder | Error>;
  codes?: Array<DsPickupCode[] | Error>;
}

function scripted(script: Script) {
  const calls: Array<{ name: string; arg: unknown }> = [];
  const next = <T,>(list: Array<T | Error> | undefined, name: string): T => {
    const value = list?.shift();
    if (value === undefined) throw new Error(`unexpected ${name} call`);
    if (value instanceof Error) throw value;
    return value;
  };
  const client: DingshangConsumeClient = {
    consume: async (input) => (calls.push({ name: 'consume', arg: input }), next(script.consume, 'consume')),
    order: async (id) => (calls.push({ name: 'order', arg: id }), next(script.order, 'order')),
    codes: async (productId) => (calls.push({ name: 'codes', arg: productId }), next(script.codes, 'codes')),
  };
  return { client, calls };
}

const dest = (client: DingshangConsumeClient, codeFor?: () => string | null) =>
  new DingshangDestination({ name: 'dingshang', tradeIdFormat: 'compact-uuid' }, codeFor === undefined ? { client } : { client, codeFor });

describe('DingshangDestination', () => {
  it('sends only Dingshang pickups; every other event is skipped with the reason, without a request', async () => {
    const { client, calls } = scripted({});
    const stored = { ...pickedUp('e1', '131:1'), type: 'door.closed', payload: { compartmentId: 'C01', board: 1, lock: 1, openMs: 1, at: 1 } } as OutboundEvent;
    expect(await dest(client).deliver(stored, never)).toEqual({ kind: 'skipped', reason: 'Dingshang is told of used codes only (§6.5), not door.closed' });
    expect(await dest(client).deliver(pickedUp('e2', '131:1', 'local'), never)).toEqual({ kind: 'skipped', reason: 'the code used came from local, not Dingshang: no /consumes to send (§6.5)' });
    expect(calls).toEqual([]);
    expect(DINGSHANG_EVENT_TYPES).toEqual(['parcel.picked-up']);
  });

  it('finds the code text in §6.3 by record id and consumes with trade_id = the compact event id', async () => {
    const { client, calls } = scripted({ codes: [[listed(7, '11111111'), listed(8)]], consume: [{ kind: 'consumed', order: order('x') }] });
    // The order's id comes back as the row's vendor reference: the §10 delivery callback names it.
    expect(await dest(client).deliver(pickedUp(EVENT_ID, '131:8'), never)).toEqual({ kind: 'delivered', vendorRef: '60' });
    expect(calls).toEqual([
      { name: 'codes', arg: 131 },
      { name: 'consume', arg: { code: CODE, productId: 131, tradeId: '0190a1b200007000800000000000000a' } },
    ]);
  });

  it('uses codeFor when src/main supplies the text, and remembers a looked-up text for the next attempt', async () => {
    const given = scripted({ consume: [{ kind: 'consumed', order: order('x') }] });
    expect(await dest(given.client, () => CODE).deliver(pickedUp(EVENT_ID, '131:8'), never)).toEqual({ kind: 'delivered', vendorRef: '60' });
    expect(given.calls.map((c) => c.name)).toEqual(['consume']);

    // First attempt times out after the vendor applied it; the code is then no longer listed, but remembered.
    const lost = scripted({
      codes: [[listed(8)]],
      consume: [new DingshangError('timeout', 'dingshang consume: timeout: no answer in time', { endpoint: 'consume' }), { kind: 'already-used', vendorCode: 10025, orderId: 60 }],
      order: [order('0190a1b2-0000-7000-8000-00000000000a')],
    });
    const d = dest(lost.client);
    expect(await d.deliver(pickedUp(EVENT_ID, '131:8'), never)).toMatchObject({ kind: 'retry' });
    expect(await d.deliver(pickedUp(EVENT_ID, '131:8'), never)).toEqual({ kind: 'delivered', vendorRef: '60' });
    expect(lost.calls.map((c) => c.name)).toEqual(['codes', 'consume', 'consume', 'order']);
  });

  it('is dead when the event names no Dingshang code, or the code is not listed and not known', async () => {
    const { client } = scripted({ codes: [[listed(9)]] });
    expect(await dest(client).deliver(pickedUp(EVENT_ID, null), never)).toMatchObject({ kind: 'dead', reason: expect.stringContaining('{product_id}:{id}') });
    expect(await dest(client).deliver(pickedUp(EVENT_ID, 'SF-123'), never)).toMatchObject({ kind: 'dead' });
    expect(await dest(client).deliver(pickedUp(EVENT_ID, '131:8'), never)).toMatchObject({ kind: 'dead', reason: expect.stringContaining('131:8 is no longer listed') });
  });

  it('already used: delivered whether the order is ours, someone else\'s, unnamed or unreadable; a transient query failure retries', async () => {
    const used = (orderId: number | null): ConsumeResult => ({ kind: 'already-used', vendorCode: 10025, orderId });
    const cases: Array<[Script, string]> = [
      [{ consume: [used(60)], order: [order('0190a1b200007000800000000000000a')] }, 'delivered'],
      [{ consume: [used(60)], order: [order('800a7e95-00d3-45c8-987d-3aafa412c77d')] }, 'delivered'],
      [{ consume: [used(null)] }, 'delivered'],
      [{ consume: [used(60)], order: [refused(40005, '订单已过期')] }, 'delivered'],
      [{ consume: [used(60)], order: [new DingshangError('network', 'dingshang orderQuery: network: ECONNRESET', { endpoint: 'orderQuery' })] }, 'retry'],
    ];
    for (const [script, kind] of cases) {
      expect((await dest(scripted(script).client, () => CODE).deliver(pickedUp(EVENT_ID, '131:8'), never)).kind).toBe(kind);
    }
  });

  it('classifies consume failures: auth → unauthorised, machine states → retry, other refusals → dead with code and message', async () => {
    const cases: Array<[Error, string, string]> = [
      [new DingshangError('unauthorised', 'dingshang consume: code 4006 sorry, payload sign invalid', { endpoint: 'consume', vendorCode: 4006 }), 'unauthorised', '4006'],
      [refused(30002, '设备已离线'), 'retry', '30002 设备已离线'],
      [refused(10023, '取货码功能尚未开启'), 'retry', '10023'],
      [refused(80002, '查不到对应记录'), 'dead', '80002 查不到对应记录'],
      [refused(0, '订单未支付'), 'dead', '0 订单未支付'],
      [refused(6032, `sorry, pickup code ${CODE} expired`), 'dead', 'sorry, pickup code [code] expired'],
      [new DingshangError('unparsable', 'dingshang consume: data: bad', { endpoint: 'consume' }), 'dead', 'data: bad'],
      [new DingshangError('invalid-request', 'dingshang consume: parameters break the documented request', { endpoint: 'consume' }), 'dead', 'parameters'],
      [new DingshangError('timeout', 'dingshang consume: timeout: no answer in time', { endpoint: 'consume' }), 'retry', 'timeout'],
    ];
    for (const [err, kind, reason] of cases) {
      const outcome = await dest(scripted({ consume: [err] }).client, () => CODE).deliver(pickedUp(EVENT_ID, '131:8'), never);
      expect(outcome).toMatchObject({ kind, reason: expect.stringContaining(reason) });
      expect(JSON.stringify(outcome)).not.toContain(CODE);
    }
  });

  it('reads HTTP failures like any destination: 5xx/429 retry with Retry-After, other 4xx dead, 401 unauthorised', () => {
    const http = (status: number, retryAfter?: string) =>
      new DingshangError('http', `dingshang consume: HTTP ${status}`, { endpoint: 'consume', status, ...(retryAfter === undefined ? {} : { retryAfter }) });
    expect(outcomeOf(http(503, '7'), 0)).toEqual({ kind: 'retry', reason: 'dingshang consume: HTTP 503', retryAfterMs: 7000 });
    expect(outcomeOf(http(429), 0)).toMatchObject({ kind: 'retry' });
    expect(outcomeOf(http(404), 0)).toEqual({ kind: 'dead', reason: 'dingshang consume: HTTP 404' });
    expect(outcomeOf(new DingshangError('unauthorised', 'HTTP 401', { endpoint: 'consume', status: 401 }), 0).kind).toBe('unauthorised');
    expect(outcomeOf(new Error('boom'), 0).kind).toBe('retry'); // an unknown throw is never proof the event can never go
  });

  it('a throwing codeFor is dead without quoting its message', async () => {
    const outcome = await dest(scripted({}).client, () => {
      throw new Error(`cannot unseal ${CODE}`);
    }).deliver(pickedUp(EVENT_ID, '131:8'), never);
    expect(outcome).toEqual({ kind: 'dead', reason: 'cannot recover the code text: Error' });
  });
});

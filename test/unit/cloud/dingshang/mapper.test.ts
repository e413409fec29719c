import { describe, expect, it } from 'vitest';
import type { OutboundEvent, OutboundEventOf } from '../../../../src/cloud/common/outbound-event.js';
import {
  cacheCodesFromProducts,
  cancelAllCodesRequest,
  cancelCodeRequest,
  codeExternalId,
  consumeInputFromEvent,
  consumeRequest,
  DINGSHANG_CODE_SOURCE,
  interpretConsume,
  parseCodeExternalId,
  pickedUpToConsume,
  tradeIdForEvent,
  tradeIdMatchesEvent,
} from '../../../../src/cloud/dingshang/mapper.js';
import { buildRequest, decodePayload, parseResponse, verifySign } from '../../../../src/cloud/dingshang/signer.js';
import { pickupCodeListDataSchema, productSchema } from '../../../../src/cloud/dingshang/schemas.js';
import { consumeOkBody, consumeUsedBody } from './fixtures.js';

const EVENT_ID = '01964f3a-7c2b-7d3e-9a4b-1c2d3e4f5a6b';
const ctx = { machineNo: '12345678', timestamp: '1714353655', notifyUrl: 'https://relay.example.com/dingshang/notify?t=s3cret' };

function pickedUp(over: Partial<OutboundEventOf<'parcel.picked-up'>['payload']> = {}): OutboundEvent {
  return {
    id: EVENT_ID,
    type: 'parcel.picked-up',
    parcelId: null,
    compartmentId: 'c-1',
    occurredAt: 1714353655000,
    cabinetId: 'cab-1',
    payload: {
      parcelId: null, compartmentId: 'c-1', board: 1, lock: 3, codeSource: DINGSHANG_CODE_SOURCE, codeExternalId: '131:1',
      externalRef: null, pickedUpAt: 1714353655000, via: 'keypad', ...over,
    },
  };
}

describe('dingshang mapper: trade_id and cache ids', () => {
  it('trade_id is the event id, 32 hex digits by default (§6.5 example)', () => {
    expect(tradeIdForEvent(EVENT_ID)).toBe('01964f3a7c2b7d3e9a4b1c2d3e4f5a6b');
    expect(tradeIdForEvent(EVENT_ID, 'as-is')).toBe(EVENT_ID);
    expect(tradeIdForEvent('not-a-uuid')).toBe('not-a-uuid');
  });

  it('matches the hyphenated echo of §6.5 against our event id', () => {
    expect(tradeIdMatchesEvent('800a7e95-00d3-45c8-987d-3aafa412c77d', '800a7e95-00d3-45c8-987d-3aafa412c77d')).toBe(true);
    expect(tradeIdMatchesEvent('800a7e9500d345c8987d3aafa412c77d', '800a7e95-00d3-45c8-987d-3aafa412c77d')).toBe(true);
    expect(tradeIdMatchesEvent('900a7e9500d345c8987d3aafa412c77d', '800a7e95-00d3-45c8-987d-3aafa412c77d')).toBe(false);
    expect(tradeIdMatchesEvent('', '')).toBe(false);
  });

  it('cache ids round-trip and refuse anything else', () => {
    expect(parseCodeExternalId(codeExternalId(131, 78))).toEqual({ productId: 131, recordId: 78 });
    for (const bad of ['78', '131:', ':78', '0:78', '131:78:1', 'a:b']) expect(parseCodeExternalId(bad), bad).toBeNull();
  });
});

describe('dingshang mapper: parcel.picked-up → POST /consumes (§6.5)', () => {
  it('refuses: the event carries no code text', () => {
    expect(pickedUpToConsume(pickedUp(), ctx)).toEqual({
      ok: false,
      refusal: { reason: 'missing-fields', missing: [{ field: 'code', why: expect.stringContaining('no code text') }] },
    });
  });

  it('lists product_id too when codeExternalId is not a Dingshang cache id', () => {
    const r = consumeInputFromEvent(pickedUp({ codeExternalId: null }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.refusal.reason === 'missing-fields' && r.refusal.missing.map((m) => m.field)).toEqual(['code', 'product_id']);
  });

  it('is not applicable to other sources or event types', () => {
    expect(consumeInputFromEvent(pickedUp({ codeSource: 'local' }))).toMatchObject({ ok: false, refusal: { reason: 'not-applicable' } });
    const door: OutboundEvent = { id: EVENT_ID, type: 'door.forced', parcelId: null, compartmentId: 'c-1', occurredAt: 1, cabinetId: 'cab-1', payload: { compartmentId: 'c-1', board: 1, lock: 1, at: 1 } };
    expect(consumeInputFromEvent(door)).toMatchObject({ ok: false, refusal: { reason: 'not-applicable' } });
  });

  it('builds exactly the §6.5 fields once the inputs exist, and it signs', () => {
    const r = consumeRequest({ code: '5288640', productId: 131, tradeId: tradeIdForEvent(EVENT_ID) }, ctx);
    expect(r).toEqual({
      ok: true,
      value: {
        machine_no: '12345678', method: 'event.consume.pickup_code', code: '5288640', product_id: '131',
        notify_url: ctx.notifyUrl, trade_id: '01964f3a7c2b7d3e9a4b1c2d3e4f5a6b', timestamp: '1714353655',
      },
    });
    if (!r.ok) return;
    const body = buildRequest('consume', { params: r.value }, { appId: 'ds1', appSecret: 's', appKey: 'kva' }).body ?? '';
    const sent = decodePayload((JSON.parse(body) as { payload: string }).payload);
    expect(sent !== null && verifySign(sent, 'kva')).toBe(true);
  });

  it('refuses our own bad config instead of sending it', () => {
    expect(consumeRequest({ code: '1', productId: 1, tradeId: 't' }, { ...ctx, machineNo: '12' })).toMatchObject({ ok: false, refusal: { reason: 'invalid' } });
  });
});

describe('dingshang mapper: consume responses', () => {
  it('ok → consumed with the order and record ids', () => {
    expect(interpretConsume(parseResponse('consume', consumeOkBody))).toEqual({
      kind: 'consumed', orderId: 60, tradeId: '800a7e95-00d3-45c8-987d-3aafa412c77d', recordIds: [78], pickupCodeId: 1,
    });
  });

  it('10025 → already consumed (delivered), with data.order_id to reconcile (docs/vendors/README.md §1, docs/vendors/dingshang.md §5.2)', () => {
    expect(interpretConsume(parseResponse('consume', consumeUsedBody))).toEqual({ kind: 'already-consumed', code: 10025, orderId: 60 });
    expect(interpretConsume(parseResponse('consume', { code: 10025, message: '取货码已使用', data: {} }))).toEqual({ kind: 'already-consumed', code: 10025, orderId: null });
  });

  it('other failures are rejections; 6033 only when configured', () => {
    expect(interpretConsume(parseResponse('consume', { code: 10023, message: '取货码功能尚未开启' }))).toEqual({ kind: 'rejected', code: 10023, message: '取货码功能尚未开启' });
    expect(interpretConsume(parseResponse('consume', { code: 6033, message: 'sorry, code used' }))).toMatchObject({ kind: 'rejected' });
    expect(interpretConsume(parseResponse('consume', { code: 6033, message: 'sorry, code used' }), [10025, 6033])).toMatchObject({ kind: 'already-consumed' });
    expect(interpretConsume(parseResponse('consume', 'garbage'))).toMatchObject({ kind: 'malformed' });
  });
});

describe('dingshang mapper: cancel (§6.4)', () => {
  it('one code: the record id from the cache id, not the code text', () => {
    expect(cancelCodeRequest('131:78', ctx)).toEqual({ ok: true, value: { machine_no: '12345678', method: 'pickup_code.delete.id', id: '78', timestamp: '1714353655' } });
    expect(cancelCodeRequest('78', ctx)).toMatchObject({ ok: false, refusal: { reason: 'invalid' } });
  });

  it('all codes of the machine', () => {
    expect(cancelAllCodesRequest(ctx)).toEqual({ ok: true, value: { machine_no: '12345678', method: 'pickup_code.delete.all', timestamp: '1714353655' } });
  });
});

describe('dingshang mapper: §6.3 codes → cache codes', () => {
  const product = productSchema.parse({ id: 131, channel: { name: 'A21', cabinet_name: 'A', code: '020', x: '2', y: '0', addr: 1 } });
  const codes = pickupCodeListDataSchema.parse([
    { id: 1, code: '5288640', status: 'UNUSED', created_at: '2024-04-29 10:00:00', expired_at: '2024-12-31 23:59:59' },
    { id: 2, code: '1111111', status: 'UNUSED', created_at: '2024-04-29 10:00:00' },
    { id: 3, code: '2222222' },
    { id: 4, code: '3333333', status: 'USED' },
    { id: 5, code: '', status: 'UNUSED' },
    { code: '4444444', status: 'UNUSED' },
    { id: 6, code: '5555555', status: 'UNUSED', expired_at: '2024-02-30 00:00:00' },
    { id: 1, code: '5288640', status: 'UNUSED' },
  ]);

  it('maps the documented fields, GMT+8 times and the product lane', () => {
    const { codes: out, skipped } = cacheCodesFromProducts([{ product, codes }]);
    expect(out[0]).toEqual({
      externalId: '131:1', recordId: 1, productId: 131, code: '5288640', quantity: 1,
      lane: { name: 'A21', cabinet: 'A', motorCode: '020', row: 2, column: 0, board: 1 },
      validFrom: Date.UTC(2024, 3, 29, 2, 0, 0),
      validUntil: Date.UTC(2024, 11, 31, 15, 59, 59),
    });
    expect(out.map((c) => c.externalId)).toEqual(['131:1', '131:2', '131:3']);
    expect(out[1]?.validUntil).toBeNull(); // no expired_at = never expires (§6.3)
    expect(out[2]?.validFrom).toBeNull();
    expect(skipped).toEqual([
      { productId: 131, recordId: 4, reason: 'not-unused' },
      { productId: 131, recordId: 5, reason: 'no-code' },
      { productId: 131, recordId: 0, reason: 'no-record-id' },
      { productId: 131, recordId: 6, reason: 'bad-expired-at' },
      { productId: 131, recordId: 1, reason: 'duplicate' },
    ]);
    expect(JSON.stringify(skipped)).not.toContain('3333333'); // never the code text
  });

  it('an omitted status is skipped when so configured; offset is configurable', () => {
    const r = cacheCodesFromProducts([{ product, codes }], { omittedStatus: 'skip', utcOffsetMinutes: 0 });
    expect(r.codes.map((c) => c.externalId)).toEqual(['131:1', '131:2']);
    expect(r.codes[0]?.validUntil).toBe(Date.UTC(2024, 11, 31, 23, 59, 59));
  });

  it('a product without id yields nothing usable', () => {
    const r = cacheCodesFromProducts([{ product: productSchema.parse({}), codes }]);
    expect(r.codes).toEqual([]);
    expect(r.skipped.every((s) => s.reason === 'no-product-id' || s.reason === 'not-unused')).toBe(true);
  });
});

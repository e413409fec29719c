import { describe, expect, it } from 'vitest';
import { CODE_ZERO_FAILURE_MESSAGES, DS_ERROR, dsErrorName } from '../../../../src/cloud/dingshang/errors.js';
import {
  consumeDataSchema,
  deliveryCallbackSchema,
  envelopeSchema,
  isSuccess,
  machineDetailDataSchema,
  machineListDataSchema,
  pickupCodeListDataSchema,
  productListDataSchema,
  productListRequestSchema,
  pickupCodeCreateOneRequestSchema,
  consumeRequestSchema,
} from '../../../../src/cloud/dingshang/schemas.js';
import { callbackExample, consumeOkBody } from './fixtures.js';

describe('dingshang envelope and success rule (§1)', () => {
  it('success only when code is 0 and message is "ok"', () => {
    expect(isSuccess({ code: 0, message: 'ok' })).toBe(true);
    expect(isSuccess({ code: 0, message: '订单未支付' })).toBe(false); // §7.1 failure with code 0
    expect(isSuccess({ code: 0, message: 'OK' })).toBe(false);
    expect(isSuccess({ code: 10025, message: 'ok' })).toBe(false);
    for (const m of CODE_ZERO_FAILURE_MESSAGES) expect(isSuccess({ code: 0, message: m })).toBe(false);
  });

  it('omitted code and message take protobuf zero values, so an empty body is not a success', () => {
    const env = envelopeSchema.parse({});
    expect(env).toEqual({ code: 0, message: '', data: undefined });
    expect(isSuccess(env)).toBe(false);
  });

  it('keeps unknown envelope fields', () => {
    expect(envelopeSchema.parse({ code: 0, message: 'ok', data: 'pong', request_id: 'x' })).toMatchObject({ request_id: 'x' });
  });
});

describe('dingshang response defaults (§1 zero values)', () => {
  it('an offline machine without is_online reads as offline (§4.2)', () => {
    const [m] = machineListDataSchema.parse([{ machine_name: 'M', machine_no: '12345678' }]);
    expect(m).toMatchObject({ is_online: false, status: false, address: '', tel: '' });
  });

  it('machine list status accepts the bool of §4.2 and the string enum of §8.4', () => {
    expect(machineListDataSchema.parse([{ status: true }, { status: 'MAINTENANCE' }]).map((m) => m.status)).toEqual([true, 'MAINTENANCE']);
  });

  it('machine detail nested objects default when omitted (§4.3)', () => {
    const d = machineDetailDataSchema.parse({ machine_name: 'M' });
    expect(d.model.cabinet_names).toEqual([]);
    expect(d.merchant.status).toBe('');
    expect(d.machine_type).toBe(0);
    expect(d.categories).toEqual([]);
  });

  it('products: [] becomes an empty page; items get zero values (§4.4)', () => {
    expect(productListDataSchema.parse([])).toEqual({ data: [], total: 0, current_page: 0, last_page: 0, per_page: 0 });
    expect(productListDataSchema.parse(undefined).data).toEqual([]);
    const page = productListDataSchema.parse({ data: [{ id: 131, channel: { name: 'A21', cabinet_name: 'A', code: '020', x: '2', y: '0', addr: 1 } }], total: '1' });
    expect(page.total).toBe(1);
    expect(page.data[0]).toMatchObject({ id: 131, current_inventory: 0, inventory: 0, good: { price: '', slug: '' }, category: { id: 0, title: '' } });
    expect(page.data[0]?.channel).toMatchObject({ name: 'A21', x: '2', addr: 1 });
  });

  it('pickup codes: quantity defaults to 1 and the rest to zero values (§6.3)', () => {
    expect(pickupCodeListDataSchema.parse([{ id: 5, code: '123456' }])).toEqual([
      { id: 5, code: '123456', status: '', created_at: '', expired_at: '', quantity: 1 },
    ]);
    expect(pickupCodeListDataSchema.parse(undefined)).toEqual([]);
  });

  it('parses the §6.5 consume example', () => {
    const order = consumeDataSchema.parse(consumeOkBody.data);
    expect(order).toMatchObject({ order_id: 60, status: 'PICKUPCODE', pickup_code_id: 1, notify_send_count: 0 });
    expect(order.records[0]).toEqual({ id: 78, product_id: 131, quantity: 1, price: '1.00', status: '未取货', notify_sent: '0' });
  });

  it('parses the §10 callback example; ids accept numeric text', () => {
    const cb = deliveryCallbackSchema.parse(JSON.parse(callbackExample));
    expect(cb).toMatchObject({ order_id: 60, record_id: 78, deliver_status: '0', floor_status: '3', error_msg: 'Slave Comm Error' });
    expect(deliveryCallbackSchema.parse({ method: 'device.delivery.response', order_id: '60' }).order_id).toBe(60);
    expect(deliveryCallbackSchema.parse({ method: 'device.delivery.response' }).order_id).toBeNull();
    expect(deliveryCallbackSchema.safeParse({ method: 'something.else' }).success).toBe(false);
  });
});

describe('dingshang request schemas', () => {
  const base = { machine_no: '12345678', timestamp: '1714185061' };

  it('product list: page defaults to "1"; addr and cabinet_name are exclusive (§4.4)', () => {
    expect(productListRequestSchema.parse(base)).toEqual({ ...base, page: '1' });
    expect(productListRequestSchema.safeParse({ ...base, addr: '1', cabinet_name: 'A' }).success).toBe(false);
  });

  it('refuses fields the spec does not name, and non-string values (§1)', () => {
    expect(productListRequestSchema.safeParse({ ...base, invented: 'x' }).success).toBe(false);
    expect(productListRequestSchema.safeParse({ ...base, page: 1 }).success).toBe(false);
  });

  it('machine_no is 8 or more digits (§1)', () => {
    expect(productListRequestSchema.safeParse({ ...base, machine_no: '1234567' }).success).toBe(false);
    expect(productListRequestSchema.safeParse({ ...base, machine_no: '123456789' }).success).toBe(true);
  });

  it('accepts the §6.1 example (masked machine_no replaced)', () => {
    const example = { code_length: '7', count: '2', expired_at: '2024-12-31 23:59:59', machine_no: '12345678', method: 'pickup_code.product.id', product_id: '1323442', quantity: '1', timestamp: '1714185061' };
    expect(pickupCodeCreateOneRequestSchema.parse(example)).toEqual(example);
    expect(pickupCodeCreateOneRequestSchema.safeParse({ ...example, code_length: '11' }).success).toBe(false);
  });

  it('consume needs every §6.5 field', () => {
    const ok = { ...base, method: 'event.consume.pickup_code', code: '5288640', product_id: '131', notify_url: 'https://example.com/n', trade_id: '800a7e9500d345c8987d3aafa412c77d' };
    expect(consumeRequestSchema.safeParse(ok).success).toBe(true);
    for (const k of ['code', 'product_id', 'notify_url', 'trade_id', 'method'] as const) {
      const { [k]: _drop, ...rest } = ok;
      expect(consumeRequestSchema.safeParse(rest).success, k).toBe(false);
    }
  });
});

describe('dingshang error codes (§9)', () => {
  it('each constant is a distinct code with a name', () => {
    const codes = Object.values(DS_ERROR);
    expect(new Set(codes).size).toBe(codes.length);
    expect(dsErrorName(10025)).toBe('PICKUP_CODE_USED');
    expect(dsErrorName(4006)).toBe('PAYLOAD_SIGN_INVALID');
    expect(dsErrorName(12345)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { ENDPOINT_NAMES, ENDPOINTS, endpointPath, matchEndpoint } from '../../../../src/cloud/dingshang/schemas.js';
import { buildRequest, computeSign, decodePayload, type DsCredentials, parseResponse, readSignedBody } from '../../../../src/cloud/dingshang/signer.js';
import { consumeUsedBody, deliveryOkBody, deliveryUnpaidBody } from './fixtures.js';

const creds: DsCredentials = { appId: 'dsaaa73cee5b4efce9', appSecret: 'secret', appKey: 'kva' };
const base = { machine_no: '12345678', timestamp: '1714185061' };

describe('dingshang endpoint table (§3)', () => {
  it('covers every documented call the agent may use, with POST/PUT as §1 says', () => {
    expect(ENDPOINT_NAMES).toEqual([
      'ping', 'machineList', 'machineDetail', 'productList', 'categoryList', 'bannerList', 'floorList',
      'orderCreate', 'orderQuery', 'orderUpdate', 'pickupCodeCreateOne', 'pickupCodeCreateAll', 'pickupCodeQuery',
      'pickupCodeCancelOne', 'pickupCodeCancelAll', 'consume', 'deliveryPut', 'deliveryResult', 'deliveryDebug',
    ]);
    const puts = ENDPOINT_NAMES.filter((n) => ENDPOINTS[n].httpMethod === 'PUT');
    expect(puts).toEqual(['orderUpdate', 'pickupCodeCancelOne', 'pickupCodeCancelAll']);
  });

  it('fills and escapes path parameters, and refuses a missing one', () => {
    expect(endpointPath('pickupCodeQuery', { product_id: '131' })).toBe('/products/131/pickup_code');
    expect(endpointPath('orderQuery', { order_id: 'a/b' })).toBe('/orders/a%2Fb');
    expect(() => endpointPath('orderQuery', { order_id: '' })).toThrow(RangeError);
  });

  it('matches requests back to entries, payload method included', () => {
    expect(matchEndpoint('PUT', '/pickup_codes', 'pickup_code.delete.all')?.name).toBe('pickupCodeCancelAll');
    expect(matchEndpoint('PUT', '/pickup_codes', 'pickup_code.delete.id')?.name).toBe('pickupCodeCancelOne');
    expect(matchEndpoint('POST', '/deliveries/debug', 'device.delivery.put')?.name).toBe('deliveryDebug');
    expect(matchEndpoint('POST', '/deliveries/5121763043809673', null)).toEqual({ name: 'deliveryResult', pathParams: { delivery_id: '5121763043809673' } });
    expect(matchEndpoint('POST', '/rent/machines', null)?.name).toBe('machineList');
    expect(matchEndpoint('GET', '/ping', null)).toBeNull();
    expect(matchEndpoint('POST', '/orders/%E0%A4%A', null)).toBeNull();
  });
});

describe('dingshang buildRequest', () => {
  it('ping: no body, auth headers only (§1, §4.1)', () => {
    expect(buildRequest('ping', {}, creds)).toEqual({
      httpMethod: 'POST', path: '/api/openapi/v1/ping', headers: { Appid: creds.appId, AppSecret: creds.appSecret }, body: null,
    });
    expect(buildRequest('machineDetail', { pathParams: { machine_no: '12345678' } }, creds).path).toBe('/api/openapi/v1/rent/machines/12345678');
  });

  it('signed call: {"payload": base64(JSON incl. sign)} with the AppKey (§2.1)', () => {
    const req = buildRequest('pickupCodeQuery', { pathParams: { product_id: '131' }, params: base }, creds);
    expect(req.path).toBe('/api/openapi/v1/products/131/pickup_code');
    expect(req.headers['Content-Type']).toBe('application/json');
    const body: unknown = JSON.parse(req.body ?? '');
    expect(Object.keys(body as object)).toEqual(['payload']);
    const params = decodePayload((body as { payload: string }).payload);
    expect(params).toEqual({ ...base, sign: computeSign(base, 'kva') });
  });

  it('applies documented defaults before signing (§4.4 page "1")', () => {
    const req = buildRequest('productList', { params: base }, creds);
    const params = decodePayload((JSON.parse(req.body ?? '') as { payload: string }).payload);
    expect(params).toMatchObject({ page: '1' });
  });

  it('url-encoded mode changes the sign only when a value has reserved characters', () => {
    const params = { ...base, method: 'device.delivery.put' as const, channel_name: 'A20', notify_url: 'https://example.com/n?t=1' };
    const raw = readSignedBody(buildRequest('deliveryDebug', { params }, creds).body ?? '', 'kva', 'raw');
    const enc = readSignedBody(buildRequest('deliveryDebug', { params }, creds, { signValues: 'url-encoded' }).body ?? '', 'kva', 'url-encoded');
    expect(raw.ok && enc.ok).toBe(true);
    expect(readSignedBody(buildRequest('deliveryDebug', { params }, creds).body ?? '', 'kva', 'url-encoded')).toEqual({ ok: false, reason: 'bad-sign' });
  });

  it('create order is plain JSON, not encoded (§5.1)', () => {
    const params = { machine_no: '12345678', notify_url: 'https://example.com/n', trade_id: '3f2a58ad69b74e86b8a1a3da6fd75cc1', products: [{ product_id: 121, quantity: 1 }] };
    expect(JSON.parse(buildRequest('orderCreate', { params }, creds).body ?? '')).toEqual(params);
  });

  it('throws on params that break the documented shape', () => {
    expect(() => buildRequest('orderUpdate', { pathParams: { order_id: '60' }, params: { ...base, status: '7' as '1' } }, creds)).toThrow();
  });
});

describe('dingshang parseResponse', () => {
  it('ok: data parsed with its defaults', () => {
    expect(parseResponse('ping', { code: 0, message: 'ok', data: 'pong' })).toEqual({ kind: 'ok', data: 'pong' });
    const d = parseResponse('deliveryPut', deliveryOkBody);
    expect(d).toEqual({ kind: 'ok', data: { ...deliveryOkBody.data, pickup_at: '', fail_reason: '' } });
    expect(parseResponse('pickupCodeCancelAll', { code: 0, message: 'ok', data: {} })).toEqual({ kind: 'ok', data: {} });
  });

  it('failure: code 0 with an error text, and 10025 with data kept raw', () => {
    expect(parseResponse('deliveryPut', deliveryUnpaidBody)).toEqual({ kind: 'failure', code: 0, message: '订单未支付', data: undefined });
    expect(parseResponse('consume', consumeUsedBody)).toEqual({ kind: 'failure', code: 10025, message: '取货码已使用', data: { order_id: 60 } });
    expect(parseResponse('deliveryResult', { code: 404, message: 'Not Found' })).toMatchObject({ kind: 'failure', code: 404 });
  });

  it('malformed: not an envelope, or a success whose data does not fit', () => {
    expect(parseResponse('ping', 'pong').kind).toBe('malformed');
    expect(parseResponse('ping', { code: '0', message: 'ok' }).kind).toBe('malformed');
    expect(parseResponse('machineList', { code: 0, message: 'ok', data: { not: 'a list' } }).kind).toBe('malformed');
  });
});

describe('dingshang readSignedBody (mock-server side)', () => {
  it('accepts what buildRequest signs and rejects other keys, garbage and tampering', () => {
    const body = buildRequest('orderQuery', { pathParams: { order_id: '60' }, params: base }, creds).body ?? '';
    expect(readSignedBody(body, 'kva')).toEqual({ ok: true, params: { ...base, sign: computeSign(base, 'kva') } });
    expect(readSignedBody(body, 'other')).toEqual({ ok: false, reason: 'bad-sign' });
    expect(readSignedBody('nope', 'kva')).toEqual({ ok: false, reason: 'not-json' });
    expect(readSignedBody('{}', 'kva')).toEqual({ ok: false, reason: 'no-payload' });
    expect(readSignedBody('{"payload":"%%%"}', 'kva')).toEqual({ ok: false, reason: 'bad-payload' });
    const decoded = decodePayload((JSON.parse(body) as { payload: string }).payload) ?? {};
    const tampered = Buffer.from(JSON.stringify({ ...decoded, machine_no: '87654321' })).toString('base64');
    expect(readSignedBody(JSON.stringify({ payload: tampered }), 'kva')).toEqual({ ok: false, reason: 'bad-sign' });
  });
});

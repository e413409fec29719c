import { describe, expect, it } from 'vitest';
import { yopointOptionsSchema } from '../../../../src/cloud/yopoint/config.js';
import { YOPOINT_METHODS, yopointMethods, yopointRequestParamsSchema } from '../../../../src/cloud/yopoint/schemas.js';
import { buildYopointRequest, cabinetOrderListBiz, parseYopointResponse } from '../../../../src/cloud/yopoint/client.js';
import { APIFOX_ORDER_GET_RESPONSE, FAILURE_RESPONSE, GITBOOK_ORDER_JSON } from './fixtures.js';

const options = yopointOptionsSchema.parse({ appid: '930859529955', appSecret: 'kiosk-test-secret-0001' });

describe('yopoint options', () => {
  it('default every switch to the documented reading', () => {
    expect(options).toMatchObject({ timestampUnit: 's', emptyValues: 'include', orderListKeys: 'apifox', notifySignedFields: 'documented', notifyMaxSkewMs: null });
  });
});

describe('buildYopointRequest (§1.1, §2.1)', () => {
  it('builds the signed form of the self-derived vector, timestamp in seconds', () => {
    const req = buildYopointRequest(options, 'cabinet.order.get', { ReceiptNo: 'VI231228102118586561' }, 1_703_730_094_999);
    expect(req.url).toBe('https://api.yopoint.com/api/gateway/index');
    expect(req.contentType).toBe('application/x-www-form-urlencoded');
    expect(req.params).toEqual({
      appid: '930859529955',
      method: 'cabinet.order.get',
      biz_content: '{"ReceiptNo":"VI231228102118586561"}',
      version: '1.0.0',
      timestamp: '1703730094',
      sign_type: 'md5',
      sign: 'fe86cb888e8382f1a4f208cce712476c',
    });
    expect(yopointRequestParamsSchema.parse(req.params)).toEqual(req.params);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual(req.params);
  });

  it('follows the timestamp unit switch', () => {
    const req = buildYopointRequest({ ...options, timestampUnit: 'ms' }, 'cabinet.order.get', { ReceiptNo: 'VI231228102118586561' }, 1_703_730_094_000);
    expect(req.params.timestamp).toBe('1703730094000');
    expect(req.params.sign).toBe('3f6f2a5f304770fd20ef20c7ddcb321b');
  });

  it('sends only the keys the spec names and refuses an invalid biz', () => {
    const extra = { ReceiptNo: 'R1', Invented: 'x' } as { ReceiptNo: string };
    expect(buildYopointRequest(options, 'cabinet.order.get', extra, 0).params.biz_content).toBe('{"ReceiptNo":"R1"}');
    expect(() => buildYopointRequest(options, 'cabinet.order.get', {}, 0)).toThrow(/ReceiptNo or TradeNo/);
    expect(() => buildYopointRequest(options, 'cabinet.order.list', { page: 1, StartTime: 0, EndTime: 1, pageSize: 101 }, 0)).toThrow();
  });

  it('passes cabinet.open.door biz through verbatim (§4.4 UNKNOWN)', () => {
    const req = buildYopointRequest(options, 'cabinet.open.door', { CID: '5f6da2362201410011fe7b72' }, 0);
    expect(req.params.biz_content).toBe('{"CID":"5f6da2362201410011fe7b72"}');
    expect(yopointMethods['cabinet.open.door'].unverified).toBe(true);
  });

  it('cabinet.list uses the apifox keys', () => {
    expect(buildYopointRequest(options, 'cabinet.list', { Page: 1, PageSize: 5 }, 0).params.biz_content).toBe('{"Page":1,"PageSize":5}');
  });
});

describe('cabinet.order.list biz (§4.7)', () => {
  const window = { page: 1, pageSize: 20, fromMs: 1_708_617_600_000, toMs: 1_709_222_399_999 };

  it('apifox casing reproduces the doc example as valid JSON', () => {
    // Doc text: {"page":1,"StartTime":1708617600,"EndTime":1709222399,pageSize:20} (unquoted key, verbatim)
    const req = buildYopointRequest(options, 'cabinet.order.list', cabinetOrderListBiz(window, 'apifox'), 0);
    expect(req.params.biz_content).toBe('{"page":1,"StartTime":1708617600,"EndTime":1709222399,"pageSize":20}');
  });

  it('gitbook casing, and seconds whatever the envelope unit', () => {
    const req = buildYopointRequest({ ...options, timestampUnit: 'ms' }, 'cabinet.order.list', cabinetOrderListBiz(window, 'gitbook'), 0);
    expect(req.params.biz_content).toBe('{"page":1,"startTime":1708617600,"endTime":1709222399,"pageSize":20}');
  });
});

describe('parseYopointResponse (§1.2, §4)', () => {
  it('parses the apifox cabinet.order.get example and keeps undocumented fields', () => {
    const r = parseYopointResponse('cabinet.order.get', JSON.parse(APIFOX_ORDER_GET_RESPONSE));
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.data.ReceiptNo).toBe('VI231228102118586561');
    expect(r.data.PayType).toBe(90); // outside the §7 enum: kept, not rejected
    expect(r.data.Products?.[0]?.CostPrice).toBe(54);
    expect(r.data['NotifyUrl']).toBe('');
    expect(r.data['PayPrice']).toBe(1);
    expect(r.envelope.sub_error_code).toBeNull();
  });

  it('parses the GitBook order list as an array and as a paging block', () => {
    const order: unknown = JSON.parse(GITBOOK_ORDER_JSON);
    const asArray = parseYopointResponse('cabinet.order.list', { error_code: 0, error_msg: 'SUCCESS', data: [order] });
    if (!asArray.ok || !Array.isArray(asArray.data)) throw new Error('expected array data');
    expect(asArray.data[0]?.DoorStatus).toBe(0);
    expect(asArray.data[0]?.PayType).toBe(202);

    const paged = { total: 1, per_page: 20, current_page: 1, last_page: 1, from: 1, to: 1, data: [order] };
    const asPage = parseYopointResponse('cabinet.order.list', { error_code: 0, error_msg: 'SUCCESS', data: paged });
    expect(asPage.ok).toBe(true);
  });

  it('parses a cabinet.list response with only total known', () => {
    const r = parseYopointResponse('cabinet.list', { error_code: 0, error_msg: 'SUCCESS', sub_error_code: null, sub_error_msg: null, data: { total: 2, per_page: 5 } });
    expect(r.ok && r.data.total).toBe(2);
  });

  it('reports a vendor error with its detail value (§1.2 failure example)', () => {
    const r = parseYopointResponse('cabinet.list', JSON.parse(FAILURE_RESPONSE));
    expect(r).toMatchObject({ ok: false, kind: 'vendor-error', errorCode: -1, errorMsg: 'ERR_BARCODE_OUTSTOCK' });
    expect(!r.ok && r.kind === 'vendor-error' && r.envelope.data).toBe('6926265305381');
  });

  it('reports a body that is not the envelope, or data that does not fit', () => {
    expect(parseYopointResponse('cabinet.list', '<html>')).toMatchObject({ ok: false, kind: 'malformed' });
    expect(parseYopointResponse('cabinet.order.get', { error_code: 0, error_msg: 'SUCCESS', data: { CID: 'x' } })).toMatchObject({ ok: false, kind: 'malformed' });
  });

  it('has a schema pair for every method of the role', () => {
    expect(YOPOINT_METHODS).toEqual(['cabinet.list', 'cabinet.order.list', 'cabinet.order.get', 'cabinet.open.door']);
  });
});

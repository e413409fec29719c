import { describe, expect, it } from 'vitest';
import {
  aituoPushAck,
  aituoPushBodyInboundSchema,
  aituoPushBodySchema,
  aituoPushConfigSchema,
} from '../../../../src/cloud/aituo/schemas.js';

/** docs/vendors/aituo.md §3.3, the example body of page 255536991e0, verbatim. */
const DOC_EXAMPLE = `{
    "oType": "1003",
    "tid": "123",
    "userId": "1",
    "deviceNo": "AT1003",
    "boxNo": "1",
    "orderCode": "1",
    "pinCode": "123456"
}`;

describe('Aituo schemas (docs/vendors/aituo.md §3.3)', () => {
  it('the documented example is a valid push body', () => {
    expect(aituoPushBodySchema.parse(JSON.parse(DOC_EXAMPLE))).toEqual({
      oType: '1003', tid: '123', userId: '1', deviceNo: 'AT1003', boxNo: '1', orderCode: '1', pinCode: '123456',
    });
  });

  it('outbound: every field a string, no extra key, only 1001–1003', () => {
    const ok = JSON.parse(DOC_EXAMPLE) as Record<string, unknown>;
    expect(aituoPushBodySchema.safeParse({ ...ok, boxNo: 1 }).success).toBe(false);
    expect(aituoPushBodySchema.safeParse({ ...ok, sign: 'x' }).success).toBe(false);
    expect(aituoPushBodySchema.safeParse({ ...ok, oType: '1009' }).success).toBe(false);
    const { pinCode: _pin, ...missing } = ok;
    expect(aituoPushBodySchema.safeParse(missing).success).toBe(false);
  });

  it('inbound: numbers become strings, unknown keys are kept, absent keys stay absent', () => {
    const parsed = aituoPushBodyInboundSchema.parse({ oType: 1001, tid: 5, boxNo: 1, extra: 'kept' });
    expect(parsed).toEqual({ oType: '1001', tid: '5', boxNo: '1', extra: 'kept' });
    expect(aituoPushBodyInboundSchema.safeParse({ oType: '1004' }).success).toBe(false);
  });

  it('config: deviceNo is required, the rest defaults to the spec’s inferences', () => {
    expect(aituoPushConfigSchema.safeParse({}).success).toBe(false);
    expect(aituoPushConfigSchema.parse({ deviceNo: 'AT1003' })).toEqual({
      deviceNo: 'AT1003', tid: 'event-id', orderCode: 'parcel-id', userId: 'input-only', dropoffPinCode: 'unsealed', boxNumbers: {}, whenAbsent: 'empty-string',
    });
    expect(aituoPushConfigSchema.safeParse({ deviceNo: 'AT1', bogus: 1 }).success).toBe(false);
  });

  it('ack: the response format is unknown, so any 2xx is delivered and the body is kept raw', () => {
    expect(aituoPushAck(200, 'whatever')).toEqual({ delivered: true, raw: 'whatever' });
    expect(aituoPushAck(204, '')).toEqual({ delivered: true, raw: '' });
    expect(aituoPushAck(302, '').delivered).toBe(false);
    expect(aituoPushAck(500, '{"code":1}').delivered).toBe(false);
  });
});

import { describe, expect, it, vi } from 'vitest';
import {
  AITUO_GET_WAIT_DROPOFF_ORDER,
  AITUO_GET_WAIT_PICKUP_ORDER,
  AITUO_METHOD_NUMBERS,
  AITUO_METHODS,
  AITUO_OPEN_BOX,
  AituoEnvelopeError,
  OTypeJsonEnvelope,
  type AituoCallEnvelope,
  type AituoSigner,
} from '../../../../src/cloud/aituo/schemas.js';

const ctx = { nowMs: 1_700_000_000_000, requestId: 'req-1' };

describe('Aituo 3.1 method table (docs/vendors/aituo.md §2)', () => {
  it('lists 1001–1020 without 1014, all with a sidebar title', () => {
    expect(AITUO_METHOD_NUMBERS).toHaveLength(19);
    expect(AITUO_METHOD_NUMBERS).not.toContain('1014');
    expect(AITUO_METHOD_NUMBERS[0]).toBe('1001');
    expect(AITUO_METHOD_NUMBERS.at(-1)).toBe('1020');
    for (const n of AITUO_METHOD_NUMBERS) {
      expect(AITUO_METHODS[n].title.length).toBeGreaterThan(0);
      expect(AITUO_METHODS[n].section).toBe(`3.1.${Number(n) - 1000}`);
    }
  });

  it('names the calls the agent needs first, with only the fields the spec names', () => {
    expect(AITUO_METHODS[AITUO_OPEN_BOX]).toEqual({ section: '3.1.9', title: 'Open box Interface', inferredParams: ['deviceNo', 'boxNo'] });
    expect(AITUO_METHODS[AITUO_GET_WAIT_PICKUP_ORDER]).toEqual({ section: '3.1.18', title: 'Get Wait Pickup Order', inferredParams: [] });
    expect(AITUO_METHODS[AITUO_GET_WAIT_DROPOFF_ORDER]).toEqual({ section: '3.1.19', title: 'Get Wait Dropoff Order', inferredParams: [] });
  });
});

describe('OTypeJsonEnvelope (UNVERIFIED: docs/vendors/aituo.md §2)', () => {
  it('wraps 1009 open box as JSON with oType first, values as strings, unsigned', () => {
    const envelope: AituoCallEnvelope = new OTypeJsonEnvelope();
    const req = envelope.wrap('1009', { deviceNo: 'AT1003', boxNo: '1' }, ctx);
    expect(req.headers).toEqual({ 'content-type': 'application/json' });
    expect(req.body).toBe('{"oType":"1009","deviceNo":"AT1003","boxNo":"1"}');
  });

  it('wraps 1018 / 1019 with whatever params the caller has', () => {
    const envelope = new OTypeJsonEnvelope();
    expect(envelope.wrap('1018', {}, ctx).body).toBe('{"oType":"1018"}');
    expect(envelope.wrap('1019', { deviceNo: 'AT1003' }, ctx).body).toBe('{"oType":"1019","deviceNo":"AT1003"}');
  });

  it('can leave oType out of the body', () => {
    expect(new OTypeJsonEnvelope({ includeOType: false }).wrap('1009', { boxNo: '1' }, ctx).body).toBe('{"boxNo":"1"}');
  });

  it('refuses a param that would overwrite the envelope’s oType', () => {
    expect(() => new OTypeJsonEnvelope().wrap('1009', { oType: '1001' }, ctx)).toThrowError(AituoEnvelopeError);
    expect(new OTypeJsonEnvelope({ includeOType: false }).wrap('1009', { oType: '1001' }, ctx).body).toBe('{"oType":"1001"}');
  });

  it('hands the unsigned request and the call to the pluggable signer and sends what it returns', () => {
    const sign = vi.fn<AituoSigner>((unsigned, call) => ({ headers: { ...unsigned.headers, 'x-test-sign': `${call.method}:${call.ctx.nowMs}` }, body: unsigned.body }));
    const req = new OTypeJsonEnvelope({ sign }).wrap('1009', { deviceNo: 'AT1003', boxNo: '2' }, ctx);
    expect(sign).toHaveBeenCalledWith(
      { headers: { 'content-type': 'application/json' }, body: '{"oType":"1009","deviceNo":"AT1003","boxNo":"2"}' },
      { method: '1009', ctx },
    );
    expect(req.headers['x-test-sign']).toBe('1009:1700000000000');
  });
});

import { describe, expect, it } from 'vitest';
import { hongxunOptionsSchema } from '../../../../src/cloud/hongxun/config.js';
import { parseHongxunResponse, verifyHongxunEnvelope } from '../../../../src/cloud/hongxun/signer.js';
import { type HongxunSignForFacts, buildHongxunSignFor } from '../../../../src/cloud/hongxun/mapper.js';
import { hongxunSignForEnvelopeSchema, hongxunSignForProductSchema } from '../../../../src/cloud/hongxun/schemas.js';
import {
  CREDENTIALS,
  FULL_PRODUCT_LINE,
  NOW,
  PICKED_UP_AT,
  RESPONSE_EXAMPLE,
  VECTOR_CANONICAL_JSON,
  VECTOR_REQUEST,
  VECTOR_SIGN,
  pickedUpEvent,
} from './fixtures.js';

const options = hongxunOptionsSchema.parse({ ...CREDENTIALS, signer: '快递柜' });

/** The facts that, with the event, reproduce the self-derived vector's request. */
const FACTS: HongxunSignForFacts = {
  customerNumber: VECTOR_REQUEST.customerNumber,
  actualQuantity: VECTOR_REQUEST.actualQuantity,
  productList: VECTOR_REQUEST.productList,
};

describe('hongxun options', () => {
  it('default every switch', () => {
    const o = hongxunOptionsSchema.parse(CREDENTIALS);
    expect(o).toMatchObject({ signHexCase: 'lower', jsonNulls: 'keep', timeZone: { label: 'Asia/Shanghai', utcOffsetMinutes: 480 }, maxSkewMs: 600_000 });
    expect(o.signer).toBeUndefined();
  });
});

describe('buildHongxunSignFor (§7.8 in the §2 envelope)', () => {
  it('builds the self-derived vector from a parcel.picked-up event', () => {
    const r = buildHongxunSignFor(pickedUpEvent(), FACTS, options, { nowMs: NOW, clockOffsetMs: 0 });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.envelope).toEqual({ createBy: 'CK001', dataSource: 'KIOSK', sign: VECTOR_SIGN, timestamp: '2024-03-01 18:00:00', request: VECTOR_REQUEST });
    // The body carries the request as the exact text that was signed.
    expect(r.body).toBe(`{"createBy":"CK001","dataSource":"KIOSK","request":${VECTOR_CANONICAL_JSON},"sign":"${VECTOR_SIGN}","timestamp":"2024-03-01 18:00:00"}`);
    expect(hongxunSignForEnvelopeSchema.parse(JSON.parse(r.body))).toEqual(r.envelope);
  });

  it('corrects both timestamp and signedTime by the measured offset', () => {
    // Our clock is 90 s behind Hongxun's: the local readings are 90 s early.
    const r = buildHongxunSignFor(pickedUpEvent(PICKED_UP_AT - 90_000), FACTS, options, { nowMs: NOW - 90_000, clockOffsetMs: 90_000 });
    expect(r.ok && r.envelope.sign).toBe(VECTOR_SIGN);
    const skewed = buildHongxunSignFor(pickedUpEvent(), FACTS, options, { nowMs: NOW, clockOffsetMs: 90_000 });
    expect(skewed.ok && [skewed.envelope.timestamp, skewed.envelope.request.signedTime]).toEqual(['2024-03-01 18:01:30', '2024-03-01 18:01:00']);
  });

  it('follows the hex-case switch', () => {
    const r = buildHongxunSignFor(pickedUpEvent(), FACTS, { ...options, signHexCase: 'upper' }, { nowMs: NOW, clockOffsetMs: 0 });
    expect(r.ok && r.envelope.sign).toBe(VECTOR_SIGN.toUpperCase());
  });

  it('sends the optional order fields only when given, and nothing undocumented', () => {
    const facts = { ...FACTS, mailno: 'SF1234567890', expressCode: 'HX001', signer: '张三', invented: 'x' } as HongxunSignForFacts;
    const r = buildHongxunSignFor(pickedUpEvent(), facts, options, { nowMs: NOW, clockOffsetMs: 0 });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(Object.keys(r.envelope.request).sort()).toEqual(['actualQuantity', 'customerNumber', 'expressCode', 'mailno', 'productList', 'signType', 'signedTime', 'signer']);
    expect(r.envelope.request.signer).toBe('张三');
    expect(r.body).not.toContain('invented');
  });

  it('refuses, listing what is missing, when no facts are available', () => {
    expect(buildHongxunSignFor(pickedUpEvent(), undefined, hongxunOptionsSchema.parse(CREDENTIALS), { nowMs: NOW, clockOffsetMs: 0 })).toEqual({
      ok: false,
      reason: 'missing-facts',
      missing: ['customerNumber', 'actualQuantity', 'productList', 'signer'],
    });
    expect(buildHongxunSignFor(pickedUpEvent(), { productList: [] }, options, { nowMs: NOW, clockOffsetMs: 0 })).toEqual({
      ok: false,
      reason: 'missing-facts',
      missing: ['customerNumber', 'actualQuantity'],
    });
  });

  it('refuses facts that do not fit §7.8', () => {
    const r = buildHongxunSignFor(pickedUpEvent(), { ...FACTS, actualQuantity: 1.5 }, options, { nowMs: NOW, clockOffsetMs: 0 });
    expect(r).toMatchObject({ ok: false, reason: 'invalid-facts' });
  });

  it('carries full product lines; null members follow the jsonNulls switch', () => {
    expect(hongxunSignForProductSchema.parse(FULL_PRODUCT_LINE)).toEqual(FULL_PRODUCT_LINE);
    const facts = { ...FACTS, productList: [FULL_PRODUCT_LINE] };
    const keep = buildHongxunSignFor(pickedUpEvent(), facts, options, { nowMs: NOW, clockOffsetMs: 0 });
    const omit = buildHongxunSignFor(pickedUpEvent(), facts, { ...options, jsonNulls: 'omit' }, { nowMs: NOW, clockOffsetMs: 0 });
    if (!keep.ok || !omit.ok) throw new Error('expected both to build');
    expect(keep.body).toContain('"unitWeight":null');
    expect(omit.body).not.toContain('unitWeight');
    expect(keep.envelope.sign).not.toBe(omit.envelope.sign);
  });
});

describe('verifyHongxunEnvelope (mock-server side; inference for Hongxun pushes)', () => {
  const verifyOptions = options;
  const built = buildHongxunSignFor(pickedUpEvent(), FACTS, options, { nowMs: NOW, clockOffsetMs: 0 });
  if (!built.ok) throw new Error('fixture');
  const body = JSON.parse(built.body) as Record<string, unknown>;

  it('accepts our own push', () => {
    expect(verifyHongxunEnvelope(body, verifyOptions, { nowMs: NOW, clockOffsetMs: 0 }).ok).toBe(true);
  });

  it('rejects a tampered request or a wrong key', () => {
    const tampered = { ...body, request: { ...(body.request as object), actualQuantity: 2 } };
    expect(verifyHongxunEnvelope(tampered, verifyOptions, { nowMs: NOW, clockOffsetMs: 0 })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyHongxunEnvelope(body, { ...verifyOptions, sk: 'other' }, { nowMs: NOW, clockOffsetMs: 0 })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('applies the documented 10-minute window, on the offset-corrected clock', () => {
    expect(verifyHongxunEnvelope(body, verifyOptions, { nowMs: NOW + 600_000, clockOffsetMs: 0 }).ok).toBe(true);
    expect(verifyHongxunEnvelope(body, verifyOptions, { nowMs: NOW + 601_000, clockOffsetMs: 0 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifyHongxunEnvelope(body, verifyOptions, { nowMs: NOW + 601_000, clockOffsetMs: -601_000 }).ok).toBe(true);
  });

  it('rejects a body that is not the envelope', () => {
    const { request: _r, ...noRequest } = body;
    expect(verifyHongxunEnvelope(noRequest, verifyOptions, { nowMs: NOW, clockOffsetMs: 0 })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyHongxunEnvelope({ ...body, timestamp: '1709287200' }, verifyOptions, { nowMs: NOW, clockOffsetMs: 0 })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('parseHongxunResponse (§4)', () => {
  it('parses the documented example as success', () => {
    expect(parseHongxunResponse(JSON.parse(RESPONSE_EXAMPLE))).toEqual({ ok: true, response: { code: 200, message: '响应成功', flag: true } });
  });

  it('reports flag=false as rejected and other bodies as malformed', () => {
    expect(parseHongxunResponse({ code: 500, message: '签名错误', flag: false })).toMatchObject({ ok: false, kind: 'rejected', code: 500, message: '签名错误' });
    expect(parseHongxunResponse({ code: 200 })).toMatchObject({ ok: false, kind: 'malformed' });
  });
});

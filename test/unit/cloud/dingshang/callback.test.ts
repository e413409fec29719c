import { describe, expect, it } from 'vitest';
import { notifyUrlWithToken, verifyDeliveryCallback, type CallbackAuth } from '../../../../src/cloud/dingshang/callback.js';
import { computeSign, toSignParams } from '../../../../src/cloud/dingshang/signer.js';
import { callbackExample } from './fixtures.js';

const token = { param: 't', value: 's3cret-token' };
const tokenAuth: CallbackAuth = { urlToken: token };
const url = '/dingshang/notify?t=s3cret-token';

/** A body signed the way §2 would sign it, for the UNVERIFIED 'section-2' mode. */
function signedBody(fields: Record<string, unknown>, appKey: string): Record<string, unknown> {
  const params = toSignParams(fields);
  if (params === null) throw new Error('unsignable fixture');
  return { ...fields, sign: computeSign(params, appKey) };
}

describe('dingshang callback: device.delivery.response (§10)', () => {
  it('accepts the §10 example with the right token and acknowledges with 200', () => {
    const v = verifyDeliveryCallback({ url, body: callbackExample }, tokenAuth);
    expect(v).toMatchObject({
      kind: 'delivery',
      result: { orderId: 60, recordId: 78, outcome: 'failed', laneStatus: '3', failReason: 'Slave Comm Error' },
      reply: { status: 200, body: '' },
    });
  });

  it('reads raw bytes too, and an absolute request URL', () => {
    const v = verifyDeliveryCallback({ url: `https://relay.example.com${url}`, body: new TextEncoder().encode(callbackExample) }, tokenAuth);
    expect(v.kind).toBe('delivery');
  });

  it('rejects a missing or wrong token with 401 before parsing', () => {
    expect(verifyDeliveryCallback({ url: '/dingshang/notify', body: callbackExample }, tokenAuth)).toMatchObject({ kind: 'rejected', reason: 'bad-token', reply: { status: 401 } });
    expect(verifyDeliveryCallback({ url: '/dingshang/notify?t=s3cret-tokeN', body: callbackExample }, tokenAuth)).toMatchObject({ kind: 'rejected', reason: 'bad-token' });
    expect(verifyDeliveryCallback({ url: '/dingshang/notify?t=', body: 'not json' }, tokenAuth)).toMatchObject({ reason: 'bad-token' });
  });

  it('success outcome; fail_reason accepted as the table heading names it', () => {
    const ok = verifyDeliveryCallback({ url, body: JSON.stringify({ method: 'device.delivery.response', order_id: 61, record_id: 79, deliver_status: '1', floor_status: '1', error_msg: '' }) }, tokenAuth);
    expect(ok).toMatchObject({ kind: 'delivery', result: { outcome: 'dispensed', failReason: '' } });
    const alt = verifyDeliveryCallback({ url, body: JSON.stringify({ method: 'device.delivery.response', order_id: 61, deliver_status: '0', fail_reason: 'Goods are Stuck' }) }, tokenAuth);
    expect(alt).toMatchObject({ kind: 'delivery', result: { outcome: 'failed', failReason: 'Goods are Stuck', recordId: null } });
    const odd = verifyDeliveryCallback({ url, body: JSON.stringify({ method: 'device.delivery.response', order_id: 61, deliver_status: '2' }) }, tokenAuth);
    expect(odd).toMatchObject({ result: { outcome: 'other' } });
  });

  it('not JSON → 400; authentic but undocumented pushes → acknowledged and kept raw', () => {
    expect(verifyDeliveryCallback({ url, body: 'deliver_status=1' }, tokenAuth)).toMatchObject({ kind: 'rejected', reason: 'not-json-object', reply: { status: 400 }, rawBody: 'deliver_status=1' });
    const other = { method: 'order.expired', order_id: 60 };
    expect(verifyDeliveryCallback({ url, body: JSON.stringify(other) }, tokenAuth)).toEqual({ kind: 'unrecognised', raw: other, reply: { status: 200, body: '' } });
  });

  it('the token cannot detect a tampered body (why section-2 exists as an option)', () => {
    const tampered = callbackExample.replace('"deliver_status":"0"', '"deliver_status":"1"');
    expect(verifyDeliveryCallback({ url, body: tampered }, tokenAuth)).toMatchObject({ kind: 'delivery', result: { outcome: 'dispensed' } });
  });

  it('ack body is configurable (§10 names none)', () => {
    expect(verifyDeliveryCallback({ url, body: callbackExample }, { ...tokenAuth, ackBody: 'success' }).reply).toEqual({ status: 200, body: 'success' });
  });

  it('builds our notify_url with the token', () => {
    expect(notifyUrlWithToken('https://relay.example.com/dingshang/notify?cab=1', 't', 'a b&c')).toBe('https://relay.example.com/dingshang/notify?cab=1&t=a+b%26c');
  });
});

describe('dingshang callback: optional §2 signature (UNVERIFIED §10/§12 item 4)', () => {
  const appKey = 'kva';
  const auth: CallbackAuth = { urlToken: token, signature: { kind: 'section-2', appKey } };
  const fields = JSON.parse(callbackExample) as Record<string, unknown>;

  it('good signature → delivery', () => {
    expect(verifyDeliveryCallback({ url, body: JSON.stringify(signedBody(fields, appKey)) }, auth)).toMatchObject({ kind: 'delivery', result: { orderId: 60 } });
  });

  it('bad signature (wrong key) → 401', () => {
    expect(verifyDeliveryCallback({ url, body: JSON.stringify(signedBody(fields, 'other')) }, auth)).toMatchObject({ kind: 'rejected', reason: 'bad-signature', reply: { status: 401 } });
  });

  it('tampered body → 401', () => {
    const body = { ...signedBody(fields, appKey), deliver_status: '1' };
    expect(verifyDeliveryCallback({ url, body: JSON.stringify(body) }, auth)).toMatchObject({ kind: 'rejected', reason: 'bad-signature' });
    const bumped = { ...signedBody(fields, appKey), order_id: 61 };
    expect(verifyDeliveryCallback({ url, body: JSON.stringify(bumped) }, auth)).toMatchObject({ kind: 'rejected', reason: 'bad-signature' });
  });

  it('unsigned body (the documented example) → 401 missing-signature', () => {
    expect(verifyDeliveryCallback({ url, body: callbackExample }, auth)).toMatchObject({ kind: 'rejected', reason: 'missing-signature' });
  });

  it('works without a URL token when a relay already authenticated the call', () => {
    const relayAuth: CallbackAuth = { urlToken: null, signature: { kind: 'section-2', appKey } };
    expect(verifyDeliveryCallback({ url: '/x', body: JSON.stringify(signedBody(fields, appKey)) }, relayAuth).kind).toBe('delivery');
  });
});

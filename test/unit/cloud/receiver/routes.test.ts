import { describe, expect, it } from 'vitest';
import { computeSign, toSignParams } from '../../../../src/cloud/dingshang/signer.js';
import { canonicalJson } from '../../../../src/cloud/common/canonical-json.js';
import { contentKey } from '../../../../src/cloud/receiver/content-key.js';
import { ReceiverError } from '../../../../src/cloud/receiver/errors.js';
import { callbackRoutes, dingshangRoute, yopointRoute, type RouteVerdict } from '../../../../src/cloud/receiver/routes.js';
import { DS_CALLBACK, DS_TOKEN, formBody, NOW, ORDER_PAID_BIZ, SENT_S, yopointForm, yopointOptions } from './helpers.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const yopoint = yopointRoute(yopointOptions);
const yp = (body: string | Uint8Array, now = NOW): RouteVerdict => yopoint.handle({ target: '/yopoint/notify', headers: {}, body: typeof body === 'string' ? enc(body) : body }, now);

const OK_BODY = '{"error_code":0,"error_msg":"SUCCESS","data":{}}';
const refusedWith = (msg: string): string => JSON.stringify({ error_code: -1, error_msg: msg, data: {} });

function accepted(v: RouteVerdict): Extract<RouteVerdict, { verdict: 'accept' }> {
  if (v.verdict !== 'accept') throw new Error(`refused: ${v.status} ${v.reason}`);
  return v;
}

describe('yopoint route (docs/vendors/yopoint.md §2.2, §5)', () => {
  it('the self-derived §2.2 vector (yopoint README) as a form body → accept, §9 dedupe key, §5 reply', () => {
    // Same fields and sign as test/unit/cloud/yopoint/notify.test.ts ORDER_SIMPLE: hashed by hand with md5sum.
    const body = formBody({
      appid: '930859529955',
      method: 'notify.cabinet.order.simple',
      biz_content: JSON.stringify(ORDER_PAID_BIZ),
      timestamp: String(SENT_S),
      sign_type: 'md5',
      sign: '76e329ea04415711ed25adb4a85d10d7',
    });
    const v = accepted(yp(body));
    expect(v.command).toEqual({ commandId: 'yopoint:notify.cabinet.order.simple:VI231228102118586561', source: 'yopoint', type: 'order-paid', receivedAt: NOW });
    expect(v.content).toMatchObject({ source: 'yopoint', event: { type: 'order-paid', orderRef: 'VI231228102118586561', cabinetRef: '5f6da2362201410011fe7b72', paidAtMs: 1_703_730_094_000 } });
    expect(v.answer).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: OK_BODY });
  });

  it('notify.close.door and notify.cabinet.changed key on ReceiptNo / RequestID (§9)', () => {
    const door = accepted(yp(formBody(yopointForm('notify.close.door', { Status: 1, ReceiptNo: 'OD1', Msg: 'ok' }))));
    expect(door.command).toMatchObject({ commandId: 'yopoint:notify.close.door:OD1', type: 'door-close-report' });
    const changed = accepted(yp(formBody(yopointForm('notify.cabinet.changed', { RequestID: 'fa0b2403-c369-49ca-8445-68822811f140', OnlineStatus: 1 }))));
    expect(changed.command).toMatchObject({ commandId: 'yopoint:notify.cabinet.changed:fa0b2403-c369-49ca-8445-68822811f140', type: 'cabinet-changed' });
  });

  it('an authentic but unhandled method is recorded under a content key (not its sign) and answered -1 ERR_UNSUPPORTED', () => {
    const form = yopointForm('notify.other', {});
    const v = accepted(yp(formBody(form)));
    // sha256 of {"appid":"930859529955","biz_content":"{}","method":"notify.other","sign_type":"md5","timestamp":"1703730100"}, by sha256sum.
    expect(v.command.commandId).toBe('yopoint:notify.other:sha256:b595d07cf06f998c8b8c62b80ab3e5aa8d6916821cb4332bcc60a74a29015659');
    expect(v.command.commandId).not.toContain(form.sign);
    expect(v.content.commandId).toBe(v.command.commandId);
    expect(v.command.type).toBe('unrecognised');
    expect(v.answer).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: refusedWith('ERR_UNSUPPORTED') });
    // Field order and percent-encoding of the form do not change the key.
    const reordered = Object.entries(form).reverse().map(([k, val]) => `${encodeURIComponent(k)}=${encodeURIComponent(val)}`).join('&');
    expect(accepted(yp(reordered)).command.commandId).toBe(v.command.commandId);
  });

  it.each([
    ['a wrong secret', formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ, { secret: 'other-secret' })), 401, 'ERR_SIGN'],
    ['a tampered biz_content', formBody({ ...yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ), biz_content: JSON.stringify({ ...ORDER_PAID_BIZ, ReceiptNo: 'VI9' }) }), 401, 'ERR_SIGN'],
    ['an unknown sign_type', formBody({ ...yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ), sign_type: 'sha256' }), 401, 'ERR_SIGN_TYPE'],
    ['no sign', formBody(Object.fromEntries(Object.entries(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ)).filter(([k]) => k !== 'sign'))), 400, 'ERR_PARAMS'],
    ['a repeated key', `${formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ))}&method=notify.close.door`, 400, 'ERR_PARAMS'],
    ['JSON instead of a form', JSON.stringify(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ)), 400, 'ERR_PARAMS'],
  ])('refuses %s → %i %s', (_what, body, status, msg) => {
    expect(yp(body)).toMatchObject({ verdict: 'refuse', status, answer: { status, body: refusedWith(msg) } });
  });

  it('refuses a body that is not UTF-8 → 400', () => {
    expect(yp(Uint8Array.of(0x61, 0x3d, 0xff, 0xfe))).toMatchObject({ verdict: 'refuse', status: 400, reason: 'malformed: body is not UTF-8' });
  });

  it('refuses a stale notification only when a window is configured (UNVERIFIED §2.4)', () => {
    const body = formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ));
    const later = NOW + 3_600_000;
    expect(yp(body, later).verdict).toBe('accept');
    const strict = yopointRoute({ ...yopointOptions, notifyMaxSkewMs: 60_000 });
    expect(strict.handle({ target: '/', headers: {}, body: enc(body) }, later)).toMatchObject({ verdict: 'refuse', status: 401, answer: { body: refusedWith('ERR_TIMESTAMP') } });
  });

  it('refusal reasons carry no secret and no sign', () => {
    const form = yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ, { secret: 'other-secret' });
    const v = yp(formBody(form));
    if (v.verdict !== 'refuse') throw new Error('accepted');
    expect(v.reason).not.toContain(form.sign);
    expect(v.reason).not.toContain(yopointOptions.appSecret);
  });

  it('server-side refusals keep the §5 reply shape', () => {
    expect(yopoint.refusal('too-large')).toEqual({ status: 413, contentType: 'application/json; charset=utf-8', body: refusedWith('ERR_PARAMS') });
    expect(yopoint.refusal('inbox-unavailable')).toEqual({ status: 503, contentType: 'application/json; charset=utf-8', body: refusedWith('ERR_SYSTEM') });
  });
});

describe('dingshang route (docs/vendors/dingshang.md §10)', () => {
  const route = dingshangRoute({ urlToken: DS_TOKEN });
  const target = `/dingshang/delivery?${DS_TOKEN.param}=${DS_TOKEN.value}`;
  const ds = (body: string, t = target): RouteVerdict => route.handle({ target: t, headers: {}, body: enc(body) }, NOW);
  // sha256sum of the §10 example, whose keys are already sorted and which has no sign.
  const EXAMPLE_KEY = 'dingshang:sha256:927b58970762ed101ff9a68bf37dd26184fa5c317f9c7d8e22db3556a517ba5b';

  it('the §10 example with our token → accept, content key, 200 with the empty ack', () => {
    const v = accepted(ds(DS_CALLBACK));
    expect(v.command).toEqual({ commandId: EXAMPLE_KEY, source: 'dingshang', type: 'delivery-result', receivedAt: NOW });
    expect(v.content).toEqual({
      source: 'dingshang',
      commandId: EXAMPLE_KEY,
      vendorMethod: 'device.delivery.response',
      event: { type: 'delivery-result', orderId: 60, recordId: 78, outcome: 'failed', laneStatus: '3', failReason: 'Slave Comm Error' },
      raw: JSON.parse(DS_CALLBACK) as unknown,
    });
    expect(v.answer).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: '' });
  });

  it('the key ignores key order and whitespace, and changes with the content', () => {
    const shuffled = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(DS_CALLBACK) as Record<string, unknown>).reverse()), null, 2);
    expect(accepted(ds(shuffled)).command.commandId).toBe(EXAMPLE_KEY);
    expect(accepted(ds(DS_CALLBACK.replace('"deliver_status":"0"', '"deliver_status":"1"'))).command.commandId).not.toBe(EXAMPLE_KEY);
  });

  it('an authentic undocumented push is recorded as unrecognised and acknowledged', () => {
    const v = accepted(ds('{"method":"order.expired","order_id":60}'));
    expect(v.command.type).toBe('unrecognised');
    expect(v.content).toMatchObject({ vendorMethod: 'order.expired', event: { type: 'unrecognised' } });
    expect(v.answer.status).toBe(200);
  });

  it.each([
    ['no token', '/dingshang/delivery', DS_CALLBACK, 401],
    ['a wrong token', '/dingshang/delivery?t=dingshang-url-token-0002', DS_CALLBACK, 401],
    ['a body that is not JSON', target, 'deliver_status=1', 400],
    ['a JSON array', target, '[1]', 400],
  ])('refuses %s', (_what, t, body, status) => {
    expect(ds(body, t)).toMatchObject({ verdict: 'refuse', status, answer: { status } });
  });

  it('with the UNVERIFIED §2 signature on: the sign is checked and left out of the key', () => {
    const appKey = 'kva';
    const signedRoute = dingshangRoute({ urlToken: DS_TOKEN, signature: { kind: 'section-2', appKey } });
    const fields = JSON.parse(DS_CALLBACK) as Record<string, unknown>;
    const params = toSignParams(fields);
    if (params === null) throw new Error('unsignable');
    const good = JSON.stringify({ ...fields, sign: computeSign(params, appKey) });
    const v = accepted(signedRoute.handle({ target, headers: {}, body: enc(good) }, NOW));
    expect(v.command.commandId).toBe(EXAMPLE_KEY);
    const bad = JSON.stringify({ ...fields, sign: computeSign(params, 'other') });
    expect(signedRoute.handle({ target, headers: {}, body: enc(bad) }, NOW)).toMatchObject({ verdict: 'refuse', status: 401, reason: 'bad-signature' });
  });

  it('refuses to build a route that authenticates nothing, or with a short token', () => {
    expect(() => dingshangRoute({ urlToken: null })).toThrow(ReceiverError);
    expect(() => dingshangRoute({ urlToken: null, signature: { kind: 'none' } })).toThrow(expect.objectContaining({ code: 'unauthenticated-route' }) as Error);
    expect(() => dingshangRoute({ urlToken: { param: 't', value: 'short' } })).toThrow(expect.objectContaining({ code: 'unauthenticated-route' }) as Error);
    expect(dingshangRoute({ urlToken: null, signature: { kind: 'section-2', appKey: 'kva' } }).path).toBe('/dingshang/delivery');
  });
});

describe('callbackRoutes', () => {
  it('enables a route per configured vendor only', () => {
    expect(callbackRoutes({})).toEqual([]);
    expect(callbackRoutes({ yopoint: null, dingshang: null })).toEqual([]);
    expect(callbackRoutes({ yopoint: yopointOptions }).map((r) => r.path)).toEqual(['/yopoint/notify']);
    expect(callbackRoutes({ yopoint: yopointOptions, dingshang: { urlToken: DS_TOKEN } }).map((r) => [r.vendor, r.path])).toEqual([
      ['yopoint', '/yopoint/notify'],
      ['dingshang', '/dingshang/delivery'],
    ]);
  });
});

describe('content keys', () => {
  it('canonical JSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('contentKey is sha256 of the canonical JSON', () => {
    expect(contentKey(JSON.parse(DS_CALLBACK) as Record<string, unknown>)).toBe('sha256:927b58970762ed101ff9a68bf37dd26184fa5c317f9c7d8e22db3556a517ba5b');
  });

  it('refuses a cycle', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => contentKey(a)).toThrow(TypeError);
  });
});

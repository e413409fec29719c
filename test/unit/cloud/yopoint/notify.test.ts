import { describe, expect, it } from 'vitest';
import { yopointOptionsSchema } from '../../../../src/cloud/yopoint/config.js';
import { mapYopointNotification } from '../../../../src/cloud/yopoint/mapper.js';
import { decodeYopointForm, verifyYopointNotification, yopointNotifyAnswer } from '../../../../src/cloud/yopoint/callback.js';
import { yopointNotifyAnswerSchema } from '../../../../src/cloud/yopoint/schemas.js';
import { yopointSign } from '../../../../src/cloud/yopoint/signer.js';
import { CABINET_CHANGED_BIZ, CABINET_CHANGED_DOC_STYLE } from './fixtures.js';

const options = yopointOptionsSchema.parse({ appid: '930859529955', appSecret: 'kiosk-test-secret-0001' });
const SENT_S = 1_703_730_100;
const NOW = SENT_S * 1000 + 2_000;

/** The self-derived §2.2 vector of signer.test.ts, as the webhook form. */
const ORDER_SIMPLE = {
  appid: '930859529955',
  method: 'notify.cabinet.order.simple',
  biz_content: '{"ReceiptNo":"VI231228102118586561","CID":"5f6da2362201410011fe7b72","PayTime":1703730094}',
  timestamp: String(SENT_S),
  sign_type: 'md5',
  sign: '76e329ea04415711ed25adb4a85d10d7',
};

/** A notification signed as §2.2 says (five fields), for payloads without a hand-made vector. */
function signed(method: string, biz: unknown, timestamp = String(SENT_S), secret = options.appSecret): Record<string, string> {
  const unsigned = { appid: options.appid, method, biz_content: typeof biz === 'string' ? biz : JSON.stringify(biz), timestamp, sign_type: 'md5' };
  return { ...unsigned, sign: yopointSign(unsigned, secret) };
}

describe('verifyYopointNotification (§2.2, §5)', () => {
  it('accepts the vector and parses notify.cabinet.order.simple (§5.1)', () => {
    const v = verifyYopointNotification(ORDER_SIMPLE, options, NOW);
    if (!v.ok || !v.notification.known || v.notification.method !== 'notify.cabinet.order.simple') throw new Error(JSON.stringify(v));
    expect(v.notification.biz).toEqual({ ReceiptNo: 'VI231228102118586561', CID: '5f6da2362201410011fe7b72', PayTime: 1_703_730_094 });
    expect(v.notification.sentAtMs).toBe(SENT_S * 1000);
    expect(v.notification.raw).toEqual(ORDER_SIMPLE);
  });

  it('accepts an upper-case sign', () => {
    expect(verifyYopointNotification({ ...ORDER_SIMPLE, sign: ORDER_SIMPLE.sign.toUpperCase() }, options, NOW).ok).toBe(true);
  });

  it('rejects a wrong secret', () => {
    const v = verifyYopointNotification(ORDER_SIMPLE, { ...options, appSecret: 'other' }, NOW);
    expect(v).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['biz_content', ORDER_SIMPLE.biz_content.replace('VI231228102118586561', 'VI231228102118586562')],
    ['timestamp', String(SENT_S + 1)],
    ['method', 'notify.close.door'],
    ['appid', '930859529956'],
  ])('rejects a tampered %s', (field, value) => {
    expect(verifyYopointNotification({ ...ORDER_SIMPLE, [field]: value }, options, NOW)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('signs exactly the §2.2 five by default; all-received signs extra fields too', () => {
    // An extra, unsigned field does not break the documented check.
    expect(verifyYopointNotification({ ...ORDER_SIMPLE, extra: 'x' }, options, NOW).ok).toBe(true);
    // A sender that signed a `version` too passes only under all-received.
    const withVersion = { ...ORDER_SIMPLE, version: '1.0.0' };
    const six = { ...withVersion, sign: yopointSign(withVersion, options.appSecret) };
    expect(verifyYopointNotification(six, options, NOW)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyYopointNotification(six, { ...options, notifySignedFields: 'all-received' }, NOW).ok).toBe(true);
  });

  it('rejects a missing field or another sign_type', () => {
    const { sign: _sign, ...noSign } = ORDER_SIMPLE;
    expect(verifyYopointNotification(noSign, options, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyYopointNotification({ ...ORDER_SIMPLE, sign_type: 'sha256' }, options, NOW)).toMatchObject({ ok: false, reason: 'unsupported-sign-type' });
  });
});

describe('freshness and the timestamp unit (§2.4)', () => {
  const day = 86_400_000;

  it('checks no window by default: none is documented for webhooks', () => {
    expect(verifyYopointNotification(ORDER_SIMPLE, options, NOW + 30 * day).ok).toBe(true);
  });

  it('rejects a stale notification once a window is configured', () => {
    const windowed = { ...options, notifyMaxSkewMs: 60_000 };
    expect(verifyYopointNotification(ORDER_SIMPLE, windowed, NOW).ok).toBe(true);
    expect(verifyYopointNotification(ORDER_SIMPLE, windowed, SENT_S * 1000 + 60_001)).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifyYopointNotification(ORDER_SIMPLE, windowed, SENT_S * 1000 - 60_001)).toMatchObject({ ok: false, reason: 'stale' });
  });

  it('reads a millisecond timestamp only when the unit is ms', () => {
    const inMs = signed('notify.cabinet.order.simple', JSON.parse(ORDER_SIMPLE.biz_content), String(SENT_S * 1000));
    expect(verifyYopointNotification(inMs, { ...options, notifyMaxSkewMs: 60_000 }, NOW)).toMatchObject({ ok: false, reason: 'stale' });
    const ok = verifyYopointNotification(inMs, { ...options, timestampUnit: 'ms', notifyMaxSkewMs: 60_000 }, NOW);
    expect(ok.ok && ok.notification.sentAtMs).toBe(SENT_S * 1000);
  });

  it('treats an unreadable timestamp as malformed only when checking freshness', () => {
    const odd = signed('notify.cabinet.order.simple', JSON.parse(ORDER_SIMPLE.biz_content), '2023-12-28');
    const v = verifyYopointNotification(odd, options, NOW);
    expect(v.ok && v.notification.sentAtMs).toBeNull();
    expect(verifyYopointNotification(odd, { ...options, notifyMaxSkewMs: 60_000 }, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('the other documented notifications', () => {
  it('notify.close.door (§5.3)', () => {
    const v = verifyYopointNotification(signed('notify.close.door', { Status: 1, ReceiptNo: 'VI231228102118586561', Msg: '关门' }), options, NOW);
    expect(v.ok && v.notification.known && v.notification.method).toBe('notify.close.door');
  });

  it('notify.cabinet.changed (§5.4) with the spec values', () => {
    const v = verifyYopointNotification(signed('notify.cabinet.changed', CABINET_CHANGED_BIZ), options, NOW);
    if (!v.ok || !v.notification.known || v.notification.method !== 'notify.cabinet.changed') throw new Error(JSON.stringify(v));
    expect(v.notification.biz.Location).toEqual([113.93, 22.53]);
    expect(v.notification.biz.Code).toBe('108284445710');
  });

  it('an authentic but unknown method, or a biz_content that is not JSON, stays authentic and unrecognised', () => {
    const vending = verifyYopointNotification(signed('notify.consumer.order.simple', { ReceiptNo: 'x', TID: 't', ShipmentsStatus: 1, ShipmentsError: '' }), options, NOW);
    expect(vending).toMatchObject({ ok: true, notification: { known: false, method: 'notify.consumer.order.simple', problem: 'method not handled' } });
    const docStyle = verifyYopointNotification(signed('notify.cabinet.changed', CABINET_CHANGED_DOC_STYLE), options, NOW);
    expect(docStyle).toMatchObject({ ok: true, notification: { known: false } });
    const missing = verifyYopointNotification(signed('notify.close.door', { Status: 1 }), options, NOW);
    expect(missing).toMatchObject({ ok: true, notification: { known: false, method: 'notify.close.door' } });
  });
});

describe('answers (§5 返回结果结构)', () => {
  it('acknowledges a handled notification with exactly the documented envelope', () => {
    const answer = yopointNotifyAnswer(verifyYopointNotification(ORDER_SIMPLE, options, NOW));
    expect(JSON.stringify(answer)).toBe('{"error_code":0,"error_msg":"SUCCESS","data":{}}');
    expect(yopointNotifyAnswerSchema.parse(answer)).toEqual(answer);
  });

  it('answers non-zero to a bad signature, a stale or an unrecognised notification', () => {
    const bad = yopointNotifyAnswer(verifyYopointNotification({ ...ORDER_SIMPLE, sign: '0'.repeat(32) }, options, NOW));
    expect(bad).toEqual({ error_code: -1, error_msg: 'ERR_SIGN', data: {} });
    const stale = yopointNotifyAnswer(verifyYopointNotification(ORDER_SIMPLE, { ...options, notifyMaxSkewMs: 1 }, NOW));
    expect(stale.error_msg).toBe('ERR_TIMESTAMP');
    const unknown = yopointNotifyAnswer(verifyYopointNotification(signed('notify.other', {}), options, NOW));
    expect(unknown).toEqual({ error_code: -1, error_msg: 'ERR_UNSUPPORTED', data: {} });
  });
});

describe('decodeYopointForm', () => {
  it('decodes the form body and verifies it', () => {
    const form = decodeYopointForm(new URLSearchParams(ORDER_SIMPLE).toString());
    expect(form).toEqual(ORDER_SIMPLE);
    expect(form && verifyYopointNotification(form, options, NOW).ok).toBe(true);
  });

  it('refuses a repeated key', () => {
    expect(decodeYopointForm('sign=a&sign=b')).toBeNull();
  });
});

describe('mapYopointNotification → inbox shape', () => {
  const map = (form: Record<string, string>) => {
    const v = verifyYopointNotification(form, options, NOW);
    if (!v.ok) throw new Error(v.detail);
    return mapYopointNotification(v.notification);
  };

  it('order paid, keyed by method + ReceiptNo, raw kept', () => {
    expect(map(ORDER_SIMPLE)).toEqual({
      source: 'yopoint',
      commandId: 'yopoint:notify.cabinet.order.simple:VI231228102118586561',
      vendorMethod: 'notify.cabinet.order.simple',
      sentAtMs: SENT_S * 1000,
      event: { type: 'order-paid', orderRef: 'VI231228102118586561', cabinetRef: '5f6da2362201410011fe7b72', paidAtMs: 1_703_730_094_000 },
      raw: ORDER_SIMPLE,
    });
  });

  it('door close report: Status 1 / 2 / undocumented', () => {
    const door = (Status: number) => map(signed('notify.close.door', { Status, ReceiptNo: 'R9', Msg: 'm' })).event;
    expect(door(1)).toEqual({ type: 'door-close-report', orderRef: 'R9', doorOpened: true, message: 'm' });
    expect(door(2)).toMatchObject({ doorOpened: false });
    expect(door(3)).toMatchObject({ doorOpened: null });
  });

  it('cabinet changed, keyed by RequestID', () => {
    const m = map(signed('notify.cabinet.changed', CABINET_CHANGED_BIZ));
    expect(m.commandId).toBe('yopoint:notify.cabinet.changed:fa0b2403-c369-49ca-8445-68822811f140');
    expect(m.event).toEqual({ type: 'cabinet-changed', name: '测试柜', deviceCode: 'A001', productionCode: '108284445710', online: true, sellState: 'selling', powered: true, doorCount: 4 });
    const sparse = map(signed('notify.cabinet.changed', { RequestID: 'r2', SellStatus: 7 })).event;
    expect(sparse).toMatchObject({ name: null, online: null, sellState: 'unknown', powered: null, doorCount: null });
  });

  it('unrecognised keeps the raw form and keys on the sign', () => {
    const form = signed('notify.other', { a: 1 });
    const m = map(form);
    expect(m.event).toEqual({ type: 'unrecognised', problem: 'method not handled' });
    expect(m.commandId).toBe(`yopoint:notify.other:sign:${form.sign}`);
    expect(m.raw).toEqual(form);
  });
});

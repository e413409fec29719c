import { describe, expect, it } from 'vitest';
import { yopointOptionsSchema } from '../../../src/cloud/yopoint/config.js';
import { decodeYopointForm, verifyYopointNotification } from '../../../src/cloud/yopoint/callback.js';
import { buildYopointNotification } from '../../../tools/mock-cloud/yopoint-notify.js';
import { CABINET_CHANGED_BIZ } from '../cloud/yopoint/fixtures.js';

const options = yopointOptionsSchema.parse({ appid: '930859529955', appSecret: 'kiosk-test-secret-0001' });
const SENT_S = 1_703_730_100;

describe('buildYopointNotification (§5, §2.2)', () => {
  it('reproduces the self-derived §2.2 vector of signer.test.ts', () => {
    const n = buildYopointNotification(options, 'notify.cabinet.order.simple', { ReceiptNo: 'VI231228102118586561', CID: '5f6da2362201410011fe7b72', PayTime: 1_703_730_094 }, SENT_S * 1000 + 999);
    expect(n.params).toEqual({
      appid: '930859529955',
      method: 'notify.cabinet.order.simple',
      biz_content: '{"ReceiptNo":"VI231228102118586561","CID":"5f6da2362201410011fe7b72","PayTime":1703730094}',
      timestamp: String(SENT_S),
      sign_type: 'md5',
      sign: '76e329ea04415711ed25adb4a85d10d7',
    });
    expect(n.contentType).toBe('application/x-www-form-urlencoded');
    // §2.2: no `version` on a notification.
    expect(Object.keys(n.params)).not.toContain('version');
  });

  it.each([
    ['notify.cabinet.order.simple', { ReceiptNo: 'R1', CID: 'C1', PayTime: 1_703_730_094 }],
    ['notify.close.door', { Status: 2, ReceiptNo: 'R1', Msg: '门未打开' }],
    ['notify.cabinet.changed', CABINET_CHANGED_BIZ],
  ] as const)('%s round-trips through verifyYopointNotification, in s and in ms', (method, biz) => {
    for (const unit of ['s', 'ms'] as const) {
      const o = { ...options, timestampUnit: unit, notifyMaxSkewMs: 60_000 };
      const n = buildYopointNotification(o, method, biz as never, SENT_S * 1000);
      const form = decodeYopointForm(n.body);
      if (form === null) throw new Error('form');
      const v = verifyYopointNotification(form, o, SENT_S * 1000 + 1_000);
      if (!v.ok || !v.notification.known) throw new Error(JSON.stringify(v));
      expect(v.notification.method).toBe(method);
      expect(v.notification.biz).toEqual(biz);
      // The other secret or the other unit fails.
      expect(verifyYopointNotification(form, { ...o, appSecret: 'other' }, SENT_S * 1000).ok).toBe(false);
      expect(verifyYopointNotification(form, { ...o, timestampUnit: unit === 's' ? 'ms' : 's' }, SENT_S * 1000)).toMatchObject({ ok: false, reason: 'stale' });
    }
  });

  it('refuses a biz that does not fit the §5 schema', () => {
    expect(() => buildYopointNotification(options, 'notify.close.door', { Status: 1 } as never, 0)).toThrow();
  });
});

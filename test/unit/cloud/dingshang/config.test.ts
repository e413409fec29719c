import { describe, expect, it } from 'vitest';
import { callbackAuthFor, dingshangConfigSchema, notifyUrlFor } from '../../../../src/cloud/dingshang/config.js';

const minimal = {
  baseUrl: 'https://www.awish.vip',
  appId: 'dsaaa73cee5b4efce9',
  appSecret: 'secret',
  appKey: 'kva',
  machineNo: '12345678',
  notifyUrl: 'https://relay.example.com/dingshang/notify',
  callback: { urlToken: { value: 'a-long-callback-token' } },
};

describe('dingshangConfigSchema', () => {
  it('fills every switch with its documented default', () => {
    expect(dingshangConfigSchema.parse(minimal)).toEqual({
      ...minimal,
      name: 'dingshang',
      lanes: {},
      callback: { urlToken: { param: 'token', value: 'a-long-callback-token' }, signature: 'none', ackBody: '' },
      signValueMode: 'raw',
      tradeIdFormat: 'compact-uuid',
      alreadyUsedCodes: [10025],
      omittedStatus: 'unused',
      utcOffsetMinutes: 480,
      timeoutMs: 10_000,
      cabinetNames: ['A'],
      maxProductPages: 1000,
    });
  });

  it.each([
    ['an unknown key', { ...minimal, merchantId: 'x' }],
    ['a machine_no of 7 digits', { ...minimal, machineNo: '1234567' }],
    ['a machine_no with letters', { ...minimal, machineNo: '1234567a' }],
    ['plain http to another host', { ...minimal, baseUrl: 'http://www.awish.vip' }],
    ['a notify URL over plain http', { ...minimal, notifyUrl: 'http://relay.example.com/notify' }],
    ['no callback choice', { ...minimal, callback: undefined }],
    ['a short callback token', { ...minimal, callback: { urlToken: { value: 'short' } } }],
    ['an unknown sign mode', { ...minimal, signValueMode: 'hex' }],
    ['an empty AppKey', { ...minimal, appKey: '' }],
    ['a cabinet name that is not A–Z', { ...minimal, cabinetNames: ['AA'] }],
  ])('refuses %s', (_what, input) => {
    expect(dingshangConfigSchema.safeParse(input).success).toBe(false);
  });

  it('accepts plain http to a loopback host (the mock), longer machine numbers and no URL token', () => {
    const cfg = dingshangConfigSchema.parse({ ...minimal, baseUrl: 'http://127.0.0.1:8790/dingshang', machineNo: '1234567890', callback: { urlToken: null } });
    expect(cfg.baseUrl).toBe('http://127.0.0.1:8790/dingshang');
    expect(notifyUrlFor(cfg)).toBe(minimal.notifyUrl);
  });

  it('puts the callback token in our notify_url and hands the receiver the same check', () => {
    const cfg = dingshangConfigSchema.parse({ ...minimal, callback: { urlToken: { param: 't', value: 'a-long-callback-token' }, signature: 'section-2' } });
    expect(notifyUrlFor(cfg)).toBe('https://relay.example.com/dingshang/notify?t=a-long-callback-token');
    expect(callbackAuthFor(cfg)).toEqual({
      urlToken: { param: 't', value: 'a-long-callback-token' },
      signature: { kind: 'section-2', appKey: 'kva', signValues: 'raw' },
      ackBody: '',
    });
    expect(callbackAuthFor(dingshangConfigSchema.parse(minimal)).signature).toEqual({ kind: 'none' });
  });
});

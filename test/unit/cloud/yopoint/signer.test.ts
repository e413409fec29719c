import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  yopointSign,
  yopointSignBase,
  yopointSignMatches,
  yopointTimestamp,
  yopointTimestampToMs,
} from '../../../../src/cloud/yopoint/signer.js';
import { DOC_SIGN_EXAMPLE } from './fixtures.js';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

/**
 * SELF-DERIVED vectors: the vendor publishes none with a known secret (§2.1,
 * §10.4). Each was built by hand-following §2.1 / §2.2 and hashed with
 * `printf '%s' '<string>' | md5sum`, independently of this code.
 */
const SECRET = 'kiosk-test-secret-0001';

describe('yopoint sign string (§2.1 steps 1–3)', () => {
  it('rebuilds the vendor worked example byte for byte', () => {
    expect(yopointSignBase(DOC_SIGN_EXAMPLE.params)).toBe(DOC_SIGN_EXAMPLE.base);
  });

  it('hashes to the spec-stated MD5 with the literal placeholder secret', () => {
    expect(yopointSign(DOC_SIGN_EXAMPLE.params, DOC_SIGN_EXAMPLE.placeholderSecret)).toBe(DOC_SIGN_EXAMPLE.md5WithPlaceholder);
    // The vendor's published sign used a real secret: not reproducible, as §2.1 says.
    expect(yopointSign(DOC_SIGN_EXAMPLE.params, DOC_SIGN_EXAMPLE.placeholderSecret)).not.toBe(DOC_SIGN_EXAMPLE.vendorSign);
  });

  it('sorts keys, whatever order they arrive in, and leaves out sign', () => {
    const { params } = DOC_SIGN_EXAMPLE;
    const scrambled = { version: params.version, sign: 'ignored', timestamp: params.timestamp, method: params.method, appid: params.appid, sign_type: params.sign_type, biz_content: params.biz_content };
    expect(yopointSignBase(scrambled)).toBe(DOC_SIGN_EXAMPLE.base);
  });

  it('uses values raw: biz_content is not URL-encoded', () => {
    expect(yopointSignBase({ biz_content: '{"a":"b c&d"}' })).toBe('biz_content={"a":"b c&d"}');
  });

  it('includes empty values by default and drops them with emptyValues=omit', () => {
    const p = { appid: 'A', method: '', version: '1.0.0' };
    expect(yopointSignBase(p)).toBe('appid=A&method=&version=1.0.0');
    expect(yopointSignBase(p, { emptyValues: 'omit' })).toBe('appid=A&version=1.0.0');
  });
});

describe('yopoint request vectors (self-derived)', () => {
  const request = {
    appid: '930859529955',
    method: 'cabinet.order.get',
    biz_content: '{"ReceiptNo":"VI231228102118586561"}',
    version: '1.0.0',
    sign_type: 'md5',
  };

  it('timestamp in seconds', () => {
    const canonical =
      'appid=930859529955&biz_content={"ReceiptNo":"VI231228102118586561"}&method=cabinet.order.get&sign_type=md5&timestamp=1703730094&version=1.0.0';
    const params = { ...request, timestamp: '1703730094' };
    expect(yopointSignBase(params)).toBe(canonical);
    expect(yopointSign(params, SECRET)).toBe('fe86cb888e8382f1a4f208cce712476c');
    expect(md5(`${canonical}&${SECRET}`)).toBe('fe86cb888e8382f1a4f208cce712476c');
  });

  it('timestamp in milliseconds', () => {
    const canonical =
      'appid=930859529955&biz_content={"ReceiptNo":"VI231228102118586561"}&method=cabinet.order.get&sign_type=md5&timestamp=1703730094000&version=1.0.0';
    const params = { ...request, timestamp: '1703730094000' };
    expect(yopointSignBase(params)).toBe(canonical);
    expect(yopointSign(params, SECRET)).toBe('3f6f2a5f304770fd20ef20c7ddcb321b');
  });
});

describe('yopoint webhook vector (§2.2, self-derived)', () => {
  it('signs the five fields, no version', () => {
    const params = {
      appid: '930859529955',
      method: 'notify.cabinet.order.simple',
      biz_content: '{"ReceiptNo":"VI231228102118586561","CID":"5f6da2362201410011fe7b72","PayTime":1703730094}',
      timestamp: '1703730100',
      sign_type: 'md5',
    };
    const canonical =
      'appid=930859529955&biz_content={"ReceiptNo":"VI231228102118586561","CID":"5f6da2362201410011fe7b72","PayTime":1703730094}&method=notify.cabinet.order.simple&sign_type=md5&timestamp=1703730100';
    expect(yopointSignBase(params)).toBe(canonical);
    expect(yopointSign(params, SECRET)).toBe('76e329ea04415711ed25adb4a85d10d7');
  });
});

describe('yopointSignMatches', () => {
  it('is case-insensitive and rejects other lengths', () => {
    expect(yopointSignMatches('76E329EA04415711ED25ADB4A85D10D7', '76e329ea04415711ed25adb4a85d10d7')).toBe(true);
    expect(yopointSignMatches('76e329ea', '76e329ea04415711ed25adb4a85d10d7')).toBe(false);
    expect(yopointSignMatches('86e329ea04415711ed25adb4a85d10d7', '76e329ea04415711ed25adb4a85d10d7')).toBe(false);
  });
});

describe('timestamp unit switch (§2.4)', () => {
  it('formats seconds (floored) or milliseconds', () => {
    expect(yopointTimestamp(1_556_943_285_999, 's')).toBe('1556943285');
    expect(yopointTimestamp(1_556_943_545_748, 'ms')).toBe('1556943545748');
  });

  it('reads a timestamp back in the configured unit', () => {
    expect(yopointTimestampToMs('1556943285', 's')).toBe(1_556_943_285_000);
    expect(yopointTimestampToMs('1556943545748', 'ms')).toBe(1_556_943_545_748);
    expect(yopointTimestampToMs('15569x', 's')).toBeNull();
    expect(yopointTimestampToMs('', 's')).toBeNull();
  });
});

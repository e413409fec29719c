import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOLERANCE_SECONDS,
  StandardWebhookError,
  signWebhook,
  verifyWebhook,
  webhookSecretKey,
  webhookSignature,
  type IncomingHeaders,
  type StandardWebhookErrorCode,
} from '../../../../src/cloud/webhooks/signer.js';

/**
 * The example of the Standard Webhooks repository
 * (libraries/javascript/src/webhook.test.ts, "sign function works"; the same
 * values appear in the other official libraries' tests).
 */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
} as const;

const NEW_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const now = VECTOR.timestamp;

function signed(over: { secrets?: [string, ...string[]]; timestamp?: number } = {}) {
  return signWebhook({ id: VECTOR.id, timestampSeconds: over.timestamp ?? now, body: VECTOR.body, secrets: over.secrets ?? [VECTOR.secret] });
}

function refusal(fn: () => unknown): StandardWebhookErrorCode | 'accepted' {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    if (e instanceof StandardWebhookError) return e.code;
    throw e;
  }
}

const verify = (headers: IncomingHeaders, o: { body?: string | Uint8Array; secrets?: [string, ...string[]]; nowSeconds?: number; toleranceSeconds?: number } = {}) =>
  verifyWebhook({ headers, body: o.body ?? VECTOR.body, secrets: o.secrets ?? [VECTOR.secret], nowSeconds: o.nowSeconds ?? now, ...(o.toleranceSeconds === undefined ? {} : { toleranceSeconds: o.toleranceSeconds }) });

describe('Standard Webhooks signing', () => {
  it('reproduces the spec repository vector byte for byte', () => {
    expect(webhookSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('the same with a bare base64 secret, raw key bytes, or a byte body', () => {
    const bare = VECTOR.secret.slice('whsec_'.length);
    expect(webhookSignature(bare, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(webhookSignature(Buffer.from(bare, 'base64'), VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(webhookSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, new TextEncoder().encode(VECTOR.body))).toBe(VECTOR.signature);
  });

  it('the key is the base64-decoded part after whsec_ (24 bytes here), not the text', () => {
    expect(webhookSecretKey(VECTOR.secret)).toHaveLength(24);
    expect(webhookSignature(Buffer.from(VECTOR.secret), VECTOR.id, VECTOR.timestamp, VECTOR.body)).not.toBe(VECTOR.signature);
  });

  it('signWebhook builds the three headers; seconds, not ms', () => {
    expect(signed()).toEqual({ 'webhook-id': VECTOR.id, 'webhook-timestamp': '1614265330', 'webhook-signature': VECTOR.signature });
  });

  it('signs once per secret, space-separated, for rotation', () => {
    const header = signed({ secrets: [NEW_SECRET, VECTOR.secret] })['webhook-signature'].split(' ');
    expect(header).toHaveLength(2);
    expect(header[1]).toBe(VECTOR.signature);
    expect(header[0]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses secrets that are empty or not base64, ids with a dot, bad timestamps', () => {
    expect(refusal(() => webhookSecretKey('whsec_'))).toBe('bad-secret');
    expect(refusal(() => webhookSecretKey('whsec_not base64!'))).toBe('bad-secret');
    expect(refusal(() => webhookSecretKey('whsec_abc'))).toBe('bad-secret'); // bad length: Node would decode it anyway
    expect(refusal(() => webhookSecretKey(new Uint8Array()))).toBe('bad-secret');
    expect(refusal(() => signWebhook({ id: 'a.b', timestampSeconds: now, body: '', secrets: [VECTOR.secret] }))).toBe('bad-message-id');
    expect(refusal(() => signWebhook({ id: '', timestampSeconds: now, body: '', secrets: [VECTOR.secret] }))).toBe('bad-message-id');
    expect(refusal(() => signWebhook({ id: 'x', timestampSeconds: now * 1000 + 0.5, body: '', secrets: [VECTOR.secret] }))).toBe('invalid-timestamp');
  });
});

describe('Standard Webhooks verification', () => {
  it('accepts a good request and returns its id and time', () => {
    expect(verify(signed())).toEqual({ id: VECTOR.id, timestampSeconds: now });
  });

  it('accepts the published vector headers as given', () => {
    expect(verify({ 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature })).toEqual({ id: VECTOR.id, timestampSeconds: now });
  });

  it('header names are case-insensitive; a header given twice is refused', () => {
    const h = signed();
    expect(verify({ 'Webhook-Id': h['webhook-id'], 'WEBHOOK-TIMESTAMP': h['webhook-timestamp'], 'Webhook-Signature': h['webhook-signature'] }).id).toBe(VECTOR.id);
    expect(refusal(() => verify({ ...h, 'Webhook-Id': 'msg_other' }))).toBe('ambiguous-headers');
    expect(refusal(() => verify({ ...h, 'webhook-signature': [h['webhook-signature'], 'v1,x'] }))).toBe('ambiguous-headers');
  });

  it('refuses a request missing any header, or with an empty one', () => {
    const h = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _gone, ...rest } = h;
      expect(refusal(() => verify(rest))).toBe('missing-headers');
      expect(refusal(() => verify({ ...h, [name]: '' }))).toBe('missing-headers');
      expect(refusal(() => verify({ ...h, [name]: undefined }))).toBe('missing-headers');
    }
  });

  it('refuses a timestamp that is not whole seconds', () => {
    const h = signed();
    for (const bad of ['hello', '1614265330abc', '-1', '1614265330.5', ' 1614265330']) {
      expect(refusal(() => verify({ ...h, 'webhook-timestamp': bad }))).toBe('invalid-timestamp');
    }
  });

  it('tolerance: five minutes either way by default, edges included', () => {
    const h = signed();
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
    expect(refusal(() => verify(h, { nowSeconds: now + 300 }))).toBe('accepted');
    expect(refusal(() => verify(h, { nowSeconds: now + 300.9 }))).toBe('accepted'); // whole seconds, as the libraries floor now
    expect(refusal(() => verify(h, { nowSeconds: now + 301 }))).toBe('timestamp-too-old');
    expect(refusal(() => verify(h, { nowSeconds: now - 300 }))).toBe('accepted');
    expect(refusal(() => verify(h, { nowSeconds: now - 301 }))).toBe('timestamp-too-new');
  });

  it('tolerance is configurable', () => {
    const h = signed();
    expect(refusal(() => verify(h, { nowSeconds: now + 31, toleranceSeconds: 30 }))).toBe('timestamp-too-old');
    expect(refusal(() => verify(h, { nowSeconds: now + 3600, toleranceSeconds: 3600 }))).toBe('accepted');
  });

  it('the timestamp check runs before the signature: a replayed request with a good signature is refused', () => {
    expect(refusal(() => verify(signed(), { nowSeconds: now + 86_400 }))).toBe('timestamp-too-old');
  });

  it('refuses tampering with the body, the id or the timestamp', () => {
    const h = signed();
    expect(refusal(() => verify(h, { body: '{"test": 2432232315}' }))).toBe('no-matching-signature');
    expect(refusal(() => verify(h, { body: '{"test":2432232314}' }))).toBe('no-matching-signature'); // re-serialised JSON
    expect(refusal(() => verify({ ...h, 'webhook-id': 'msg_other' }))).toBe('no-matching-signature');
    expect(refusal(() => verify({ ...h, 'webhook-timestamp': String(now + 1) }))).toBe('no-matching-signature');
  });

  it('refuses bad, partial or wrongly versioned signatures', () => {
    const h = signed();
    const sig = h['webhook-signature'];
    for (const bad of ['v1,dawfeoifkpqwoekfpqoekf', sig.slice(0, 8), 'v1,', 'v1', sig.replace('v1,', 'v2,'), sig.replace('v1,', 'v1a,'), sig.replace('v1,', ''), `${sig},extra`]) {
      expect(refusal(() => verify({ ...h, 'webhook-signature': bad }))).toBe('no-matching-signature');
    }
  });

  it('accepts when any listed v1 signature matches, whatever else is listed', () => {
    const h = signed();
    const junk = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const list = [junk, junk.replace('v1,', 'v2,'), 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw==', h['webhook-signature'], junk].join(' ');
    expect(refusal(() => verify({ ...h, 'webhook-signature': list }))).toBe('accepted');
  });

  it('rotation: a receiver holding new and old secrets accepts either; one holding only the new refuses the old', () => {
    const oldOnly = signed({ secrets: [VECTOR.secret] });
    const both = signed({ secrets: [NEW_SECRET, VECTOR.secret] });
    expect(refusal(() => verify(oldOnly, { secrets: [NEW_SECRET, VECTOR.secret] }))).toBe('accepted');
    expect(refusal(() => verify(oldOnly, { secrets: [NEW_SECRET] }))).toBe('no-matching-signature');
    expect(refusal(() => verify(both, { secrets: [NEW_SECRET] }))).toBe('accepted');
    expect(refusal(() => verify(both, { secrets: [VECTOR.secret] }))).toBe('accepted');
  });

  it('a byte body verifies like its UTF-8 string', () => {
    const body = '{"name":"Zoë 📦"}';
    const h = signWebhook({ id: 'msg_1', timestampSeconds: now, body, secrets: [VECTOR.secret] });
    expect(refusal(() => verify(h, { body: Buffer.from(body, 'utf8') }))).toBe('accepted');
  });
});

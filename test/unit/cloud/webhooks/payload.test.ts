import { describe, expect, it, vi } from 'vitest';
import type { OutboundEvent } from '../../../../src/cloud/common/outbound-event.js';
import { serializeWebhookPayload, webhookPayloadFor, webhookRequestFor } from '../../../../src/cloud/webhooks/mapper.js';
import { verifyWebhook } from '../../../../src/cloud/webhooks/signer.js';
import { SEALED, storedEvent } from './fixtures.js';

const stored = storedEvent();
const lockedOut: OutboundEvent = {
  id: 'e-2', type: 'keypad.locked-out', parcelId: null, compartmentId: null, occurredAt: 0, cabinetId: 'CAB-1',
  payload: { failures: 5, lockedUntil: 60_000, source: 'keypad', at: 0 },
};
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('webhook payload (Standard Webhooks "Payload structure")', () => {
  it('is { type, timestamp (ISO, when the event happened), data = ids + payload }', () => {
    expect(webhookPayloadFor(stored)).toEqual({
      type: 'parcel.stored',
      timestamp: '2025-01-20T08:49:16.123Z',
      data: {
        eventId: stored.id, cabinetId: 'CAB-1', parcelId: 'p-1', compartmentId: '7',
        board: 1, lock: 7, size: 'M', courier: 'bob', trackingNo: 'SF123', storedAt: 1, expiresAt: 2,
      },
    });
  });

  it('never carries the sealed code, by default', () => {
    const body = serializeWebhookPayload(webhookPayloadFor(stored));
    expect(body).not.toContain('sealedCode');
    expect(body).not.toContain(SEALED);
    expect(body).not.toContain('pickupCode');
  });

  it('includePickupCode sends the plain code as data.pickupCode, never the sealed one', () => {
    const unsealCode = vi.fn(() => '12345678');
    const payload = webhookPayloadFor(stored, { includePickupCode: true, unsealCode });
    expect(unsealCode).toHaveBeenCalledWith(SEALED);
    expect(payload.data).toMatchObject({ pickupCode: '12345678' });
    expect(serializeWebhookPayload(payload)).not.toContain(SEALED);
  });

  it('events without a code are unaffected by the option and keep null ids', () => {
    const unsealCode = vi.fn(() => 'x');
    expect(webhookPayloadFor(lockedOut, { includePickupCode: true, unsealCode })).toEqual({
      type: 'keypad.locked-out',
      timestamp: '1970-01-01T00:00:00.000Z',
      data: { eventId: 'e-2', cabinetId: 'CAB-1', parcelId: null, compartmentId: null, failures: 5, lockedUntil: 60_000, source: 'keypad', at: 0 },
    });
    expect(unsealCode).not.toHaveBeenCalled();
  });

  it('the option needs an unsealer (compile-time)', () => {
    // @ts-expect-error includePickupCode: true without unsealCode
    expect(() => webhookPayloadFor(stored, { includePickupCode: true })).toThrow();
  });
});

describe('webhook request', () => {
  it('signs the exact body it sends, with the event id as webhook-id and the attempt time', () => {
    const req = webhookRequestFor(stored, { secrets: [secret], nowSeconds: 1_737_363_000.9 });
    expect(req.body).toBe(serializeWebhookPayload(webhookPayloadFor(stored)));
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['webhook-id']).toBe(stored.id);
    expect(req.headers['webhook-timestamp']).toBe('1737363000');
    expect(verifyWebhook({ headers: req.headers, body: req.body, secrets: [secret], nowSeconds: 1_737_363_010 })).toEqual({ id: stored.id, timestampSeconds: 1_737_363_000 });
  });

  it('a retry keeps the id and gets a new timestamp and signature', () => {
    const first = webhookRequestFor(stored, { secrets: [secret], nowSeconds: 1000 });
    const retry = webhookRequestFor(stored, { secrets: [secret], nowSeconds: 1005 });
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['webhook-signature']).not.toBe(first.headers['webhook-signature']);
  });
});

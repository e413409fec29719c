import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundEventOf } from '../../../src/cloud/common/outbound-event.js';
import { StandardWebhookDestination } from '../../../src/cloud/webhooks/destination.js';
import { webhookRequestFor } from '../../../src/cloud/webhooks/mapper.js';
import { signWebhook, StandardWebhookError } from '../../../src/cloud/webhooks/signer.js';
import type { LedgerReport } from '../../../tools/mock-cloud/ledger.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { webhooksMock } from '../../../tools/mock-cloud/webhooks.js';
import { postJson } from './recorder.js';

/** The webhooks mock behind the real server, driven by the agent's own signer and destination. */

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = 'whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=';
const NOW = Date.UTC(2025, 0, 20, 9, 0, 0);

function stored(id: string, parcelId: string, occurredAt: number): OutboundEventOf<'parcel.stored'> {
  return {
    id, type: 'parcel.stored', parcelId, compartmentId: '7', occurredAt, cabinetId: 'CAB-1',
    payload: { parcelId, compartmentId: '7', board: 1, lock: 7, size: 'M', courier: null, trackingNo: null, storedAt: occurredAt, expiresAt: null, sealedCode: 'v1.x.y.z' },
  };
}

let clouds: RunningMockCloud[] = [];
afterEach(async () => {
  await Promise.all(clouds.map((c) => c.close()));
  clouds = [];
});

async function cloud(): Promise<RunningMockCloud> {
  const c = await startMockCloud([webhooksMock({ secret: SECRET })], { now: () => NOW });
  clouds.push(c);
  return c;
}

async function deliver(c: RunningMockCloud, event: OutboundEventOf<'parcel.stored'>, options: { secret?: string; nowSeconds?: number; path?: string } = {}): Promise<Response> {
  const request = webhookRequestFor(event, { secrets: [options.secret ?? SECRET], nowSeconds: options.nowSeconds ?? NOW / 1000 });
  return fetch(`${c.url}/webhooks${options.path ?? '/hooks'}`, { method: 'POST', headers: request.headers, body: request.body });
}

async function report(c: RunningMockCloud): Promise<LedgerReport> {
  return (await (await fetch(`${c.url}/_mock/ledger/webhooks`)).json()) as LedgerReport;
}

describe('webhooksMock', () => {
  it('applies a signed event once by webhook-id and answers 204 to the first and to a resend', async () => {
    const c = await cloud();
    const event = stored('0190a1b2-0000-7000-8000-000000000001', 'p-1', NOW - 1000);
    expect((await deliver(c, event)).status).toBe(204);
    expect((await deliver(c, event, { nowSeconds: NOW / 1000 + 30 })).status).toBe(204); // a retry: new timestamp, same id
    const r = await report(c);
    expect(r).toMatchObject({ duplicates: 1, appliedTwice: [], outOfOrder: [] });
    expect(r.applied).toEqual([{ key: event.id, stream: 'p-1', kind: 'parcel.stored', at: NOW, order: NOW - 1000 }]);
    expect(c.ledger.summary('webhooks').applied[0]?.body).toMatchObject({ type: 'parcel.stored', data: { eventId: event.id, parcelId: 'p-1' } });
  });

  it('refuses a bad or missing signature with 401 and applies nothing', async () => {
    const c = await cloud();
    const event = stored('0190a1b2-0000-7000-8000-000000000002', 'p-1', NOW);
    const wrong = await deliver(c, event, { secret: OTHER });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'no-matching-signature' });

    const request = webhookRequestFor(event, { secrets: [SECRET], nowSeconds: NOW / 1000 });
    const tampered = await fetch(`${c.url}/webhooks/hooks`, { method: 'POST', headers: request.headers, body: request.body.replace('p-1', 'p-2') });
    expect(tampered.status).toBe(401);
    const unsigned = await fetch(`${c.url}/webhooks/hooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request.body });
    expect(await unsigned.json()).toEqual({ error: 'missing-headers' });
    expect((await report(c)).applied).toEqual([]);
  });

  it('refuses a stale or future timestamp with 401 (replay window)', async () => {
    const c = await cloud();
    const event = stored('0190a1b2-0000-7000-8000-000000000003', 'p-1', NOW);
    const stale = await deliver(c, event, { nowSeconds: NOW / 1000 - 301 });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toEqual({ error: 'timestamp-too-old' });
    expect((await deliver(c, event, { nowSeconds: NOW / 1000 + 301 })).status).toBe(401);
    expect((await report(c)).applied).toEqual([]);
  });

  it('refuses a signed body that is not a Standard Webhooks payload with 400', async () => {
    const c = await cloud();
    const body = JSON.stringify({ hello: 'world' });
    const headers = signWebhook({ id: 'msg_1', timestampSeconds: NOW / 1000, body, secrets: [SECRET] });
    const res = await fetch(`${c.url}/webhooks/hooks`, { method: 'POST', headers, body });
    expect(res.status).toBe(400);
    expect((await report(c)).applied).toEqual([]);
  });

  it('reports a parcel whose events arrived out of the order they occurred', async () => {
    const c = await cloud();
    await deliver(c, stored('0190a1b2-0000-7000-8000-00000000000a', 'p-1', NOW - 3000));
    await deliver(c, stored('0190a1b2-0000-7000-8000-00000000000c', 'p-1', NOW - 1000));
    await deliver(c, stored('0190a1b2-0000-7000-8000-00000000000b', 'p-1', NOW - 2000));
    await deliver(c, stored('0190a1b2-0000-7000-8000-00000000000d', 'p-2', NOW - 5000));
    expect((await report(c)).outOfOrder).toEqual([
      {
        stream: 'p-1',
        keys: ['0190a1b2-0000-7000-8000-00000000000a', '0190a1b2-0000-7000-8000-00000000000c', '0190a1b2-0000-7000-8000-00000000000b'],
        orders: [NOW - 3000, NOW - 1000, NOW - 2000],
        inversions: 1,
      },
    ]);
  });

  it('swaps its secret through the control API, so the agent sees 401', async () => {
    const c = await cloud();
    expect((await postJson(`${c.url}/_mock/webhooks/set-secret`, { secret: OTHER })).status).toBe(200);
    expect((await deliver(c, stored('0190a1b2-0000-7000-8000-000000000004', 'p-1', NOW))).status).toBe(401);
    expect((await deliver(c, stored('0190a1b2-0000-7000-8000-000000000004', 'p-1', NOW), { secret: OTHER })).status).toBe(204);
    expect((await postJson(`${c.url}/_mock/webhooks/set-secret`, { secret: 'not base64!' })).status).toBe(400);
    expect((await postJson(`${c.url}/_mock/webhooks/rotate`, {})).status).toBe(400);
  });

  it('takes the agent’s StandardWebhookDestination: delivered, then delivered again as a duplicate', async () => {
    const c = await cloud();
    const destination = new StandardWebhookDestination({ name: 'webhook-mock', url: `${c.url}/webhooks/hooks`, secret: SECRET }, { now: () => NOW });
    const event = stored('0190a1b2-0000-7000-8000-000000000005', 'p-9', NOW);
    const signal = new AbortController().signal;
    expect(await destination.deliver(event, signal)).toEqual({ kind: 'delivered' });
    expect(await destination.deliver(event, signal)).toEqual({ kind: 'delivered' });
    expect(await report(c)).toMatchObject({ applied: [{ key: event.id, stream: 'p-9' }], duplicates: 1 });
  });

  it('refuses a secret that is not whsec_<base64> at once', () => {
    expect(() => webhooksMock({ secret: 'whsec_***' })).toThrow(StandardWebhookError);
  });

  it('answers 405 to anything but POST', async () => {
    const c = await cloud();
    expect((await fetch(`${c.url}/webhooks/hooks`)).status).toBe(405);
  });
});

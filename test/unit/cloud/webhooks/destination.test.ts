import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../../../src/cloud/common/outbound-event.js';
import { StandardWebhookDestination, type StandardWebhookConfig } from '../../../../src/cloud/webhooks/destination.js';
import { serializeWebhookPayload, webhookPayloadFor } from '../../../../src/cloud/webhooks/mapper.js';
import { StandardWebhookError, verifyWebhook } from '../../../../src/cloud/webhooks/signer.js';
import { WebhookReceiver, type Reply } from '../sync/receiver.js';
import { SEALED, storedEvent } from './fixtures.js';

/** The destination against a real node:http receiver on 127.0.0.1 and Node's real fetch. */

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});

async function receiver(plan: (info: { attempt: number; id: string }) => Reply = () => 'apply'): Promise<WebhookReceiver> {
  const r = new WebhookReceiver(SECRET, plan, true);
  receivers.push(r);
  await r.start();
  return r;
}

function destination(url: string, extra: Partial<StandardWebhookConfig> = {}, now?: () => number): StandardWebhookDestination {
  const config = { name: 'webhook-acme', url, secret: SECRET, ...extra } as StandardWebhookConfig;
  return new StandardWebhookDestination(config, now === undefined ? {} : { now });
}

const never = new AbortController().signal;

describe('StandardWebhookDestination', () => {
  it('POSTs the payload with verifiable Standard Webhooks headers', async () => {
    const r = await receiver();
    const event = storedEvent('0190a1b2-0000-7000-8000-000000000001');
    expect(await destination(r.url).deliver(event, never)).toEqual({ kind: 'delivered' });

    const [req] = r.received;
    expect(req!.body).toBe(serializeWebhookPayload(webhookPayloadFor(event)));
    expect(req!.body).not.toContain(SEALED);
    expect(req!.headers).toMatchObject({
      'webhook-id': event.id,
      'content-type': 'application/json',
      'user-agent': 'cabinet-kiosk',
    });
    expect(Math.abs(Number(req!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(verifyWebhook({ headers: req!.headers, body: req!.body, secrets: [SECRET], nowSeconds: Date.now() / 1000 }).id).toBe(event.id);
    expect(r.applied).toEqual([event.id]);
  });

  it('keeps webhook-id across attempts and signs each attempt at its own time', async () => {
    const r = await receiver(({ attempt }) => (attempt === 1 ? { status: 503 } : 'apply'));
    let now = Date.now();
    const dest = destination(r.url, {}, () => now);
    const event = storedEvent('e-retry');
    expect(await dest.deliver(event, never)).toMatchObject({ kind: 'retry', reason: 'HTTP 503' });
    now += 3000;
    expect(await dest.deliver(event, never)).toEqual({ kind: 'delivered' });

    const [first, second] = r.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(Number(second!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp'])).toBe(3);
    expect(second!.headers['webhook-signature']).not.toBe(first!.headers['webhook-signature']);
    expect(second!.body).toBe(first!.body);
  });

  it('reuses one keep-alive connection for a run of deliveries', async () => {
    const r = await receiver();
    const dest = destination(r.url);
    for (let i = 0; i < 20; i += 1) expect(await dest.deliver(storedEvent(`e-${i}`), never)).toEqual({ kind: 'delivered' });
    // Not exactly one: Node 20's undici hands the next request out before the
    // previous socket is back in its pool, so strictly sequential requests
    // alternate between two kept-alive sockets (measured). Never one per request.
    expect(r.connections).toBeLessThanOrEqual(2);
    expect(new Set(r.received.map((q) => q.remotePort)).size).toBe(r.connections);
  });

  it('classifies real answers', async () => {
    const answers: Record<string, Reply> = {
      'e-503': { status: 503, headers: { 'retry-after': '2' }, body: 'maintenance' },
      'e-429': { status: 429, headers: { 'retry-after': 'soon' } },
      'e-401': { status: 401, body: 'invalid signature' },
      'e-403': { status: 403 },
      'e-400': { status: 400, body: '{"error":"compartment 7 unknown"}' },
      'e-302': { status: 302, headers: { location: 'https://elsewhere.invalid/' } },
      'e-204': { status: 204 },
    };
    const r = await receiver(({ id }) => answers[id] ?? 'apply');
    const dest = destination(r.url);
    const outcome = (id: string) => dest.deliver(storedEvent(id), never);
    expect(await outcome('e-503')).toEqual({ kind: 'retry', reason: 'HTTP 503: maintenance', retryAfterMs: 2000 });
    expect(await outcome('e-429')).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: undefined });
    expect(await outcome('e-401')).toEqual({ kind: 'unauthorised', reason: 'HTTP 401: invalid signature' });
    expect(await outcome('e-403')).toEqual({ kind: 'unauthorised', reason: 'HTTP 403' });
    expect(await outcome('e-400')).toEqual({ kind: 'dead', reason: 'HTTP 400: {"error":"compartment 7 unknown"}' });
    expect(await outcome('e-302')).toEqual({ kind: 'dead', reason: 'HTTP 302' });
    expect(await outcome('e-204')).toEqual({ kind: 'delivered' });
    expect(r.requests).toBe(7); // the redirect was not followed
  });

  it('reads a bounded part of a huge answer', async () => {
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const r = await receiver(({ id }) => (id === 'e-big-ok' ? { status: 200, body: huge } : { status: 422, body: huge }));
    const dest = destination(r.url);
    expect(await dest.deliver(storedEvent('e-big-ok'), never)).toEqual({ kind: 'delivered' });
    const dead = await dest.deliver(storedEvent('e-big-bad'), never);
    expect(dead).toEqual({ kind: 'dead', reason: `HTTP 422: ${'x'.repeat(200)}` });
  });

  it('gives up on a silent endpoint after timeoutMs', async () => {
    const r = await receiver(() => 'hang');
    const t0 = Date.now();
    expect(await destination(r.url, { timeoutMs: 100 }).deliver(storedEvent('e-hang'), never)).toEqual({ kind: 'retry', reason: 'timeout: no answer in time' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95); // not before timeoutMs (the outcome says it was the timeout)
  });

  it('takes a 2xx as the acknowledgement even when its body then stalls', async () => {
    const server = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(req.headers['webhook-id'] === 'e-ok' ? 200 : 503, { 'content-length': '100' });
      res.write('partial');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const dest = destination(url, { timeoutMs: 100 });
      expect(await dest.deliver(storedEvent('e-ok'), never)).toEqual({ kind: 'delivered' });
      expect(await dest.deliver(storedEvent('e-busy'), never)).toEqual({ kind: 'retry', reason: 'HTTP 503', retryAfterMs: undefined });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('stops when the drainer aborts', async () => {
    const r = await receiver(() => 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException('sync stopped', 'AbortError')), 50);
    expect(await destination(r.url).deliver(storedEvent('e-abort'), controller.signal)).toEqual({ kind: 'retry', reason: 'aborted' });
  });

  it('is a network retry when nothing listens', async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await destination(`http://127.0.0.1:${port}/hooks`).deliver(storedEvent('e-1'), never)).toEqual({ kind: 'retry', reason: 'network: ECONNREFUSED' });
  });

  it('keeps the secret and the signature out of a reason, even when the answer echoes them', async () => {
    const r = await receiver(() => ({ status: 400, body: 'x' }));
    r.plan = () => {
      const sent = r.received.at(-1)!.headers['webhook-signature'] as string;
      return { status: 400, body: `bad request: secret=${SECRET} sig=${sent} raw=${sent.slice(3)}` };
    };
    const outcome = await destination(r.url).deliver(storedEvent('e-echo'), never);
    expect(outcome.kind).toBe('dead');
    const reason = (outcome as { reason: string }).reason;
    const sent = r.received[0]!.headers['webhook-signature'] as string;
    expect(reason).not.toContain(SECRET.slice('whsec_'.length));
    expect(reason).not.toContain(sent.slice(3));
    expect(reason).toContain('[redacted]');
  });

  it('dead-letters an event it can never sign or build, without quoting the failure', async () => {
    const r = await receiver();
    const withDot: OutboundEvent = { ...storedEvent('e.1') };
    expect(await destination(r.url).deliver(withDot, never)).toEqual({ kind: 'dead', reason: 'cannot sign the event: bad-message-id' });
    const unseal = (): string => {
      throw new Error('code 123456 does not open');
    };
    const dest = destination(r.url, { includePickupCode: true, unsealCode: unseal });
    expect(await dest.deliver(storedEvent('e-2'), never)).toEqual({ kind: 'dead', reason: 'cannot build the payload: Error' });
    expect(r.requests).toBe(0);
  });

  it('sends the plain pickup code only when asked, to https or loopback', async () => {
    const r = await receiver();
    const dest = destination(r.url, { includePickupCode: true, unsealCode: (sealed) => (sealed === SEALED ? '123456' : 'wrong') });
    expect(await dest.deliver(storedEvent('e-code'), never)).toEqual({ kind: 'delivered' });
    expect(JSON.parse(r.received[0]!.body)).toMatchObject({ data: { pickupCode: '123456' } });
    expect(() => destination('http://merchant.example/hooks', { includePickupCode: true, unsealCode: () => '1' })).toThrow(/https/);
    expect(() => destination('https://merchant.example/hooks', { includePickupCode: true, unsealCode: () => '1' })).not.toThrow();
  });

  it('refuses a bad configuration up front, without echoing the secret or the url', () => {
    expect(() => destination('ftp://merchant.example/x')).toThrow(RangeError);
    expect(() => destination('not a url?token=abc')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('token') }));
    expect(() => destination('https://m.example/', { secret: 'whsec_not base64!' })).toThrow(StandardWebhookError);
    try {
      destination('https://m.example/', { secret: 'whsec_not base64!' });
    } catch (err) {
      expect((err as Error).message).not.toContain('not base64!');
    }
    expect(() => destination('https://m.example/', { name: '' })).toThrow(RangeError);
    expect(() => destination('https://m.example/', { timeoutMs: 0 })).toThrow(RangeError);
  });
});

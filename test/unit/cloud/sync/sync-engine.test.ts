import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DestinationHealth } from '../../../../src/cloud/sync/ports.js';
import { SyncEngine, type SyncEngineOptions } from '../../../../src/cloud/sync/sync-engine.js';
import { StandardWebhookDestination } from '../../../../src/cloud/webhooks/destination.js';
import { getOutboxRow, outboxStats, retryDead, type Db } from '../../../../src/store/index.js';
import { openTempOutbox, recordingLogger, recordTestEvent, seededRandom, sleep, sqlitePort, waitFor } from './helpers.js';
import { WebhookReceiver, type Reply, type RequestInfo } from './receiver.js';

/**
 * The whole path: a real SQLite outbox, the engine, StandardWebhookDestination
 * over Node's fetch, and real receivers on 127.0.0.1 that verify signatures,
 * dedupe on webhook-id and inject faults.
 */

const A = 'webhook-a';
const B = 'webhook-b';
const SECRET_A = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SECRET_B = 'whsec_c2Vjb25kLXNlY3JldC1mb3ItcmVjZWl2ZXItYg==';
/** Small numbers so a run of faults takes a second, not an hour. */
const FAST: Partial<SyncEngineOptions> = { backoff: { baseMs: 5, capMs: 50 }, pollMs: 20, attemptTimeoutMs: 150 };

let db: Db;
let cleanup: () => void;
let engine: SyncEngine | undefined;
let receivers: WebhookReceiver[];

beforeEach(() => {
  ({ db, cleanup } = openTempOutbox());
  receivers = [];
});
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await Promise.all(receivers.map((r) => r.close()));
  cleanup();
});

async function startReceiver(secret: string, plan: (info: RequestInfo) => Reply): Promise<WebhookReceiver> {
  const r = new WebhookReceiver(secret, plan);
  receivers.push(r);
  await r.start();
  return r;
}

function startEngine(urls: { a: string; b?: string }, options: Partial<SyncEngineOptions> = {}): SyncEngine {
  const destinations = [new StandardWebhookDestination({ name: A, url: urls.a, secret: SECRET_A })];
  if (urls.b !== undefined) destinations.push(new StandardWebhookDestination({ name: B, url: urls.b, secret: SECRET_B }));
  engine = new SyncEngine({ destinations, outbox: sqlitePort(db), ...FAST, ...options });
  engine.start();
  return engine;
}

const healthOf = (e: SyncEngine, name: string): DestinationHealth => e.health().find((h) => h.name === name)!;
const stats = (name: string) => outboxStats(db, Date.now()).byDestination[name] ?? { pending: 0, dead: 0 };
const inParcel = (applied: readonly string[], ids: readonly string[]) => applied.filter((id) => ids.includes(id));

describe('SyncEngine with webhook receivers on 127.0.0.1', () => {
  it('applies every event once, in order per parcel, through faults, a dead row and a 401 phase', async () => {
    // 8 parcels × 5 events, interleaved, plus 10 events without a parcel, all to both destinations.
    const byParcel = new Map<string, string[]>();
    const loose: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (let p = 1; p <= 8; p += 1) {
        const parcel = `P${p}`;
        byParcel.set(parcel, [...(byParcel.get(parcel) ?? []), recordTestEvent(db, parcel, [A, B])]);
      }
      loose.push(recordTestEvent(db, null, [A, B]), recordTestEvent(db, null, [A, B]));
    }
    const all = [...[...byParcel.values()].flat(), ...loose];
    const p3 = byParcel.get('P3')!;
    const poison = p3[2]!; // A answers 400 for it: dead, and P3's later events wait behind it
    const lostAck = byParcel.get('P5')![1]!; // A applies it and never answers the first time

    let unauthorised = false;
    let unauthorisedPhaseDone = false;
    let poisonFixed = false;
    const randomA = seededRandom(42);
    const ra = await startReceiver(SECRET_A, (info) => {
      if (!unauthorisedPhaseDone && ra.applied.length >= 15) unauthorised = true;
      if (unauthorised) return { status: 401, body: 'signature rejected' };
      if (info.id === poison && !poisonFixed) return { status: 400, body: 'compartment C1 is not ours' };
      if (info.id === lostAck && info.attempt === 1) return 'apply-then-hang';
      const r = randomA();
      if (r < 0.12) return { status: 500, body: 'internal error' };
      if (r < 0.2) return { status: 503, headers: { 'retry-after': '1' } };
      if (r < 0.26) return { status: 429, headers: { 'retry-after': '1' } };
      if (r < 0.29) return 'hang';
      if (r < 0.31) return 'apply-then-hang';
      return 'apply';
    });
    const randomB = seededRandom(7);
    const rb = await startReceiver(SECRET_B, () => (randomB() < 0.1 ? { status: 502 } : 'apply'));

    const logger = recordingLogger();
    const seen: DestinationHealth[] = [];
    const t0 = Date.now();
    const e = startEngine({ a: ra.url, b: rb.url }, { logger });
    e.onHealthChange((h) => seen.push(h));

    // Phase 1: A gets 401s and pauses; B is not held up by it.
    await waitFor('A paused', () => healthOf(e, A).state === 'paused', 15_000);
    await waitFor('B drained', () => rb.applied.length === all.length && stats(B).pending === 0, 15_000);
    const requestsWhilePaused = ra.requests;
    await sleep(100);
    expect(ra.requests).toBe(requestsWhilePaused);
    expect(healthOf(e, A)).toMatchObject({ state: 'paused', lastError: 'HTTP 401: signature rejected' });

    // Phase 2: the merchant fixes the key; main calls resume().
    unauthorised = false;
    unauthorisedPhaseDone = true;
    e.resume(A);
    await waitFor('A drained but for P3', () => ra.applied.length === all.length - 3 && stats(A).pending === 2 && stats(A).dead === 1, 15_000);

    expect(ra.badSignatures + rb.badSignatures).toBe(0);
    expect(new Set(ra.applied)).toEqual(new Set(all.filter((id) => !p3.slice(2).includes(id))));
    expect(new Set(rb.applied)).toEqual(new Set(all));
    expect(ra.duplicates).toBeGreaterThanOrEqual(1); // at least once on the wire, once in effect
    for (const [parcel, ids] of byParcel) {
      expect(inParcel(rb.applied, ids), `B ${parcel}`).toEqual(ids);
      expect(inParcel(ra.applied, ids), `A ${parcel}`).toEqual(parcel === 'P3' ? ids.slice(0, 2) : ids);
    }
    expect(getOutboxRow(db, poison, A)).toMatchObject({ state: 'dead', lastError: 'HTTP 400: compartment C1 is not ours' });
    for (const waiting of p3.slice(3)) expect(getOutboxRow(db, waiting, A)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(getOutboxRow(db, poison, B)?.state).toBe('delivered');
    expect(seen.some((h) => h.name === A && h.state === 'paused')).toBe(true);
    expect(seen.some((h) => h.name === B && h.state === 'paused')).toBe(false);

    // Phase 3: the dead row is retried by hand (the receiver now takes it) and P3 completes in order.
    poisonFixed = true;
    expect(retryDead(db, A)).toBe(1);
    e.wake();
    await waitFor('A complete', () => ra.applied.length === all.length && stats(A).pending === 0, 15_000);
    expect(inParcel(ra.applied, p3)).toEqual(p3);
    expect(e.health().map((h) => h.state)).toEqual(['online', 'online']);
    expect(outboxStats(db, Date.now())).toMatchObject({ pending: 0, dead: 0, delivered: 2 * all.length });

    const logText = JSON.stringify(logger.lines, (_k, v: unknown) => (v instanceof Error ? v.message : v));
    for (const secret of [SECRET_A, SECRET_B]) expect(logText).not.toContain(secret.slice('whsec_'.length));
    console.info(
      `sync-engine fault run: ${Date.now() - t0} ms, A saw ${ra.requests} requests (${ra.duplicates} duplicates) for ${all.length} events, B ${rb.requests}`,
    );
  }, 30_000);

  it('stop() mid-flight aborts the request and leaves the row pending, untouched', async () => {
    const id = recordTestEvent(db, 'P1', [A]);
    const ra = await startReceiver(SECRET_A, () => 'hang');
    // An attempt timeout longer than the test's own: stop() can only return by aborting.
    const e = startEngine({ a: ra.url }, { attemptTimeoutMs: 10 * 60_000 });
    await waitFor('request in flight', () => ra.requests === 1);
    await e.stop();
    expect(getOutboxRow(db, id, A)).toMatchObject({ state: 'pending', attempts: 0, lastError: null });
    expect(healthOf(e, A).state).toBe('idle');
  });

  it('wake() sends a just-committed event at once, long before the next poll', async () => {
    const ra = await startReceiver(SECRET_A, () => 'apply');
    // A poll interval longer than the test's own: only wake() can send the event.
    const e = startEngine({ a: ra.url }, { pollMs: 10 * 60_000 });
    await sleep(30);
    const id = recordTestEvent(db, 'P1', [A]);
    e.wake();
    await waitFor('applied', () => ra.hasApplied(id));
    await waitFor('marked', () => getOutboxRow(db, id, A)?.state === 'delivered');
    expect(healthOf(e, A)).toMatchObject({ state: 'online', lastDeliveredAt: expect.any(Number) });
  });

  it('refuses two destinations with one name and resume() of an unknown one', () => {
    const dest = new StandardWebhookDestination({ name: A, url: 'https://m.example/', secret: SECRET_A });
    expect(() => new SyncEngine({ destinations: [dest, dest], outbox: sqlitePort(db) })).toThrow(/twice/);
    const e = new SyncEngine({ destinations: [dest], outbox: sqlitePort(db) });
    expect(() => e.resume('nope')).toThrow(RangeError);
    expect(e.health()).toEqual([{ name: A, state: 'idle', lastDeliveredAt: null, lastError: null, nextAttemptAt: null }]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../../../src/cloud/common/outbound-event.js';
import { DestinationDrainer, type DrainerOptions } from '../../../../src/cloud/sync/drainer.js';
import type { DeliveryOutcome, Destination, DestinationHealth, OutboxPort } from '../../../../src/cloud/sync/ports.js';
import { getOutboxRow, outboxStats, retryDead, type Db } from '../../../../src/store/index.js';
import { openTempOutbox, recordingLogger, recordTestEvent, sleep, sqlitePort, waitFor } from './helpers.js';

/**
 * The drainer against a real SQLite outbox, with a destination whose answers
 * the test scripts (the HTTP path is in sync-engine.test.ts).
 */

type Answer = (event: OutboundEvent, signal: AbortSignal, call: number) => DeliveryOutcome | Promise<DeliveryOutcome>;

class ScriptedDestination implements Destination {
  readonly calls: Array<{ id: string; at: number }> = [];
  constructor(
    readonly name: string,
    public answer: Answer = () => ({ kind: 'delivered' }),
  ) {}

  async deliver(event: OutboundEvent, signal: AbortSignal): Promise<DeliveryOutcome> {
    this.calls.push({ id: event.id, at: Date.now() });
    return this.answer(event, signal, this.calls.length);
  }

  ids(): string[] {
    return this.calls.map((c) => c.id);
  }
}

const DEST = 'webhook-a';
const FAST: DrainerOptions = { backoff: { baseMs: 5, capMs: 50 }, pollMs: 20, attemptTimeoutMs: 1000 };

let db: Db;
let cleanup: () => void;
let drainer: DestinationDrainer | undefined;

beforeEach(() => {
  ({ db, cleanup } = openTempOutbox());
});
afterEach(async () => {
  await drainer?.stop();
  drainer = undefined;
  cleanup();
});

function startDrainer(destination: Destination, options: DrainerOptions = {}, port: OutboxPort = sqlitePort(db)): DestinationDrainer {
  drainer = new DestinationDrainer(destination, port, { ...FAST, ...options });
  drainer.start();
  return drainer;
}

const state = (eventId: string) => getOutboxRow(db, eventId, DEST)?.state;
const allDelivered = (ids: string[]) => () => ids.every((id) => state(id) === 'delivered');

describe('DestinationDrainer', () => {
  it('delivers oldest first per parcel and passes over a failing parcel', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const b1 = recordTestEvent(db, 'B', [DEST]);
    const a2 = recordTestEvent(db, 'A', [DEST]);
    const n1 = recordTestEvent(db, null, [DEST]);
    const b2 = recordTestEvent(db, 'B', [DEST]);
    const n2 = recordTestEvent(db, null, [DEST]);
    let a1Tries = 0;
    const dest = new ScriptedDestination(DEST, (e) => (e.id === a1 && ++a1Tries <= 2 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'delivered' }));
    startDrainer(dest);
    await waitFor('all delivered', allDelivered([a1, b1, a2, n1, b2, n2]));

    const order = dest.ids();
    expect(order.slice(0, 4)).toEqual([a1, b1, n1, n2]); // the first page: one row per parcel, every parcel-less row
    expect(order.filter((id) => id === a1)).toHaveLength(3);
    expect(order.indexOf(b2)).toBeLessThan(order.lastIndexOf(a1)); // B did not wait for A
    expect(order.indexOf(a2)).toBeGreaterThan(order.lastIndexOf(a1)); // A stayed in order
    expect(order.filter((id) => id !== a1)).toEqual([b1, n1, n2, b2, a2]);
    expect(getOutboxRow(db, a1, DEST)).toMatchObject({ attempts: 2, lastError: 'HTTP 503' });
    expect(drainer?.health()).toMatchObject({ name: DEST, state: 'online', lastError: null });
  });

  it('dead-letters with the reason; the parcel waits behind it until retryDead, other parcels go on', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const a2 = recordTestEvent(db, 'A', [DEST]);
    const b1 = recordTestEvent(db, 'B', [DEST]);
    const b2 = recordTestEvent(db, 'B', [DEST]);
    let reject = true;
    const dest = new ScriptedDestination(DEST, (e) => (e.id === a1 && reject ? { kind: 'dead', reason: 'HTTP 422: unknown compartment' } : { kind: 'delivered' }));
    const d = new DestinationDrainer(dest, sqlitePort(db), FAST);
    drainer = d;
    const errors: Array<string | null> = [];
    d.onHealthChange((h) => errors.push(h.lastError));
    d.start();
    await waitFor('B delivered, A dead', () => allDelivered([b1, b2])() && state(a1) === 'dead');
    await sleep(60); // a few polls: a2 is never offered
    expect(getOutboxRow(db, a1, DEST)).toMatchObject({ state: 'dead', lastError: 'HTTP 422: unknown compartment', attempts: 1 });
    expect(getOutboxRow(db, a2, DEST)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(dest.ids()).not.toContain(a2);
    // Shown when it happened; b1's delivery after it cleared lastError (the dead row stays in outboxStats).
    expect(errors).toContain('HTTP 422: unknown compartment');
    expect(d.health()).toMatchObject({ state: 'online', lastError: null });

    reject = false;
    expect(retryDead(db, DEST)).toBe(1);
    d.wake();
    await waitFor('A delivered after retryDead', allDelivered([a1, a2]));
    expect(dest.ids().slice(-2)).toEqual([a1, a2]);
  });

  it('pauses on unauthorised: no request until resume(), wake() does not count', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const b1 = recordTestEvent(db, 'B', [DEST]);
    let authorised = false;
    const dest = new ScriptedDestination(DEST, () => (authorised ? { kind: 'delivered' } : { kind: 'unauthorised', reason: 'HTTP 401: bad signature' }));
    const d = startDrainer(dest);
    await waitFor('paused', () => d.health().state === 'paused');
    d.wake();
    await sleep(80);
    expect(dest.calls).toHaveLength(1);
    expect(getOutboxRow(db, a1, DEST)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 401: bad signature' });
    expect(d.health()).toMatchObject({ state: 'paused', lastError: 'HTTP 401: bad signature', nextAttemptAt: null });

    authorised = true;
    d.resume();
    await waitFor('delivered after resume', allDelivered([a1, b1]));
    expect(dest.ids()).toEqual([a1, a1, b1]);
    expect(d.health().state).toBe('online');
  });

  it('honours a Retry-After for the whole destination', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const b1 = recordTestEvent(db, 'B', [DEST]);
    const c1 = recordTestEvent(db, 'C', [DEST]);
    const seen: DestinationHealth[] = [];
    const dest = new ScriptedDestination(DEST, (_e, _s, call) => (call === 1 ? { kind: 'retry', reason: 'HTTP 429', retryAfterMs: 150 } : { kind: 'delivered' }));
    const d = new DestinationDrainer(dest, sqlitePort(db), { ...FAST, backoff: { baseMs: 5, capMs: 1000 } });
    drainer = d;
    d.onHealthChange((h) => seen.push(h));
    d.start();
    await waitFor('all delivered', allDelivered([a1, b1, c1]));

    const [first, second] = dest.calls;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(145); // timers may fire a ms early
    const offline = seen.find((h) => h.state === 'offline');
    expect(offline).toMatchObject({ lastError: 'HTTP 429' });
    expect(offline!.nextAttemptAt! - first!.at).toBeGreaterThanOrEqual(150);
    expect(getOutboxRow(db, a1, DEST)!.attempts).toBe(1);
    expect(d.health().state).toBe('online');
  });

  it('goes offline after failures in a row and backs off instead of trying every parcel', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => recordTestEvent(db, `P${i}`, [DEST]));
    let up = false;
    const dest = new ScriptedDestination(DEST, () => (up ? { kind: 'delivered' } : { kind: 'retry', reason: 'network: ECONNREFUSED' }));
    const d = new DestinationDrainer(dest, sqlitePort(db), { ...FAST, backoff: { baseMs: 1000, capMs: 2000 }, random: () => 0.5, offlineAfterFailures: 3 });
    drainer = d;
    let callsWhenOffline = -1;
    d.onHealthChange((h) => {
      if (h.state === 'offline' && callsWhenOffline < 0) callsWhenOffline = dest.calls.length;
    });
    d.start();
    await waitFor('offline', () => d.health().state === 'offline');
    await sleep(100); // well inside the holdoff: 0.5 × 1000 ms
    expect(callsWhenOffline).toBe(3);
    expect(dest.calls).toHaveLength(3);
    expect(d.health()).toMatchObject({ state: 'offline', lastError: 'network: ECONNREFUSED' });
    expect(d.health().nextAttemptAt).toBeGreaterThan(Date.now());

    up = true;
    await waitFor('all delivered', allDelivered(ids));
    expect(d.health()).toMatchObject({ state: 'online', lastError: null, nextAttemptAt: null });
  });

  it('times out a destination that ignores its signal', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const dest = new ScriptedDestination(DEST, (_e, _s, call) => (call === 1 ? new Promise<DeliveryOutcome>(() => {}) : { kind: 'delivered' }));
    startDrainer(dest, { attemptTimeoutMs: 50 });
    await waitFor('delivered', allDelivered([a1]));
    expect(dest.calls).toHaveLength(2);
    expect(dest.calls[1]!.at - dest.calls[0]!.at).toBeGreaterThanOrEqual(45);
    expect(getOutboxRow(db, a1, DEST)).toMatchObject({ attempts: 1, lastError: 'timeout: no answer in time' });
  });

  it('stop() aborts the attempt in flight and leaves its row pending and unmarked', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    let sawAbort = false;
    const dest = new ScriptedDestination(
      DEST,
      (_e, signal) =>
        new Promise<DeliveryOutcome>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(signal.reason as Error); // as fetch does
          });
        }),
    );
    // An attempt timeout longer than the test's own: stop() can only return by aborting.
    const d = startDrainer(dest, { attemptTimeoutMs: 10 * 60_000 });
    await waitFor('in flight', () => dest.calls.length === 1);
    await d.stop();
    expect(sawAbort).toBe(true);
    expect(getOutboxRow(db, a1, DEST)).toMatchObject({ state: 'pending', attempts: 0, lastError: null });
    expect(d.health().state).toBe('idle');
  });

  it('stop() returns even when the destination ignores the abort', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const dest = new ScriptedDestination(DEST, () => new Promise<DeliveryOutcome>(() => {}));
    const d = startDrainer(dest, { attemptTimeoutMs: 60_000 });
    await waitFor('in flight', () => dest.calls.length === 1);
    await d.stop();
    expect(getOutboxRow(db, a1, DEST)).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('wake() ends an idle sleep at once', async () => {
    const dest = new ScriptedDestination(DEST);
    const port = sqlitePort(db);
    const d = startDrainer(dest, { pollMs: 10 * 60_000 }, port);
    // Its first (empty) read done, the drainer sleeps longer than the test may run.
    await waitFor('first read', () => port.stats.reads >= 1);
    const a1 = recordTestEvent(db, 'A', [DEST]);
    d.wake();
    await waitFor('delivered', allDelivered([a1]));
  });

  it('logs an outbox failure, shows it, backs off and goes on', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const b1 = recordTestEvent(db, 'B', [DEST]);
    const real = sqlitePort(db);
    let readFailures = 2;
    let markFailures = 1;
    const flaky: OutboxPort = {
      ...real,
      nextDeliverable: (...args) => {
        if (readFailures-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        return real.nextDeliverable(...args);
      },
      markDelivered: (...args) => {
        if (markFailures-- > 0) throw new Error('disk I/O error');
        real.markDelivered(...args);
      },
    };
    const logger = recordingLogger();
    const errors: Array<string | null> = [];
    const dest = new ScriptedDestination(DEST);
    const d = new DestinationDrainer(dest, flaky, { ...FAST, logger });
    drainer = d;
    d.onHealthChange((h) => errors.push(h.lastError));
    d.start();
    await waitFor('delivered', allDelivered([a1, b1]));

    const logged = logger.lines.filter((l) => l.level === 'error');
    expect(logged).toHaveLength(3);
    expect(logged.map((l) => (l.obj as { err: Error }).err.message)).toEqual(['database is locked', 'database is locked', 'disk I/O error']);
    expect(errors).toContain('outbox: database is locked');
    // The acknowledgement that could not be written is delivered again: at least once, never lost.
    expect(dest.ids()).toEqual([a1, a1, b1]);
    expect(d.health().lastError).toBeNull();
  });

  it('emits every health change, and a throwing listener does not stop the loop', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const dest = new ScriptedDestination(DEST, (_e, _s, call) => (call === 1 ? { kind: 'retry', reason: 'HTTP 500' } : { kind: 'delivered' }));
    // random 0.5: the retry is due a few ms later, never at once, so nextAttemptAt is set.
    const d = new DestinationDrainer(dest, sqlitePort(db), { ...FAST, random: () => 0.5 });
    drainer = d;
    const seen: DestinationHealth[] = [];
    d.onHealthChange(() => {
      throw new Error('listener bug');
    });
    const off = d.onHealthChange((h) => seen.push(h));
    expect(d.health()).toEqual({ name: DEST, state: 'idle', lastDeliveredAt: null, lastError: null, nextAttemptAt: null });
    d.start();
    await waitFor('delivered', allDelivered([a1]));
    await waitFor('settled', () => seen.at(-1)?.nextAttemptAt === null);
    off();
    expect(seen[0]).toMatchObject({ state: 'idle', lastError: 'HTTP 500' });
    expect(seen[0]!.nextAttemptAt).not.toBeNull();
    expect(seen.find((h) => h.state === 'online')).toMatchObject({ lastError: null });
    expect(seen.at(-1)!.lastDeliveredAt).toEqual(expect.any(Number));
    expect(outboxStats(db, Date.now()).byDestination[DEST]).toEqual({ pending: 0, dead: 0, skipped: 0 });
  });

  it('settles a skipped event with its reason, lets its parcel go on, and keeps the health and failure count as they were', async () => {
    const a1 = recordTestEvent(db, 'A', [DEST]);
    const a2 = recordTestEvent(db, 'A', [DEST]);
    const b1 = recordTestEvent(db, 'B', [DEST]);
    const dest = new ScriptedDestination(DEST, (e) => (e.id === a1 ? { kind: 'skipped', reason: 'no order number' } : { kind: 'delivered', vendorRef: `ref-${e.id}` }));
    const d = startDrainer(dest);
    await waitFor('settled', () => state(a2) === 'delivered' && state(b1) === 'delivered');
    expect(getOutboxRow(db, a1, DEST)).toMatchObject({ state: 'skipped', lastError: 'no order number', attempts: 0 });
    expect(getOutboxRow(db, a2, DEST)).toMatchObject({ vendorRef: `ref-${a2}` });
    expect(dest.ids()).toEqual([a1, b1, a2]);
    expect(d.health()).toMatchObject({ state: 'online', lastError: null });
    expect(retryDead(db)).toBe(0);
  });

  it('a destination with a window has rows of different parcels in flight together, recorded in page order, and keeps each parcel in order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push(recordTestEvent(db, `P${i % 3}`, [DEST]));
    let inFlight = 0;
    let most = 0;
    const dest = new ScriptedDestination(DEST, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await sleep(20);
      inFlight -= 1;
      return { kind: 'delivered' };
    });
    Object.assign(dest, { concurrency: 4 });
    startDrainer(dest);
    await waitFor('all delivered', allDelivered(ids));
    // The first page holds one row of each parcel (P0, P1, P2): all three went at once, never two of one parcel.
    expect(most).toBe(3);
    expect(dest.ids()).toEqual(ids);
  });

  it('stop() aborts every attempt of a wave in flight; an acknowledgement that came is recorded, the rest stay pending', async () => {
    const ids = [recordTestEvent(db, 'A', [DEST]), recordTestEvent(db, 'B', [DEST]), recordTestEvent(db, 'C', [DEST])];
    const dest = new ScriptedDestination(DEST, (e, signal) =>
      e.id === ids[1]
        ? { kind: 'delivered' }
        : new Promise<DeliveryOutcome>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })),
    );
    Object.assign(dest, { concurrency: 3 });
    startDrainer(dest);
    await waitFor('three in flight', () => dest.calls.length === 3);
    await drainer!.stop();
    expect(ids.map(state)).toEqual(['pending', 'delivered', 'pending']);
    expect(getOutboxRow(db, ids[0]!, DEST)).toMatchObject({ attempts: 0, lastError: null });
  });

  it('refuses nonsense options', () => {
    const dest = new ScriptedDestination(DEST);
    expect(() => new DestinationDrainer(dest, sqlitePort(db), { pageSize: 0 })).toThrow(RangeError);
    expect(() => new DestinationDrainer(dest, sqlitePort(db), { attemptTimeoutMs: 1.5 })).toThrow(RangeError);
  });
});

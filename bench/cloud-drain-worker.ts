/**
 * The child processes of bench/cloud-drain.ts, one role each, so the mock and
 * the agent share the 2 cores as in real life and the agent's RSS is its own:
 *
 *   mock                            the mock cloud (startMockCloud + webhooksMock, ledger in memory); answers
 *                                   `{ type: 'connections' }` over IPC with the TCP connections it accepted
 *   fill  <db> <n>                  a fresh store with n realistic events for one destination (not timed by the bench)
 *   raw   <url> <n>                 n signed webhook POSTs through httpSend on one keep-alive socket, one at a time: the ceiling
 *   drain <db> <url> <n>            the agent's SyncEngine + StoreOutbox + StandardWebhookDestination until nothing is pending
 *
 * The webhook secret comes in CK_BENCH_WEBHOOK_SECRET. Every role but `mock`
 * prints one JSON line on stdout and exits.
 *
 * It runs as the agent does, compiled and without a loader: cloud-drain.ts
 * transpiles this file alone and points its `../src/` imports at dist/ (tsx's
 * loader thread alone adds ~45 MB of RSS). So: node: and ../src/ imports only,
 * but for the `mock` role, which cloud-drain.ts runs from this source under tsx
 * (tools/mock-cloud is never compiled into dist/).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { OutboundEvent } from '../src/cloud/common/outbound-event.js';
import type { DeliverableRow, Destination, OutboxPort } from '../src/cloud/sync/ports.js';

// Each role imports what it uses, so the drain process holds the agent's modules and not the mock's.
const DESTINATION = 'webhook-bench';
const CABINET_ID = 'bench-cabinet';
const COMPARTMENTS = 60;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const STALL_MS = 10_000;

function secret(): string {
  const s = process.env['CK_BENCH_WEBHOOK_SECRET'];
  if (s === undefined || !s.startsWith('whsec_')) throw new Error('CK_BENCH_WEBHOOK_SECRET is not set');
  return s;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function mock(): Promise<void> {
  const { startMockCloud } = await import('../tools/mock-cloud/server.js');
  const { webhooksMock } = await import('../tools/mock-cloud/webhooks.js');
  // The ledger in memory: the bench measures the agent's drain, not the mock's state-file writes (the chaos test covers those).
  const cloud = await startMockCloud([webhooksMock({ secret: secret() })]);
  print({ ready: true, url: cloud.url });
  let accepted = 0;
  let open = 0;
  cloud.server.on('connection', (socket) => {
    accepted += 1;
    open += 1;
    socket.once('close', () => (open -= 1));
  });
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'connections') process.send?.({ type: 'connections', accepted, open });
  });
  await new Promise<void>((resolve) => process.once('disconnect', () => resolve()));
  await cloud.close();
}

/**
 * A cabinet's day, as the kiosk records it (src/core): a random
 * compartment either takes a parcel (door.closed, then parcel.stored) or gives
 * one up (parcel.picked-up, then door.closed). door.closed carries no parcel
 * id, as in kiosk.ts, so every parcel has two events that must stay in order
 * and the door events go past them. occurredAt grows 1–40 ms an event, so
 * the mock's order check (by timestamp) sees every inversion.
 */
async function fill(dbPath: string, n: number): Promise<void> {
  const store = await import('../src/store/index.js');
  const { seededRandom } = await import('../src/shared/seeded-random.js');
  const t = performance.now();
  const db = store.openDatabase(dbPath);
  const random = seededRandom(42); // the same backlog every run
  const held = new Map<number, string>();
  const couriers = ['DHL', 'UPS', 'GLS', 'DPD', null];
  const sizes = ['S', 'M', 'L', 'XL'] as const;
  let at = T0;
  let made = 0;
  let parcels = 0;
  const record = (type: string, parcelId: string | null, c: number, payload: (at: number) => Record<string, unknown>): void => {
    if (made >= n) return;
    at += 1 + Math.floor(random() * 40);
    store.recordEvent(db, { type, parcelId, compartmentId: `C${c}`, payload: payload(at), occurredAt: at }, [DESTINATION]);
    made += 1;
  };
  const ids = (c: number) => ({ compartmentId: `C${c}`, board: Math.floor(c / 16), lock: c % 16 });
  while (made < n) {
    store.inTransaction(db, () => {
      for (let i = 0; i < 500 && made < n; i++) {
        const c = Math.floor(random() * COMPARTMENTS);
        const parcelId = held.get(c);
        const openMs = 2000 + Math.floor(random() * 20_000);
        if (parcelId === undefined) {
          const p = randomUUID();
          held.set(c, p);
          parcels += 1;
          record('door.closed', null, c, (now) => ({ ...ids(c), openMs, at: now }));
          record('parcel.stored', p, c, (now) => ({
            parcelId: p, ...ids(c), size: sizes[Math.floor(random() * sizes.length)], courier: couriers[Math.floor(random() * couriers.length)] ?? null,
            trackingNo: `JD${String(Math.floor(random() * 1e12)).padStart(12, '0')}`, storedAt: now, expiresAt: now + 3 * 86_400_000,
            sealedCode: Buffer.from(Array.from({ length: 44 }, () => Math.floor(random() * 256))).toString('base64url'),
          }));
        } else {
          held.delete(c);
          record('parcel.picked-up', parcelId, c, (now) => ({
            parcelId, ...ids(c), codeSource: 'local', codeExternalId: null, externalRef: null, pickedUpAt: now, via: 'keypad',
          }));
          record('door.closed', null, c, (now) => ({ ...ids(c), openMs, at: now }));
        }
      }
    });
  }
  store.checkpoint(db);
  store.closeDatabase(db);
  print({ events: n, parcels, fillMs: performance.now() - t });
}

/** The bare HTTP exchange the destination makes (same transport, one socket), without store or drainer. */
async function raw(url: string, n: number): Promise<void> {
  const { webhookRequestFor } = await import('../src/cloud/webhooks/mapper.js');
  const { httpSend, keepAliveAgent } = await import('../src/cloud/common/http.js');
  const target = new URL(url);
  const agent = keepAliveAgent(target);
  const s = secret();
  const event = (): OutboundEvent => ({
    id: randomUUID(), type: 'door.closed', payload: { compartmentId: 'C1', board: 0, lock: 1, openMs: 4200, at: Date.now() },
    parcelId: null, compartmentId: 'C1', occurredAt: Date.now(), cabinetId: CABINET_ID,
  });
  const post = async (): Promise<void> => {
    const req = webhookRequestFor(event(), { secrets: [s], nowSeconds: Date.now() / 1000 });
    const res = await httpSend({ url: target, method: 'POST', headers: req.headers, body: req.body, timeoutMs: 10_000, agent });
    if (res.status !== 204) throw new Error(`raw POST answered ${res.status}`);
  };
  for (let i = 0; i < 200; i++) await post(); // warm-up: connection, JIT
  const t = performance.now();
  for (let i = 0; i < n; i++) await post();
  const ms = performance.now() - t;
  print({ requests: n, warmup: 200, ms, perS: (n * 1000) / ms });
}

function rssNow(): { rss: number; heapUsed: number; heapTotal: number; external: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function drain(dbPath: string, url: string, n: number): Promise<void> {
  const store = await import('../src/store/index.js');
  const { StoreOutbox } = await import('../src/main/cloud/store-ports.js');
  const { StandardWebhookDestination } = await import('../src/cloud/webhooks/destination.js');
  const { SyncEngine } = await import('../src/cloud/sync/sync-engine.js');
  const { cloudSchema } = await import('../src/main/config/cloud-schema.js');
  const { silentLogger } = await import('../src/shared/logger.js');
  const sync = cloudSchema.parse({}).sync; // the agent's defaults
  const db = store.openDatabase(dbPath);
  const before = store.outboxStats(db, Date.now());
  if (before.pending !== n) throw new Error(`expected ${n} pending rows, found ${before.pending}`);

  // Pass-through wrappers: they only time and count (a few µs per call).
  const inner = new StoreOutbox(db, CABINET_ID, silentLogger);
  const pageMs: number[] = [];
  const pageRows: number[] = [];
  let markMs = 0;
  let delivered = 0;
  let finished!: () => void;
  const allDelivered = new Promise<void>((resolve) => (finished = resolve));
  const outbox: OutboxPort = {
    nextDeliverable(destination: string, now: number, limit: number): DeliverableRow[] {
      const t = performance.now();
      const rows = inner.nextDeliverable(destination, now, limit);
      pageMs.push(performance.now() - t);
      pageRows.push(rows.length);
      return rows;
    },
    markDelivered(eventId: string, destination: string, now: number): void {
      const t = performance.now();
      inner.markDelivered(eventId, destination, now);
      markMs += performance.now() - t;
      if (++delivered === n) finished();
    },
    markFailed: (eventId, destination, failure) => inner.markFailed(eventId, destination, failure),
    markDead: (eventId, destination, error, now) => inner.markDead(eventId, destination, error, now),
    markSkipped: (eventId, destination, reason, now) => inner.markSkipped(eventId, destination, reason, now),
  };
  const webhook = new StandardWebhookDestination({ name: DESTINATION, url, secret: secret() });
  let deliverMs = 0;
  let attempts = 0;
  const destination: Destination = {
    name: webhook.name,
    async deliver(event, signal) {
      const t = performance.now();
      try {
        return await webhook.deliver(event, signal);
      } finally {
        deliverMs += performance.now() - t;
        attempts += 1;
      }
    },
  };
  const engine = new SyncEngine({
    destinations: [destination], outbox, logger: silentLogger,
    pageSize: sync.pageSize, pollMs: sync.pollMs, attemptTimeoutMs: sync.attemptTimeoutMs,
    backoff: { baseMs: sync.backoffBaseMs, capMs: sync.backoffCapMs }, offlineAfterFailures: sync.offlineAfterFailures,
  });
  const failures: string[] = [];
  engine.onHealthChange((h) => {
    if (h.lastError !== null && failures.length < 5) failures.push(h.lastError);
  });

  const idle = rssNow();
  const samples: Array<ReturnType<typeof rssNow>> = [];
  const sampler = setInterval(() => samples.push(rssNow()), 50);
  // A drain that stops short (a row dead-lettered or stuck) ends after STALL_MS without progress and is reported as it stands.
  let seen = -1;
  const watchdog = setInterval(() => {
    if (delivered === seen) finished();
    seen = delivered;
  }, STALL_MS);
  const t = performance.now();
  engine.start();
  await allDelivered;
  const after = store.outboxStats(db, Date.now()); // pending === 0 is the end of the drain
  const ms = performance.now() - t;
  clearInterval(sampler);
  clearInterval(watchdog);
  samples.push(rssNow());
  await engine.stop();
  store.closeDatabase(db);
  print({
    events: n, ms, perS: (n * 1000) / ms, attempts, failures,
    after: { pending: after.pending, dead: after.dead, delivered: after.delivered },
    pages: pageMs.length, pageMs, pageRows, markMsTotal: markMs, deliverMsTotal: deliverMs,
    idle, samples, vmHwmMb: vmHwmMb(), pageSize: sync.pageSize,
  });
}

async function main(): Promise<void> {
  const [role, a = '', b = '', c = ''] = process.argv.slice(2);
  switch (role) {
    case 'mock':
      return mock();
    case 'fill':
      return fill(a, Number(b));
    case 'raw':
      return raw(a, Number(b));
    case 'drain':
      return drain(a, b, Number(c));
    default:
      throw new Error(`unknown role ${String(role)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { eventPayloadSchema, type FleetEventPayload } from '../../src/cloud/index.js';
import * as store from '../../src/store/index.js';

/**
 * A backlog of `n` events for the `fleet` destination in a fresh store at
 * `dbPath`, before any agent opens it: `door.opened` rows spread over
 * `parcels` parcels, each carrying its sequence number (`actor: seq-N`) so a
 * consumer can check the order per parcel.
 */
export function fillFleetBacklog(dbPath: string, n: number, opts: { parcels?: number; destination?: string; tag?: string } = {}): string[] {
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = store.openDatabase(dbPath);
  const parcels = opts.parcels ?? 50;
  const ids: string[] = [];
  const t0 = Date.now() - 60_000;
  try {
    for (let start = 0; start < n; start += 1000) {
      store.inTransaction(db, () => {
        for (let i = start; i < Math.min(n, start + 1000); i++) {
          const c = i % 24;
          const e = store.recordEvent(
            db,
            {
              type: 'door.opened',
              parcelId: `${opts.tag ?? ''}P${i % parcels}`,
              compartmentId: String(c + 1),
              payload: { compartmentId: String(c + 1), board: 1 + Math.floor(c / 12), lock: 1 + (c % 12), kind: 'technician', actor: `seq-${i}`, at: t0 + i },
              occurredAt: t0 + i,
            },
            [opts.destination ?? 'fleet'],
          );
          ids.push(e.id);
        }
      });
    }
  } finally {
    store.closeDatabase(db);
  }
  return ids;
}

/**
 * The consumer of `<prefix>/+/events` as a backend runs it: a persistent
 * session (clean: false, fixed client id) so the broker keeps what arrives
 * while it is away, and a dedupe by idempotency key.
 */
export class EventConsumer {
  readonly applied = new Map<string, FleetEventPayload>();
  /** Arrival order of first sightings, per parcel: the sequence numbers. */
  readonly order = new Map<string, number[]>();
  duplicates = 0;
  received = 0;
  #waiters: Array<{ n: number; resolve: () => void }> = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (_topic, payload) => this.#onMessage(payload));
  }

  static async connect(url: string, prefix: string, clientId = 'test-event-consumer'): Promise<EventConsumer> {
    const client = mqtt.connect(url, { clientId, clean: false, reconnectPeriod: 200, protocolVersion: 4 });
    const consumer = new EventConsumer(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    client.on('error', () => undefined);
    await client.subscribeAsync(`${prefix}/+/events`, { qos: 1 });
    return consumer;
  }

  /** Resolves once `n` distinct events were applied. */
  until(n: number, timeoutMs: number): Promise<void> {
    if (this.applied.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.applied.size} of ${n} events arrived within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  /** Parcels whose events were first seen out of their sequence. */
  outOfOrderParcels(): string[] {
    return [...this.order].filter(([, seqs]) => seqs.some((s, i) => i > 0 && s < seqs[i - 1]!)).map(([p]) => p);
  }

  #onMessage(payload: Buffer): void {
    this.received += 1;
    const parsed = eventPayloadSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!parsed.success) return;
    const e = parsed.data;
    if (this.applied.has(e.idempotencyKey)) {
      this.duplicates += 1;
      return;
    }
    this.applied.set(e.idempotencyKey, e);
    const actor = (e.payload as { actor?: unknown }).actor;
    if (e.parcelId !== null && typeof actor === 'string' && actor.startsWith('seq-')) {
      const list = this.order.get(e.parcelId) ?? [];
      list.push(Number(actor.slice(4)));
      this.order.set(e.parcelId, list);
    }
    this.#waiters = this.#waiters.filter((w) => (this.applied.size >= w.n ? (w.resolve(), false) : true));
  }
}

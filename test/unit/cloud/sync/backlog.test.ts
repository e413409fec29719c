import { afterEach, expect, it } from 'vitest';
import type { OutboundEvent } from '../../../../src/cloud/common/outbound-event.js';
import { DestinationDrainer } from '../../../../src/cloud/sync/drainer.js';
import type { DeliveryOutcome, Destination } from '../../../../src/cloud/sync/ports.js';
import { outboxStats } from '../../../../src/store/index.js';
import { openTempOutbox, recordTestEvent, sqlitePort, waitWhileProgressing } from './helpers.js';

/**
 * A 3 000-row backlog drained through a real SQLite outbox: the drainer only
 * ever asks for one page (memory stays flat; RSS is the bench's job, at
 * 100 000 rows, and so is the rate: `npm run bench -- cloud`), and order per
 * parcel holds across 30 pages, five rows per parcel on average.
 */

const DEST = 'webhook-a';
const ROWS = 3_000;
const PARCELS = 600;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

class CountingDestination implements Destination {
  readonly name = DEST;
  delivered = 0;
  /** Per parcel, the event ids in the order delivered. */
  readonly byParcel = new Map<string, string[]>();
  async deliver(event: OutboundEvent): Promise<DeliveryOutcome> {
    this.delivered += 1;
    if (event.parcelId !== null) {
      const list = this.byParcel.get(event.parcelId) ?? [];
      list.push(event.id);
      this.byParcel.set(event.parcelId, list);
    }
    return { kind: 'delivered' };
  }
}

it(`drains ${ROWS} rows a page at a time, in order per parcel`, async () => {
  const outbox = openTempOutbox();
  cleanup = outbox.cleanup;
  const { db } = outbox;
  // One fsync per acknowledgement would make this a disk test; the order and paging are what is checked here.
  db.sqlite.pragma('synchronous = NORMAL');
  const recorded = new Map<string, string[]>();
  db.sqlite.transaction(() => {
    for (let i = 0; i < ROWS; i += 1) {
      const parcel = i % 10 === 0 ? null : `P${i % PARCELS}`;
      const id = recordTestEvent(db, parcel, [DEST]);
      if (parcel !== null) recorded.set(parcel, [...(recorded.get(parcel) ?? []), id]);
    }
  })();

  const port = sqlitePort(db);
  const dest = new CountingDestination();
  const drainer = new DestinationDrainer(dest, port, { pollMs: 20 });
  drainer.start();
  await waitWhileProgressing('backlog drained', () => dest.delivered, () => dest.delivered === ROWS);
  await drainer.stop();

  expect([...port.stats.limits]).toEqual([100]);
  expect(port.stats.maxReturned).toBeLessThanOrEqual(100);
  expect(port.stats.reads).toBeGreaterThanOrEqual(ROWS / 100);
  expect(outboxStats(db, Date.now())).toMatchObject({ pending: 0, dead: 0, delivered: ROWS });
  for (const [parcel, ids] of recorded) expect(dest.byParcel.get(parcel), parcel).toEqual(ids);
});

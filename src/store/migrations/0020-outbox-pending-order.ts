import type Database from 'better-sqlite3';

/**
 * An index that hands `nextDeliverable` (outbox.ts NEXT_DELIVERABLE_SQL) its
 * rows already in queue order. With only `outbox_due` (destination, state,
 * next_attempt_at), SQLite took every due pending row of the destination,
 * checked each against its parcel's older rows, joined its event and sorted
 * them all in a temp B-tree to keep the first page: ~38 ms a page with 50,000
 * rows pending, so a backlog drained slower the bigger it was
 * (bench/cloud-drain.ts). Walking this index instead stops after `limit`
 * deliverable rows (~1 ms a page at any size); next_attempt_at and parcel_id
 * are in it so rows that are not due or wait for their parcel are skipped
 * without reading the table. Partial: only pending rows, so it stays as small
 * as the backlog. `outbox_due` stays for the queries that count by state.
 */
export function migrate0020OutboxPendingOrder(sqlite: Database.Database): void {
  sqlite.exec(`CREATE INDEX outbox_pending_order ON outbox (destination, event_seq, next_attempt_at, parcel_id) WHERE state = 'pending';`);
}

import type Database from 'better-sqlite3';

/**
 * Fewer pages a pickup commits (bench durable_pickups: WAL pages per commit).
 * A pickup changes a parcel's and a code's state and resolves an intent; every
 * index keyed on those states was rewritten by it, for queries that do not
 * need them:
 * - pickup_codes_lookup put `state = 'active'` in its key, so every use moved
 *   the entry. The keypad lookup now probes the unique active-hash index and,
 *   on a miss, the newest row of the hash (pickup_codes_by_hash, whose key a
 *   state change leaves alone).
 * - parcels_by_state moved with every state change. Its readers (expiry, the
 *   return list, restart reconciliation) ask only for parcels in a
 *   compartment, which parcels_one_occupant already indexes (at most one per
 *   compartment).
 * - open_intents_unresolved was read once, at boot; a scan of the intents
 *   there costs less than a page on every open.
 * - events_by_parcel served only tests and the operator's tools, never the
 *   agent.
 * - outbox_due (destination, state, next_attempt_at) took a new entry with
 *   every queued event and moved with every delivery; the queue is walked by
 *   outbox_pending_order, dead rows are found through outbox_parcel_order,
 *   and the per-state counts of `status` read the whole (pruned) table anyway.
 */
export function migrate0040SlimPickup(sqlite: Database.Database): void {
  sqlite.exec(`
DROP INDEX pickup_codes_lookup;
CREATE INDEX pickup_codes_by_hash ON pickup_codes (hash);
DROP INDEX parcels_by_state;
DROP INDEX open_intents_unresolved;
DROP INDEX events_by_parcel;
DROP INDEX outbox_due;
`);
}

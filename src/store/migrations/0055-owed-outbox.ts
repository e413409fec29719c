import type Database from 'better-sqlite3';

/**
 * The outbox holds only what is still owed (docs/architecture.md §4), so a
 * pickup's commit writes one outbox page instead of four (bench
 * wal_pages_per_pickup names the pages):
 * - `outbox` keeps the pending and dead rows, keyed by `id` = destination
 *   slot × 2^40 + event seq. Its own rowid order is then each destination's
 *   queue in event order: nextDeliverable walks it as a range, and an
 *   acknowledgement finds its row by key. outbox_pending_order,
 *   outbox_parcel_order and the (event_id, destination) key index go.
 * - `outbox_settled` takes a row when the destination acknowledged it or had
 *   nothing to send: what the drain writes, never the pickup.
 * - `outbox_destinations` numbers the destinations once (the slot).
 * - events loses the unique index on its id: nothing on a hot path looks an
 *   event up by id (the drain remembers the seq of the rows it read), and the
 *   index cost a page a pickup. The rows copy over as they are.
 * 2^40 events a destination and 4,095 destinations keep every key below 2^53,
 * so it stays exact as a JavaScript number.
 */
export function migrate0055OwedOutbox(sqlite: Database.Database): void {
  sqlite.exec(`
CREATE TABLE outbox_destinations (
  slot INTEGER PRIMARY KEY CHECK (slot BETWEEN 1 AND 4095),
  name TEXT NOT NULL UNIQUE CHECK (length(name) > 0)
) STRICT;
INSERT INTO outbox_destinations (name) SELECT DISTINCT destination FROM outbox ORDER BY destination;

CREATE TABLE events_new (
  -- Insertion order. Delivery is ordered by seq, not occurred_at: a cabinet PC without an RTC
  -- battery can boot in 1970 and jump forward when NTP answers.
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL CHECK (length(id) > 0),
  type           TEXT NOT NULL CHECK (length(type) > 0),
  parcel_id      TEXT,
  compartment_id TEXT,
  payload        TEXT NOT NULL CHECK (json_valid(payload)),
  occurred_at    INTEGER NOT NULL
) STRICT;
INSERT INTO events_new (seq, id, type, parcel_id, compartment_id, payload, occurred_at)
  SELECT seq, id, type, parcel_id, compartment_id, payload, occurred_at FROM events;

CREATE TABLE outbox_owed (
  id              INTEGER PRIMARY KEY CHECK (id % 1099511627776 = event_seq),
  event_seq       INTEGER NOT NULL REFERENCES events_new (seq) CHECK (event_seq BETWEEN 1 AND 1099511627775),
  destination     TEXT NOT NULL CHECK (length(destination) > 0),
  parcel_id       TEXT,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  dead_at         INTEGER,
  CHECK ((state = 'dead') = (dead_at IS NOT NULL))
) STRICT;
INSERT INTO outbox_owed (id, event_seq, destination, parcel_id, state, attempts, next_attempt_at, last_error, created_at, dead_at)
  SELECT d.slot * 1099511627776 + o.event_seq, o.event_seq, o.destination, o.parcel_id, o.state, o.attempts, o.next_attempt_at,
         o.last_error, o.created_at, o.dead_at
  FROM outbox o JOIN outbox_destinations d ON d.name = o.destination
  WHERE o.state IN ('pending', 'dead');

CREATE TABLE outbox_settled (
  id               INTEGER PRIMARY KEY CHECK (id % 1099511627776 = event_seq),
  event_seq        INTEGER NOT NULL REFERENCES events_new (seq),
  destination      TEXT NOT NULL CHECK (length(destination) > 0),
  parcel_id        TEXT,
  state            TEXT NOT NULL CHECK (state IN ('delivered', 'skipped')),
  attempts         INTEGER NOT NULL CHECK (attempts >= 0),
  -- The last failure before the acknowledgement, or the skip's reason.
  last_error       TEXT,
  created_at       INTEGER NOT NULL,
  settled_at       INTEGER NOT NULL,
  vendor_ref       TEXT CHECK (vendor_ref IS NULL OR length(vendor_ref) > 0),
  vendor_result    TEXT CHECK (vendor_result IS NULL OR json_valid(vendor_result)),
  vendor_result_at INTEGER,
  -- A skip always says why.
  CHECK (state <> 'skipped' OR last_error IS NOT NULL),
  CHECK ((vendor_result IS NULL) = (vendor_result_at IS NULL))
) STRICT;
INSERT INTO outbox_settled (id, event_seq, destination, parcel_id, state, attempts, last_error, created_at, settled_at, vendor_ref, vendor_result, vendor_result_at)
  SELECT d.slot * 1099511627776 + o.event_seq, o.event_seq, o.destination, o.parcel_id, o.state, o.attempts, o.last_error, o.created_at,
         coalesce(o.delivered_at, o.skipped_at), o.vendor_ref, o.vendor_result, o.vendor_result_at
  FROM outbox o JOIN outbox_destinations d ON d.name = o.destination
  WHERE o.state IN ('delivered', 'skipped');

DROP TABLE outbox;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
ALTER TABLE outbox_owed RENAME TO outbox;

-- The rows a technician looks at (dead and skipped), newest first; neither is touched by a pickup's insert.
CREATE INDEX outbox_dead ON outbox (created_at) WHERE state = 'dead';
CREATE INDEX outbox_settled_skipped ON outbox_settled (created_at) WHERE state = 'skipped';
CREATE INDEX outbox_settled_delivered ON outbox_settled (settled_at) WHERE state = 'delivered';
CREATE INDEX outbox_settled_vendor_ref ON outbox_settled (destination, vendor_ref) WHERE vendor_ref IS NOT NULL;
`);
}

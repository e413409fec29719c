import type Database from 'better-sqlite3';

/**
 * What the vendors make of our events, and what they tell us back.
 * - outbox.state 'skipped' (+ skipped_at, the reason in last_error): a
 *   destination that has nothing to send for an event (a Hongxun sign-for
 *   without an order number, a Dingshang report of another source's code)
 *   settles the row without a request and says why, instead of a dead row
 *   a technician would retry for nothing. SQLite cannot change a CHECK in
 *   place, so the table is rebuilt (same rows, same indices).
 * - outbox.vendor_ref: the vendor's id for what the event became there
 *   (Dingshang's order_id of a /consumes), so its later callback finds the
 *   row; vendor_result / vendor_result_at: what that callback said.
 * - pickup_codes.user_ref / order_ref: the user and order a code source
 *   supplied with a code (Aituo 1018), for the push that reports its pickup.
 * - vendor_orders: orders a vendor notified us of (Yopoint §5.1), completed
 *   with the vendor's own record of the order when it could be fetched.
 */
export function migrate0051VendorOutcomes(sqlite: Database.Database): void {
  sqlite.exec(`
CREATE TABLE outbox_new (
  event_id         TEXT NOT NULL REFERENCES events (id),
  destination      TEXT NOT NULL CHECK (length(destination) > 0),
  event_seq        INTEGER NOT NULL,
  parcel_id        TEXT,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'skipped')),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  created_at       INTEGER NOT NULL,
  delivered_at     INTEGER,
  dead_at          INTEGER,
  skipped_at       INTEGER,
  vendor_ref       TEXT CHECK (vendor_ref IS NULL OR length(vendor_ref) > 0),
  vendor_result    TEXT CHECK (vendor_result IS NULL OR json_valid(vendor_result)),
  vendor_result_at INTEGER,
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL)),
  CHECK ((state = 'dead') = (dead_at IS NOT NULL)),
  CHECK ((state = 'skipped') = (skipped_at IS NOT NULL)),
  -- A skip always says why.
  CHECK (state <> 'skipped' OR last_error IS NOT NULL),
  CHECK ((vendor_result IS NULL) = (vendor_result_at IS NULL)),
  PRIMARY KEY (event_id, destination)
) STRICT;
INSERT INTO outbox_new (event_id, destination, event_seq, parcel_id, state, attempts, next_attempt_at, last_error, created_at, delivered_at, dead_at)
  SELECT event_id, destination, event_seq, parcel_id, state, attempts, next_attempt_at, last_error, created_at, delivered_at, dead_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_parcel_order ON outbox (destination, parcel_id, event_seq) WHERE state IN ('pending', 'dead');
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';
CREATE INDEX outbox_pending_order ON outbox (destination, event_seq, next_attempt_at, parcel_id) WHERE state = 'pending';
-- The rows a technician looks at (dead and skipped), newest first, without scanning the delivered ones.
CREATE INDEX outbox_unsent ON outbox (state, created_at) WHERE state IN ('dead', 'skipped');
CREATE INDEX outbox_vendor_ref ON outbox (destination, vendor_ref) WHERE vendor_ref IS NOT NULL;

ALTER TABLE pickup_codes ADD COLUMN user_ref TEXT CHECK (user_ref IS NULL OR length(user_ref) > 0);
ALTER TABLE pickup_codes ADD COLUMN order_ref TEXT CHECK (order_ref IS NULL OR length(order_ref) > 0);

CREATE TABLE vendor_orders (
  source      TEXT NOT NULL CHECK (length(source) > 0),
  order_ref   TEXT NOT NULL CHECK (length(order_ref) > 0),
  cabinet_ref TEXT,
  paid_at     INTEGER,
  received_at INTEGER NOT NULL,
  -- The vendor's own record of the order (JSON as it answered), once fetched.
  detail      TEXT CHECK (detail IS NULL OR json_valid(detail)),
  fetched_at  INTEGER,
  fetch_error TEXT,
  updated_at  INTEGER NOT NULL,
  CHECK ((detail IS NULL) = (fetched_at IS NULL)),
  PRIMARY KEY (source, order_ref)
) STRICT;
CREATE INDEX vendor_orders_recent ON vendor_orders (received_at);
`);
}

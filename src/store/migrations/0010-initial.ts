import type Database from 'better-sqlite3';

/**
 * The first schema. Conventions kept by every later migration:
 * - STRICT tables; enums as CHECK constraints spelling out the values of
 *   src/shared/domain.ts (a new value needs a migration, by design);
 * - times are INTEGER epoch milliseconds;
 * - every hot query has an index, asserted with EXPLAIN QUERY PLAN in tests.
 */
export function migrate0010Initial(sqlite: Database.Database): void {
  sqlite.exec(COMPARTMENTS_AND_PARCELS);
  sqlite.exec(PICKUP_CODES);
  sqlite.exec(EVENTS_AND_OUTBOX);
  sqlite.exec(INBOX_AUDIT_INTENTS);
  sqlite.exec(ATTEMPTS_AND_SETTINGS);
}

const COMPARTMENTS_AND_PARCELS = `
CREATE TABLE compartments (
  id                    TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
  board                 INTEGER NOT NULL CHECK (board >= 0),
  lock                  INTEGER NOT NULL CHECK (lock >= 0),
  size                  TEXT NOT NULL CHECK (size IN ('S', 'M', 'L', 'XL')),
  -- Sizes are ordered so a parcel can go to the smallest compartment that fits.
  size_rank             INTEGER GENERATED ALWAYS AS
                          (CASE size WHEN 'S' THEN 1 WHEN 'M' THEN 2 WHEN 'L' THEN 3 WHEN 'XL' THEN 4 END) VIRTUAL,
  -- The id with digit runs length-prefixed ('A2' < 'A10'): SQLite has no natural collation
  -- and better-sqlite3 cannot register one.
  sort_key              TEXT NOT NULL,
  out_of_service        INTEGER NOT NULL DEFAULT 0 CHECK (out_of_service IN (0, 1)),
  out_of_service_reason TEXT,
  -- 1 = gone from the config but kept, because parcels, codes or intents still point at it.
  removed               INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
  updated_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX compartments_by_order ON compartments (size_rank, sort_key, id);

CREATE TABLE parcels (
  id             TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
  compartment_id TEXT NOT NULL REFERENCES compartments (id),
  state          TEXT NOT NULL CHECK (state IN
                   ('awaiting-dropoff', 'stored', 'picked-up', 'returned', 'expired', 'cancelled')),
  tracking_no    TEXT,
  courier        TEXT,
  external_ref   TEXT,
  created_at     INTEGER NOT NULL,
  stored_at      INTEGER,
  closed_at      INTEGER,
  expires_at     INTEGER,
  updated_at     INTEGER NOT NULL,
  -- Physically inside (or reserved for) its compartment. An expired parcel, or one cancelled
  -- after drop-off, still sits behind the door until it is returned, so it keeps the
  -- compartment busy; only picked-up, returned and cancelled-before-drop-off free it.
  occupies       INTEGER GENERATED ALWAYS AS (
                   CASE WHEN state IN ('awaiting-dropoff', 'stored', 'expired')
                          OR (state = 'cancelled' AND stored_at IS NOT NULL)
                        THEN 1 ELSE 0 END) VIRTUAL,
  CHECK (state NOT IN ('stored', 'picked-up', 'returned', 'expired') OR stored_at IS NOT NULL),
  CHECK ((state IN ('awaiting-dropoff', 'stored')) = (closed_at IS NULL))
) STRICT;
-- At most one parcel occupies a compartment; implies at most one 'awaiting-dropoff'|'stored'.
CREATE UNIQUE INDEX parcels_one_occupant ON parcels (compartment_id) WHERE occupies = 1;
CREATE INDEX parcels_by_compartment ON parcels (compartment_id, created_at);
-- Also serves expireDueParcels: stored parcels are at most one per compartment.
CREATE INDEX parcels_by_state ON parcels (state, created_at);
`;

const PICKUP_CODES = `
CREATE TABLE pickup_codes (
  id             INTEGER PRIMARY KEY,
  -- HMAC-SHA256(cabinet secret, code): the plain code is never stored.
  hash           BLOB NOT NULL CHECK (length(hash) = 32),
  parcel_id      TEXT REFERENCES parcels (id),
  compartment_id TEXT REFERENCES compartments (id),
  source         TEXT NOT NULL CHECK (length(source) > 0),
  external_id    TEXT,
  state          TEXT NOT NULL CHECK (state IN ('active', 'used', 'cancelled', 'expired')),
  valid_from     INTEGER NOT NULL,
  valid_until    INTEGER,
  used_at        INTEGER,
  grace_until    INTEGER,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  CHECK ((state = 'used') = (used_at IS NOT NULL)),
  CHECK (grace_until IS NULL OR state = 'used')
) STRICT;
CREATE UNIQUE INDEX pickup_codes_one_active_hash ON pickup_codes (hash) WHERE state = 'active';
-- The keypad lookup: one probe, active row first, then the newest (findCodeByHash).
CREATE INDEX pickup_codes_lookup ON pickup_codes (hash, (state = 'active') DESC, id DESC);
CREATE INDEX pickup_codes_by_source ON pickup_codes (source, external_id);
CREATE INDEX pickup_codes_by_parcel ON pickup_codes (parcel_id) WHERE parcel_id IS NOT NULL;
CREATE INDEX pickup_codes_by_compartment ON pickup_codes (compartment_id) WHERE compartment_id IS NOT NULL;
-- Not partial on state: marking a code used (every pickup) then leaves this index alone.
CREATE INDEX pickup_codes_due ON pickup_codes (valid_until) WHERE valid_until IS NOT NULL;
`;

const EVENTS_AND_OUTBOX = `
CREATE TABLE events (
  -- Insertion order. Delivery is ordered by seq, not occurred_at: a cabinet PC without an RTC
  -- battery can boot in 1970 and jump forward when NTP answers.
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE CHECK (length(id) > 0),
  type           TEXT NOT NULL CHECK (length(type) > 0),
  parcel_id      TEXT,
  compartment_id TEXT,
  payload        TEXT NOT NULL CHECK (json_valid(payload)),
  occurred_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_parcel ON events (parcel_id, seq) WHERE parcel_id IS NOT NULL;

CREATE TABLE outbox (
  event_id        TEXT NOT NULL REFERENCES events (id),
  destination     TEXT NOT NULL CHECK (length(destination) > 0),
  -- Copies of events.seq / events.parcel_id so the ordering indices below cover the queue query.
  event_seq       INTEGER NOT NULL,
  parcel_id       TEXT,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  dead_at         INTEGER,
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL)),
  CHECK ((state = 'dead') = (dead_at IS NOT NULL)),
  PRIMARY KEY (event_id, destination)
) STRICT;
CREATE INDEX outbox_due ON outbox (destination, state, next_attempt_at);
-- "Is there an older undelivered row of this parcel?" (nextDeliverable).
CREATE INDEX outbox_parcel_order ON outbox (destination, parcel_id, event_seq) WHERE state IN ('pending', 'dead');
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';
`;

const INBOX_AUDIT_INTENTS = `
CREATE TABLE inbox (
  command_id  TEXT PRIMARY KEY NOT NULL CHECK (length(command_id) > 0),
  source      TEXT NOT NULL,
  type        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  result      TEXT CHECK (result IS NULL OR json_valid(result))
) STRICT;
CREATE INDEX inbox_by_received ON inbox (received_at);

CREATE TABLE audit (
  id             INTEGER PRIMARY KEY,
  at             INTEGER NOT NULL,
  actor          TEXT NOT NULL CHECK (length(actor) > 0),
  action         TEXT NOT NULL CHECK (length(action) > 0),
  compartment_id TEXT,
  parcel_id      TEXT,
  detail         TEXT CHECK (detail IS NULL OR json_valid(detail))
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE open_intents (
  id             TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
  kind           TEXT NOT NULL CHECK (kind IN ('pickup', 'dropoff', 'return', 'technician', 'remote')),
  compartment_id TEXT NOT NULL REFERENCES compartments (id),
  parcel_id      TEXT REFERENCES parcels (id),
  code_id        INTEGER REFERENCES pickup_codes (id),
  actor          TEXT NOT NULL CHECK (length(actor) > 0),
  created_at     INTEGER NOT NULL,
  result         TEXT CHECK (result IS NULL OR result IN ('opened', 'failed', 'unknown')),
  resolved_at    INTEGER,
  detail         TEXT,
  CHECK ((result IS NULL) = (resolved_at IS NULL))
) STRICT;
CREATE INDEX open_intents_unresolved ON open_intents (created_at, id) WHERE result IS NULL;
-- Keyed on code_id alone so resolving an intent (every open) does not rewrite it.
CREATE INDEX open_intents_by_code ON open_intents (code_id) WHERE code_id IS NOT NULL;
CREATE INDEX open_intents_by_compartment ON open_intents (compartment_id, created_at);
CREATE INDEX open_intents_by_parcel ON open_intents (parcel_id) WHERE parcel_id IS NOT NULL;
`;

const ATTEMPTS_AND_SETTINGS = `
CREATE TABLE code_attempts (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  ok     INTEGER NOT NULL CHECK (ok IN (0, 1)),
  source TEXT NOT NULL CHECK (length(source) > 0)
) STRICT;
CREATE INDEX code_attempts_by_time ON code_attempts (at);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY NOT NULL CHECK (length(key) > 0),
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`;

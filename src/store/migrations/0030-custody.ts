import type Database from 'better-sqlite3';

/**
 * Door custody under faults (README "Custody").
 * - pickup_codes.opens: pulses a code has caused, counted in the transaction
 *   that commits the open intent (so a crash after the pulse cannot lose
 *   one) and given back only when the frame provably never left. A code
 *   opens at most twice (MAX_OPENS_PER_CODE).
 * - compartments.reserved_for: the vendor code source a compartment is kept
 *   for (its codes are bound to the compartment, not to a parcel): never
 *   offered to a courier.
 * - compartment_checks: a compartment whose door flow was interrupted
 *   (drop-off, return, technician or remote open) waits here until a person
 *   answers "is a parcel inside?"; it is not allocated meanwhile.
 */
export function migrate0030Custody(sqlite: Database.Database): void {
  sqlite.exec(`
ALTER TABLE pickup_codes ADD COLUMN opens INTEGER NOT NULL DEFAULT 0 CHECK (opens >= 0);
ALTER TABLE compartments ADD COLUMN reserved_for TEXT CHECK (reserved_for IS NULL OR length(reserved_for) > 0);

CREATE TABLE compartment_checks (
  compartment_id TEXT PRIMARY KEY NOT NULL REFERENCES compartments (id),
  kind           TEXT NOT NULL CHECK (kind IN ('dropoff', 'return', 'technician', 'remote')),
  parcel_id      TEXT REFERENCES parcels (id),
  intent_id      TEXT REFERENCES open_intents (id),
  reason         TEXT NOT NULL CHECK (length(reason) > 0),
  created_at     INTEGER NOT NULL
) STRICT;
`);
  // Pulses already on record count: intents that may have pulsed (all but
  // those resolved 'failed' with the frame never sent) before this version.
  sqlite.exec(`
UPDATE pickup_codes SET opens = (
  SELECT count(*) FROM open_intents i
  WHERE i.code_id = pickup_codes.id AND NOT (i.result = 'failed' AND coalesce(i.detail, '') = 'not-sent')
) WHERE id IN (SELECT code_id FROM open_intents WHERE code_id IS NOT NULL);
`);
}

/**
 * Child process for power-loss.test.ts: writes whole pickup/drop-off style
 * transactions (parcel state + event + outbox rows + audit) in a tight loop
 * and prints the running count after each commit, until it is SIGKILLed.
 * Usage: node --import tsx power-loss-writer.ts <db path>
 */
import {
  activeParcelIn,
  appendAudit,
  createParcel,
  inTransaction,
  listParcels,
  openDatabase,
  recordEvent,
  syncCompartments,
  transitionParcel,
} from '../../../src/store/index.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: power-loss-writer.ts <db path>');
const db = openDatabase(path);
const COMPARTMENTS = 8;
syncCompartments(db, Array.from({ length: COMPARTMENTS }, (_, i) => ({ id: `C${i + 1}`, board: 1, lock: i + 1, size: 'M' as const })));
// Payload big enough that one transaction spans several pages.
const filler = 'x'.repeat(3000);

let n = listParcels(db, { limit: 1_000_000 }).length;
process.stdout.write(`ready ${n}\n`);
for (;;) {
  const compartmentId = `C${(n % COMPARTMENTS) + 1}`;
  const now = Date.now();
  inTransaction(db, () => {
    const occupant = activeParcelIn(db, compartmentId);
    if (occupant !== undefined) {
      transitionParcel(db, occupant.id, 'picked-up', now);
      recordEvent(db, { type: 'parcel.picked-up', parcelId: occupant.id, compartmentId, payload: { n, filler }, occurredAt: now }, ['cloud', 'ops']);
      appendAudit(db, { at: now, actor: 'writer', action: 'parcel.picked-up', compartmentId, parcelId: occupant.id, detail: { n } });
    }
    const parcel = createParcel(db, { compartmentId, state: 'stored', now });
    recordEvent(db, { type: 'parcel.stored', parcelId: parcel.id, compartmentId, payload: { n, filler }, occurredAt: now }, ['cloud', 'ops']);
    appendAudit(db, { at: now, actor: 'writer', action: 'parcel.stored', compartmentId, parcelId: parcel.id, detail: { n } });
  });
  n += 1;
  // Written after the commit returned: every number printed is durable.
  process.stdout.write(`${n}\n`);
}

/**
 * After a case: what the database and the wire say, checked against the
 * custody invariants, and the matrix's "final state" cell.
 */
import { MAX_OPENS_PER_CODE } from '../../../src/shared/domain.js';
import * as store from '../../../src/store/index.js';
import { compartmentOf, CABINET_SECRET } from './cabinet.js';
import { TARGET, type Cabinet, type CaseContext } from './flows.js';

export function judgeCase(c: CaseContext, dbPath: string, codeFlow: boolean): void {
  const { board, lock } = compartmentOf(TARGET);
  const rec = c.rec;
  const opens = c.cab.wire.opens(c.from).filter((e) => c.until === undefined || e.seq < c.until);
  rec.frames = opens.filter((e) => e.board === board && e.lock === lock).length;
  // Invariant 2: a code causes at most two pulses; any other flow's one open at most one.
  const bound = codeFlow ? MAX_OPENS_PER_CODE : 1;
  if (rec.frames > bound) rec.problems.push(`${rec.frames} open frames for ${TARGET} (at most ${bound})`);
  const elsewhere = opens.filter((e) => !(e.board === board && e.lock === lock));
  // Invariant 1: the flow (and a code) opened only its own compartment.
  if (elsewhere.length) rec.problems.push(`open frames for other locks: ${elsewhere.map((e) => `${e.board}/${String(e.lock)}`).join(', ')}`);
  const db = store.openDatabase(dbPath, { readonly: true });
  try {
    const sql = db.sqlite;
    // Invariant 4: no parcel is stored (or was collected) with a code nobody was shown.
    const seen = new Set([...rec.seenCodes].map((code) => store.hashPickupCode(CABINET_SECRET, code).toString('hex')));
    const stored = sql.prepare(`SELECT id, state, compartment_id FROM parcels WHERE stored_at IS NOT NULL`).all() as Array<{ id: string; state: string; compartment_id: string }>;
    for (const p of stored) {
      const hashes = (sql.prepare('SELECT hash FROM pickup_codes WHERE parcel_id = ?').all(p.id) as Array<{ hash: Buffer }>).map((h) => h.hash.toString('hex'));
      if (!hashes.some((h) => seen.has(h))) rec.problems.push(`parcel ${p.id} in ${p.compartment_id} is ${p.state} with a code nobody saw`);
    }
    // Invariant 3: an `unknown` pickup queues pickup.unconfirmed.
    const unknownPickups = rec.answers.filter((a) => /^(\w+ )?unknown\(left/.test(a)).length;
    if (unknownPickups > 0 && c.parcelId) {
      const n = (sql.prepare(`SELECT count(*) AS n FROM events WHERE type = 'pickup.unconfirmed' AND parcel_id = ?`).get(c.parcelId) as { n: number }).n;
      if (n < unknownPickups) rec.problems.push(`${unknownPickups} unknown pickup answer(s) but ${n} pickup.unconfirmed event(s)`);
    }
    // After its last open a code is refused: `code-used` once its parcel was collected, else `code-open-limit` (staff must help).
    const last = rec.answers.at(-1) ?? '';
    if (c.exhausted && c.parcelId && /(code-used|code-open-limit)$/.test(last)) {
      const state = (sql.prepare('SELECT state FROM parcels WHERE id = ?').get(c.parcelId) as { state: string }).state;
      const want = state === 'picked-up' ? 'code-used' : 'code-open-limit';
      if (!last.endsWith(want)) rec.problems.push(`the spent code was refused ${last.split(' ').at(-1)!} but its parcel is ${state} (expected ${want})`);
    }
    rec.final = finalState(sql);
  } finally {
    store.closeDatabase(db);
  }
}

/** `parcel <state> · compartment <free|occupied|needs-check|out-of-service>` for the target. */
function finalState(sql: store.Db['sqlite']): string {
  const parcel = sql.prepare(`SELECT state FROM parcels WHERE compartment_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`).get(TARGET) as { state: string } | undefined;
  const check = sql.prepare(`SELECT kind FROM compartment_checks WHERE compartment_id = ?`).get(TARGET) as { kind: string } | undefined;
  const oos = (sql.prepare('SELECT out_of_service FROM compartments WHERE id = ?').get(TARGET) as { out_of_service: number }).out_of_service === 1;
  const occupied = sql.prepare('SELECT 1 FROM parcels WHERE compartment_id = ? AND occupies = 1').get(TARGET) !== undefined;
  const compartment = check ? `needs-check (${check.kind})` : oos ? 'out-of-service' : occupied ? 'occupied' : 'free';
  return `parcel ${parcel?.state ?? '—'} · ${compartment}`;
}

/** Whether the target compartment is on the agent's check list (asked through the Kiosk). */
export async function targetNeedsCheck(c: CaseContext): Promise<boolean | string> {
  const r = await c.h.call('needsCheck', []);
  if (!r.ok) return r.code;
  return ((r.value ?? []) as Array<Record<string, unknown>>).some((x) => x['compartmentId'] === TARGET);
}

export type { Cabinet };

import type { CodeSource } from './ports.js';
import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';

export interface CancelledCodes {
  cancelled: number;
  /** Codes the vendor did not confirm: still valid upstream and here. */
  failed: number;
}

/**
 * A technician withdraws the vendor-issued codes of one compartment (a lane
 * emptied by hand, a jammed door): each is cancelled upstream first, and only
 * a code the vendor confirmed is cancelled here, so the cache never disagrees
 * with the vendor for longer than one pull. Audited per code. Throws
 * KioskError('compartment-not-found'), or 'offline-action' when no vendor
 * call went through.
 */
export async function cancelVendorCodes(
  db: store.Db,
  sources: readonly CodeSource[],
  p: { compartmentId: string; actor: string; now: () => number; timeoutMs: number },
): Promise<CancelledCodes> {
  if (!store.getCompartment(db, p.compartmentId)) throw new KioskError('compartment-not-found', `no compartment "${p.compartmentId}"`, { compartmentId: p.compartmentId });
  let cancelled = 0;
  let failed = 0;
  for (const source of sources) {
    const cancel = source.cancelCode?.bind(source);
    if (cancel === undefined) continue;
    for (const code of store.activeSourceCodesIn(db, p.compartmentId, source.name)) {
      if (code.externalId === null) continue;
      try {
        await cancel(code.externalId, AbortSignal.timeout(p.timeoutMs));
      } catch {
        failed += 1;
        continue;
      }
      const at = p.now();
      store.inTransaction(db, () => {
        // A pickup may have used it meanwhile: then it stays used here.
        if (store.getPickupCode(db, code.id)?.state === 'active') store.cancelCode(db, code.id, at);
        store.appendAudit(db, { at, actor: p.actor, action: 'code.cancelled-upstream', compartmentId: p.compartmentId, detail: { source: source.name, externalId: code.externalId } });
      });
      cancelled += 1;
    }
  }
  if (cancelled === 0 && failed > 0) throw new KioskError('offline-action', `the vendor did not confirm the cancel of ${failed} code(s)`, { compartmentId: p.compartmentId, failed });
  return { cancelled, failed };
}

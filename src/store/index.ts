/**
 * The store's public surface: src/main imports from here (or the modules
 * directly). Internal helpers (rows.ts, SQL constants) are not re-exported.
 */
export { StoreError, type StoreErrorCode } from './errors.js';
export {
  openDatabase,
  closeDatabase,
  quickCheck,
  integrityCheck,
  inTransaction,
  schemaVersion,
  checkpoint,
  WAL_AUTOCHECKPOINT_PAGES,
  DEFAULT_BUSY_TIMEOUT_MS,
  type Db,
  type ReadDb,
  type DbMode,
  type OpenOptions,
  type CheckResult,
} from './db.js';
export { LATEST_SCHEMA_VERSION } from './migrations/index.js';
export {
  syncCompartments,
  listCompartments,
  getCompartment,
  setOutOfService,
  findFreeCompartment,
  freeCountsBySize,
  setReservedCompartments,
  naturalSortKey,
  REMOVED_REASON,
  type Compartment,
  type CompartmentInput,
  type SyncCompartmentsResult,
} from './compartments.js';
export {
  createParcel,
  transitionParcel,
  getParcel,
  activeParcelIn,
  occupantOf,
  listParcels,
  expireDueParcels,
  canTransition,
  type Parcel,
  type NewParcel,
  type ParcelFilter,
  type TransitionOptions,
} from './parcels.js';
export {
  hashPickupCode,
  codeVerdict,
  insertPickupCode,
  findCodeByHash,
  getPickupCode,
  activeSourceCodesIn,
  codesForParcel,
  markCodeUsed,
  consumeGrace,
  countCodeOpen,
  cancelCode,
  cancelCodesForParcel,
  expireDueCodes,
  isActiveHash,
  CODE_STATES,
  type CodeState,
  type CodeVerdict,
  type PickupCode,
  type NewPickupCode,
} from './pickup-codes.js';
export { replaceCodesFromSource, sourceCodeRefs, type SourceCode, type ReplaceCodesResult } from './pickup-code-sync.js';
export {
  recordEvent,
  nextDeliverable,
  getOutboxRow,
  markDelivered,
  markFailed,
  markDead,
  markSkipped,
  recordVendorResult,
  listUnsent,
  listVendorResults,
  doorActivitySince,
  retryDead,
  outboxStats,
  pruneDeliveredOutbox,
  eventsForParcel,
  getEvent,
  OUTBOX_STATES,
  type DomainEvent,
  type NewEvent,
  type OutboxRow,
  type OutboxState,
  type OutboxStats,
  type UnsentRow,
  type VendorResultRow,
} from './outbox.js';
export { recordInbox, getInbox, setInboxResult, pruneInbox, type InboxEntry } from './inbox.js';
export { appendAudit, listAudit, type AuditEntry, type ListAuditOptions } from './audit.js';
export {
  createOpenIntent,
  resolveOpenIntent,
  getOpenIntent,
  unresolvedIntents,
  intentsForParcel,
  hasOpenedForCode,
  lastIntentForCode,
  OPEN_RESULTS,
  type OpenIntent,
  type OpenResult,
} from './open-intents.js';
export {
  recordCodeAttempt,
  failedAttemptsSince,
  lockoutState,
  lockDelay,
  computeLockout,
  LockoutReplay,
  lockoutHistory,
  pruneCodeAttempts,
  DEFAULT_LOCKOUT_POLICY,
  STAFF_PIN_SOURCE,
  type LockoutPolicy,
  type LockoutState,
  type Attempt,
} from './attempts.js';
export { getSetting, setSetting } from './settings.js';
export {
  addCompartmentCheck,
  getCompartmentCheck,
  listCompartmentChecks,
  removeCompartmentCheck,
  type CompartmentCheck,
} from './compartment-checks.js';
export { recordNotifiedOrder, completeVendorOrder, failVendorOrderFetch, listVendorOrders, type VendorOrder } from './vendor-orders.js';

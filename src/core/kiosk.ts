import { EventEmitter } from 'node:events';
import type { CompartmentSize } from '../shared/domain.js';
import { KioskError } from '../shared/errors.js';
import * as store from '../store/index.js';
import type { Actor, FlowContext } from './context.js';
import { recordEvent, requireCheck, requireCompartment } from './door-open.js';
import { isDiskFault } from './result-commits.js';
import { openForDropoff, storeDroppedParcel, type DropoffOpened, type DropoffRequest, type DropoffStored } from './dropoff.js';
import { pickup, withRefusalFloor, type PickupResult, type PickupSource } from './pickup.js';
import { reconcileOpenIntents, type ReconcileReport } from './reconcile.js';
import { answerCheck, listChecks, type CheckAnswer, type CheckItem } from './checks.js';
import { cancelParcel, remotePickup, setParcelCode } from './remote.js';
import { expireDueParcels, openCompartment, returnParcel, setOutOfService, type DoorOpened } from './service.js';
import { verifyStaffPin, type StaffPins } from './staff.js';
import type { StaffRole } from '../shared/contract.js';

/** Door events as the drivers' supervisor reports them. */
export interface DoorEvent {
  board: number;
  lock: number;
  at: number;
  openMs?: number;
}

export interface DoorEventSource {
  on(event: 'door-closed' | 'door-left-open' | 'door-forced', listener: (e: DoorEvent) => void): unknown;
}

export interface DropoffTicket extends DropoffOpened {
  /** Resolves when the door closes on the parcel and its code is issued. */
  stored: Promise<DropoffStored>;
}

interface PendingDropoff {
  parcelId: string;
  actor: Actor;
  resolve: (stored: DropoffStored) => void;
  reject: (err: unknown) => void;
  promise: Promise<DropoffStored>;
}

/**
 * The cabinet's use-cases, one place: pickup, drop-off, return, technician and
 * remote open. Every door open goes through the same mutex and the same
 * intent-first path; the UI, the CLI and the cloud channel all call these.
 * Emits `changed` after each committed state change (for live screens).
 */
export class Kiosk extends EventEmitter {
  readonly #ctx: FlowContext;
  readonly #pending = new Map<string, PendingDropoff>();
  readonly #bySlot = new Map<string, string>();
  /** Set for good by suspendForSetup: the agent restarts after commissioning. */
  #inSetup = false;

  constructor(ctx: FlowContext, doorEvents: DoorEventSource) {
    super();
    this.#ctx = ctx;
    for (const c of store.listCompartments(ctx.db)) this.#bySlot.set(slot(c.board, c.lock), c.id);
    doorEvents.on('door-closed', (e) => this.#onDoorClosed(e));
    doorEvents.on('door-left-open', (e) => this.#recordDoorEvent('door.left-open', e));
    doorEvents.on('door-forced', (e) => this.#recordDoorEvent('door.forced', e));
  }

  /** Settles what a crash or power cut left half-done. Call once at boot, before taking requests. */
  async recover(): Promise<ReconcileReport[]> {
    const reports = await this.#door(() => reconcileOpenIntents(this.#ctx));
    this.#raiseChecks();
    if (reports.length || this.needsCheck().length) this.emit('changed');
    return reports;
  }

  /**
   * A customer is typing a code (the keypad calls this on each key): polls stay
   * off the lock bus for a few seconds, so OK finds the bus idle rather than
   * behind a poll of up to one transaction (~15 ms at 9600 baud).
   */
  customerActive(ms = CUSTOMER_ACTIVE_HOLD_MS): void {
    this.#ctx.doors.holdPolls?.(ms);
  }

  /** `onOpening`: the compartment, once the code is accepted and just before the pulse. */
  async pickup(code: string, source: PickupSource, onOpening?: (compartmentId: string) => void): Promise<PickupResult> {
    return this.#afterOpen(await withRefusalFloor(this.#ctx, () => this.#door(() => pickup(this.#ctx, code, source, onOpening))));
  }

  /**
   * Opens a compartment for a courier; `stored` resolves with the issued code
   * once the door closes. When the door did not open, or may have opened
   * (`unknown`: the compartment then waits for the courier's answer, see
   * `needsCheck`), `stored` rejects.
   */
  async startDropoff(req: DropoffRequest): Promise<DropoffTicket> {
    const ticket = await this.#door(async () => {
      const opened = await openForDropoff(this.#ctx, req);
      // Registered before the mutex is released, so a door closing at once is not missed.
      const stored = opened.outcome === 'opened' ? this.#expectClose(opened.parcelId, req.actor) : notStored(opened);
      return { ...opened, stored };
    });
    return this.#afterOpen(ticket);
  }

  /** Compartments waiting for "is a parcel inside?": staff screens ask these first. */
  needsCheck(): CheckItem[] {
    return listChecks(this.#ctx);
  }

  /** A person looked inside and answers; under the door mutex so no open of that compartment runs meanwhile. */
  async answerCheck(compartmentId: string, parcelInside: boolean, actor: Actor): Promise<CheckAnswer> {
    const answer = await this.#door(() => answerCheck(this.#ctx, compartmentId, parcelInside, actor));
    this.#raiseChecks();
    return this.#changed(answer);
  }

  /** The code a drop-off issued, once its door closes; rejects `parcel-not-found` when no drop-off waits on that parcel. */
  whenStored(parcelId: string): Promise<DropoffStored> {
    for (const pending of this.#pending.values()) if (pending.parcelId === parcelId) return pending.promise;
    return Promise.reject(new KioskError('parcel-not-found', `no drop-off is waiting for parcel ${parcelId}`, { parcelId }));
  }

  async openCompartment(compartmentId: string, actor: Actor, kind: 'technician' | 'remote' = 'technician'): Promise<DoorOpened> {
    return this.#afterOpen(await this.#door(() => openCompartment(this.#ctx, compartmentId, actor, kind)));
  }

  /** The operator opens a stored parcel's door for its recipient, as if the code was typed (remote.ts). */
  async remotePickup(parcelId: string, actor: Actor): Promise<DoorOpened & { parcelId: string }> {
    return this.#afterOpen(await this.#door(() => remotePickup(this.#ctx, parcelId, actor)));
  }

  /** Under the door mutex: a pickup of this parcel in flight finishes first, then the cancel sees its outcome. */
  async cancelParcel(parcelId: string, reason: string | null, actor: Actor): Promise<ReturnType<typeof cancelParcel>> {
    return this.#changed(await this.#door(async () => cancelParcel(this.#ctx, parcelId, reason, actor)));
  }

  async setParcelCode(p: Parameters<typeof setParcelCode>[1], actor: Actor): Promise<ReturnType<typeof setParcelCode>> {
    return this.#changed(await this.#door(async () => setParcelCode(this.#ctx, p, actor)));
  }

  /**
   * Every door, one after another, each through its own intent and audit row:
   * slower than the board's open-all frame, but a crash half-way leaves a
   * record of exactly which doors were pulsed.
   */
  async openAll(actor: Actor): Promise<{ opened: string[]; unknown: string[]; failed: Array<{ compartmentId: string; code: string }> }> {
    const opened: string[] = [];
    const unknown: string[] = [];
    const failed: Array<{ compartmentId: string; code: string }> = [];
    for (const c of store.listCompartments(this.#ctx.db)) {
      try {
        const door = await this.#door(() => openCompartment(this.#ctx, c.id, actor, 'technician'));
        if (door.outcome === 'opened') opened.push(c.id);
        else if (door.outcome === 'unknown') unknown.push(c.id);
        else failed.push({ compartmentId: c.id, code: 'door-did-not-open' });
      } catch (err) {
        failed.push({ compartmentId: c.id, code: err instanceof KioskError ? err.code : 'internal' });
      }
    }
    this.#raiseChecks();
    return this.#changed({ opened, unknown, failed });
  }

  /**
   * What the courier screen offers to take back: expired parcels and those the
   * operator cancelled, oldest expiry first. A stored parcel is returned only
   * on the operator's word (CLI or cloud), never from the kiosk screen.
   */
  parcelsToReturn(): store.Parcel[] {
    const parcels = store.listParcels(this.#ctx.db, { states: ['expired', 'cancelled'], occupying: true });
    return parcels.sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity));
  }

  /** Gives dead outbox rows another round of delivery (a technician fixed the cause); audited. */
  retryDeadOutbox(actor: Actor, destination?: string): number {
    const at = this.#ctx.clock();
    const retried = store.inTransaction(this.#ctx.db, () => {
      const n = store.retryDead(this.#ctx.db, destination, at);
      if (n) store.appendAudit(this.#ctx.db, { at, actor, action: 'outbox.retry-dead', detail: { destination: destination ?? null, rows: n } });
      return n;
    });
    if (retried) this.#ctx.eventQueued?.();
    return this.#changed(retried);
  }

  verifyStaffPin(role: StaffRole, pin: string, pins: StaffPins): StaffRole {
    return verifyStaffPin(this.#ctx, role, pin, pins);
  }

  async returnParcel(compartmentId: string, actor: Actor): Promise<DoorOpened & { parcelId: string }> {
    return this.#afterOpen(await this.#door(() => returnParcel(this.#ctx, compartmentId, actor)));
  }

  setOutOfService(compartmentId: string, outOfService: boolean, reason: string | null, actor: Actor): void {
    setOutOfService(this.#ctx, compartmentId, outOfService, reason, actor);
    this.emit('changed');
  }

  expireDueParcels(): number {
    const n = expireDueParcels(this.#ctx);
    if (n) this.emit('changed');
    return n;
  }

  freeCounts(): Record<CompartmentSize, number> {
    return store.freeCountsBySize(this.#ctx.db);
  }

  /** Drop-offs whose door is open and not yet closed. */
  pendingDropoffs(): string[] {
    return [...this.#pending.values()].map((p) => p.parcelId);
  }

  /**
   * Commissioning takes the lock bus: waits for the door flow in flight, then
   * refuses every later one (`cabinet-in-setup`). There is no resume: the
   * agent restarts on the new configuration, and recover() settles what was
   * left open.
   */
  async suspendForSetup(): Promise<void> {
    await this.#door(() => {
      this.#inSetup = true;
    });
    this.emit('changed');
  }

  /** Fails every waiter; called at shutdown. The parcels stay `awaiting-dropoff` for `recover()`. */
  close(): void {
    for (const pending of this.#pending.values()) pending.reject(new KioskError('agent-busy', 'agent is shutting down'));
    this.#pending.clear();
    this.#ctx.commits.stop();
  }

  /** Door results the disk refused and that are still being retried (0 when all are recorded). */
  pendingResults(): number {
    return this.#ctx.commits.pending;
  }

  #expectClose(parcelId: string, actor: Actor): Promise<DropoffStored> {
    const parcel = store.getParcel(this.#ctx.db, parcelId);
    if (!parcel) return Promise.reject(new KioskError('parcel-not-found', `parcel ${parcelId} vanished`));
    let resolve!: (s: DropoffStored) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<DropoffStored>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // nobody may be waiting (e.g. after recover())
    this.#pending.set(parcel.compartmentId, { parcelId, actor, resolve, reject, promise });
    return promise;
  }

  #onDoorClosed(e: DoorEvent): void {
    const compartmentId = this.#bySlot.get(slot(e.board, e.lock));
    if (!compartmentId) return;
    this.#recordDoorEvent('door.closed', e);
    const pending = this.#pending.get(compartmentId);
    if (!pending) return;
    this.#pending.delete(compartmentId);
    try {
      pending.resolve(storeDroppedParcel(this.#ctx, pending.parcelId, pending.actor));
      this.emit('changed');
    } catch (err) {
      this.#ctx.log.error({ err, parcelId: pending.parcelId }, 'could not store a dropped-off parcel');
      pending.reject(isDiskFault(err) ? new KioskError('storage-full', 'the parcel is inside but its code could not be recorded: the compartment waits for a check') : err);
      // The parcel is in, but nobody holds its code: the compartment must not look free or silently stored.
      const parcelId = pending.parcelId;
      this.#ctx.commits.commit(`drop-off ${compartmentId} check`, () => {
        if (store.getParcel(this.#ctx.db, parcelId)?.state !== 'awaiting-dropoff') return;
        requireCheck(this.#ctx, { compartment: requireCompartment(this.#ctx, compartmentId), kind: 'dropoff', parcelId, intentId: null, reason: 'door closed but the parcel could not be stored' }, e.at);
      });
      this.#raiseChecks();
    }
  }

  #recordDoorEvent(type: 'door.closed' | 'door.left-open' | 'door.forced', e: DoorEvent): void {
    const compartmentId = this.#bySlot.get(slot(e.board, e.lock));
    if (!compartmentId) return;
    const ids = { compartmentId, board: e.board, lock: e.lock };
    const at = this.#ctx.clock();
    try {
      store.inTransaction(this.#ctx.db, () => {
        if (type === 'door.closed') recordEvent(this.#ctx, { type, compartmentId, payload: { ...ids, openMs: e.openMs ?? null, at } }, at);
        else if (type === 'door.left-open') recordEvent(this.#ctx, { type, compartmentId, payload: { ...ids, openMs: e.openMs ?? 0, at } }, at);
        else recordEvent(this.#ctx, { type, compartmentId, payload: { ...ids, at } }, at);
        store.appendAudit(this.#ctx.db, { at, actor: 'system:supervisor', action: type, compartmentId, detail: { openMs: e.openMs ?? null } });
      });
    } catch (err) {
      this.#ctx.log.error({ err, type, compartmentId }, 'could not record a door event');
    }
    this.emit('door', { type, compartmentId, at });
  }

  /** After any open: a new needs-check raises its alarm, and live screens refresh. */
  #afterOpen<T extends { outcome: string }>(value: T): T {
    if (value.outcome === 'unknown') this.#raiseChecks();
    return this.#changed(value);
  }

  #raiseChecks(): void {
    const waiting = store.listCompartmentChecks(this.#ctx.db).map((c) => c.compartmentId);
    this.#ctx.alarm('needs-check', waiting.length > 0, waiting.length ? `compartment(s) ${waiting.join(', ')} wait for someone to look inside` : null);
  }

  /**
   * The one place a use-case takes the door mutex: every open, and every
   * change a concurrent open could race with, runs here one after another.
   */
  #door<T>(story: () => Promise<T> | T): Promise<T> {
    return this.#ctx.mutex.run(() => {
      if (this.#inSetup) throw new KioskError('cabinet-in-setup', 'a technician is setting up the cabinet: no door opens until the agent restarts');
      return story();
    });
  }

  #changed<T>(value: T): T {
    this.emit('changed');
    return value;
  }
}

/** Long enough to cover the pause between two keypresses. */
const CUSTOMER_ACTIVE_HOLD_MS = 3000;

function notStored(opened: { outcome: string; compartmentId: string }): Promise<DropoffStored> {
  const err = new KioskError(opened.outcome === 'unknown' ? 'compartment-needs-check' : 'door-did-not-open', `drop-off door ${opened.compartmentId} ${opened.outcome}: no parcel is stored`, { compartmentId: opened.compartmentId });
  const rejected = Promise.reject(err);
  rejected.catch(() => undefined);
  return rejected;
}

function slot(board: number, lock: number): string {
  return `${board}/${lock}`;
}

import type { CallOutput, CheckView, ContractError } from '../../shared/contract.js';
import { assertNever, type CheckKind, type DoorOutcome, type DoorState } from '../../shared/domain.js';
import type { Messages } from '../i18n/messages.js';
import type { Screen } from './screens.js';

/**
 * Where each door answer leads, and which catalogue sentence says it. The
 * screen tells the truth about the door: `opened` shows the open door,
 * `not-opened` says it stayed shut, `unknown` says it may have opened and asks
 * the person to look (never "failed": the lock may have been pulsed).
 */

type MessageKey = {
  [K in keyof Messages]: Messages[K] extends string ? K : never;
}[keyof Messages];

export type NotOpened = Exclude<DoorOutcome, 'opened'>;

/** `code`: the typed code, kept on the open screen while it may open once more ("Door didn't open?"). */
export function screenAfterPickup(r: Pick<CallOutput<'pickup'>, 'outcome' | 'compartmentId' | 'reopened' | 'opensLeft'>, code: string | null = null): Screen {
  if (r.outcome === 'opened') return { name: 'open', compartmentId: r.compartmentId, reopened: r.reopened, retryCode: r.opensLeft > 0 ? code : null };
  return { name: 'pickup-outcome', compartmentId: r.compartmentId, outcome: r.outcome, opensLeft: r.opensLeft };
}

/**
 * A pickup call that got no answer because the link to the agent dropped
 * after the call left (`meta.linkLost`): the agent may have pulsed a door, so
 * the customer hears "may have opened", never "failed" or "busy". Null for
 * every answer the agent itself gave.
 */
export function screenAfterPickupFailure(error: ContractError): Screen | null {
  return error.code === 'agent-busy' && error.meta?.['linkLost'] === true ? { name: 'pickup-unknown' } : null;
}

/**
 * What "Door didn't open?" on the open-door screen does, honestly: when the
 * agent reads the door as open it says so (pull the door; no second pulse);
 * otherwise the code's one grace re-open when it has one; otherwise staff.
 */
export type DoorHelp = 'reads-open' | 'reopen' | 'staff';

export function doorHelp(door: DoorState, retryCode: string | null): DoorHelp {
  if (door === 'open') return 'reads-open';
  return retryCode !== null ? 'reopen' : 'staff';
}

export interface PickupOutcomeText {
  /** Holds `{door}`. */
  title: MessageKey;
  next: MessageKey;
  /** The code may open once more: offer the keypad again. */
  retry: boolean;
  /** No open left: show the support phone and QR. */
  support: boolean;
}

/** The customer's sentence after a pickup whose door did not (or may not have) opened. */
export function pickupOutcomeText(outcome: NotOpened, opensLeft: number): PickupOutcomeText {
  const retry = opensLeft > 0;
  if (outcome === 'unknown') return { title: 'doorMaybeTitle', next: retry ? 'pickupMaybeRetry' : 'pickupMaybeStaff', retry, support: !retry };
  return { title: 'doorNotOpenedTitle', next: retry ? 'pickupNotOpenedRetry' : 'pickupNotOpenedStaff', retry, support: !retry };
}

type DropoffStarted = Pick<CallOutput<'dropoff.start'>, 'outcome' | 'compartmentId' | 'parcelId' | 'board' | 'lock'>;

/**
 * A courier's drop-off: `opened` waits for the door; `not-opened` says so and
 * goes back to the size choice; `unknown` asks at once whether a parcel is
 * inside that compartment (the agent cannot tell, the courier can).
 */
export function screenAfterDropoffStart(r: DropoffStarted, now: number): Screen {
  const sizes: Screen = { name: 'dropoff-size' };
  switch (r.outcome) {
    case 'opened':
      return { name: 'dropoff-open', compartmentId: r.compartmentId, parcelId: r.parcelId };
    case 'not-opened':
      return { name: 'door-not-opened', compartmentId: r.compartmentId, back: sizes };
    case 'unknown':
      return { name: 'check', queue: [{ compartmentId: r.compartmentId, board: r.board, lock: r.lock, kind: 'dropoff', parcelExpected: false, since: now }], liveId: r.compartmentId, then: sizes };
    default:
      return assertNever(r.outcome, 'door outcome');
  }
}

/** A courier's return: the open door (also when it may have opened), or "did not open" back to the list. */
export function screenAfterReturnOpen(r: { outcome: DoorOutcome; compartmentId: string }): Screen {
  if (r.outcome === 'not-opened') return { name: 'door-not-opened', compartmentId: r.compartmentId, back: { name: 'return-list' } };
  return { name: 'return-open', compartmentId: r.compartmentId, outcome: r.outcome };
}

/** What to do after a door stayed shut, by where the person goes back to. */
export function notOpenedNext(back: Screen): MessageKey {
  return back.name === 'return-list' ? 'returnNotOpenedNext' : 'dropoffNotOpenedNext';
}

/** The technician's notice after `service.open`; holds `{door}`. */
export function serviceOpenNotice(outcome: DoorOutcome): { kind: 'ok' | 'warn'; text: MessageKey } {
  switch (outcome) {
    case 'opened':
      return { kind: 'ok', text: 'svcOpened' };
    case 'unknown':
      return { kind: 'warn', text: 'svcMaybeOpened' };
    case 'not-opened':
      return { kind: 'warn', text: 'svcNotOpened' };
    default:
      return assertNever(outcome, 'door outcome');
  }
}

/** "Door N: … Is a parcel inside?" by why the compartment waits; `live`: its door answered `unknown` just now. Holds `{door}`. */
export function checkQuestion(kind: CheckKind, live: boolean): MessageKey {
  if (live) return 'checkLive';
  switch (kind) {
    case 'dropoff':
      return 'checkDropoff';
    case 'return':
      return 'checkReturn';
    case 'technician':
    case 'remote':
      return 'checkOpened';
    default:
      return assertNever(kind, 'check kind');
  }
}

/**
 * The checks to ask, each compartment once, `first` at the front: a check
 * (the one whose door just answered, perhaps not listed yet) or the id of a
 * listed one (the compartment a technician tapped).
 */
export function checkQueue(listed: readonly CheckView[], first?: CheckView | string): CheckView[] {
  const id = typeof first === 'string' ? first : first?.compartmentId;
  const head = typeof first === 'string' ? listed.find((c) => c.compartmentId === id) : first;
  const rest = listed.filter((c) => c.compartmentId !== id);
  return head ? [head, ...rest] : rest;
}

/** Where staff go after a login or a door that may have opened: each check first, then `then`. */
export function screenForChecks(queue: readonly CheckView[], then: Screen, liveId: string | null = null): Screen {
  return queue.length ? { name: 'check', queue: [...queue], liveId, then } : then;
}

/**
 * After one answer: `stored` shows the drop-off's code (once, like a normal
 * drop-off), then the next question, then `then`.
 */
export function screenAfterCheck(answer: CallOutput<'check.answer'>, rest: readonly CheckView[], then: Screen): Screen {
  const next = screenForChecks(rest, then);
  if (answer.resolution === 'stored' && answer.code !== null) {
    return { name: 'dropoff-code', compartmentId: answer.compartmentId, code: answer.code, expiresAt: answer.expiresAt, then: next };
  }
  return next;
}

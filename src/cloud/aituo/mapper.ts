import { assertNever } from '../../shared/domain.js';
import type { OutboundEvent, OutboundEventOf } from '../common/outbound-event.js';
import { AITUO_PUSH_OTYPES, aituoPushBodySchema, type AituoPushBody, type AituoPushConfig, type AituoPushOType } from './schemas.js';

/**
 * Our domain events → the Aituo merchant pushes of docs/vendors/aituo.md §3.2/§3.3:
 * `parcel.stored` → 1001 EmployeeDropoff, `parcel.returned` → 1002 EmployeeReturn,
 * `parcel.picked-up` → 1003 CustomerPickup. Pure: no clock, no I/O, no secret.
 */

/** Opens `sealedCode` (AES-GCM, cabinet secret). src/main owns the secret and passes this in. */
export type UnsealCode = (sealed: string) => string;

/**
 * Values the caller knows and our events do not carry (src/main may look them
 * up: an Aituo employee id for the courier, the merchant's order code…). Each
 * one given wins over the configured source.
 */
export interface AituoPushRefs {
  userId?: string | undefined;
  orderCode?: string | undefined;
  pinCode?: string | undefined;
}

export type AituoMappingErrorCode = 'value-absent';

/** Permanent: the row cannot become a valid push until config or refs change. */
export class AituoMappingError extends Error {
  override readonly name = 'AituoMappingError';
  constructor(
    readonly code: AituoMappingErrorCode,
    message: string,
    readonly meta: { oType: AituoPushOType; field: keyof AituoPushBody; eventId: string },
  ) {
    super(message);
  }
}

export interface AituoMapperDeps {
  unsealCode: UnsealCode;
}

/** The event types Aituo has a push for (docs/vendors/aituo.md §3.2 table). */
export const AITUO_MAPPED_EVENT_TYPES = ['parcel.stored', 'parcel.returned', 'parcel.picked-up'] as const;

/**
 * The push for one event, or `null` when Aituo has no push for its type (the
 * sync engine marks such rows done for this destination). Throws
 * `AituoMappingError` only when `whenAbsent: 'fail'`; a throw of `unsealCode`
 * propagates (a sealed code the secret cannot open is a permanent failure too).
 */
export function aituoPushFor(event: OutboundEvent, config: AituoPushConfig, deps: AituoMapperDeps, refs: AituoPushRefs = {}): AituoPushBody | null {
  switch (event.type) {
    case 'parcel.stored':
      return employeeDropoffPush(event, config, deps, refs);
    case 'parcel.returned':
      return employeeReturnPush(event, config, refs);
    case 'parcel.picked-up':
      return customerPickupPush(event, config, refs);
    case 'parcel.expired':
    case 'parcel.cancelled':
    case 'parcel.dropoff-interrupted':
    case 'door.opened':
    case 'door.open-failed':
    case 'door.open-unconfirmed':
    case 'door.closed':
    case 'door.left-open':
    case 'door.forced':
    case 'keypad.locked-out':
    case 'compartment.service-changed':
    case 'pickup.unconfirmed':
    case 'compartment.needs-check':
    case 'compartment.check-answered':
    case 'cabinet.storage-low':
    case 'agent.crashed':
    case 'screen.crashed':
      return null;
    default:
      return assertNever(event, 'event');
  }
}

/** 1001: the courier closed the door on a parcel; the PIN was just issued. */
export function employeeDropoffPush(
  event: OutboundEventOf<'parcel.stored'>,
  config: AituoPushConfig,
  deps: AituoMapperDeps,
  refs: AituoPushRefs = {},
): AituoPushBody {
  const p = event.payload;
  // Unseal only when the value will be sent: the plain code exists as briefly as possible.
  const pin = refs.pinCode ?? (config.dropoffPinCode === 'unsealed' ? deps.unsealCode(p.sealedCode) : undefined);
  return build(AITUO_PUSH_OTYPES.employeeDropoff, event, config, {
    userId: refs.userId ?? (config.userId === 'our-actor' ? (p.courier ?? undefined) : undefined),
    boxOf: p.compartmentId,
    orderCode: refs.orderCode ?? (config.orderCode === 'parcel-id' ? p.parcelId : undefined),
    pinCode: pin,
  });
}

/** 1002: an employee took the parcel back out. The event carries no code (its codes were cancelled). */
export function employeeReturnPush(event: OutboundEventOf<'parcel.returned'>, config: AituoPushConfig, refs: AituoPushRefs = {}): AituoPushBody {
  const p = event.payload;
  return build(AITUO_PUSH_OTYPES.employeeReturn, event, config, {
    userId: refs.userId ?? (config.userId === 'our-actor' ? p.actor : undefined),
    boxOf: p.compartmentId,
    orderCode: refs.orderCode ?? (config.orderCode === 'parcel-id' ? p.parcelId : undefined),
    pinCode: refs.pinCode,
  });
}

/**
 * 1003: the customer collected the parcel. The event names no customer and
 * does not carry the code used (codes are stored hashed), so `userId` and
 * `pinCode` come from `refs` or are absent; `parcelId` is null when a vendor
 * code opened a compartment with no local parcel.
 */
export function customerPickupPush(event: OutboundEventOf<'parcel.picked-up'>, config: AituoPushConfig, refs: AituoPushRefs = {}): AituoPushBody {
  const p = event.payload;
  return build(AITUO_PUSH_OTYPES.customerPickup, event, config, {
    userId: refs.userId,
    boxOf: p.compartmentId,
    orderCode: refs.orderCode ?? (config.orderCode === 'parcel-id' ? (p.parcelId ?? undefined) : undefined),
    pinCode: refs.pinCode,
  });
}

interface Sources {
  userId: string | undefined;
  boxOf: string;
  orderCode: string | undefined;
  pinCode: string | undefined;
}

function build(oType: AituoPushOType, event: OutboundEvent, config: AituoPushConfig, s: Sources): AituoPushBody {
  const value = (field: keyof AituoPushBody, v: string | undefined): string => {
    if (v !== undefined) return v;
    if (config.whenAbsent === 'fail') {
      throw new AituoMappingError('value-absent', `Aituo ${oType} needs ${field} and event ${event.id} has none`, { oType, field, eventId: event.id });
    }
    return ''; // UNVERIFIED: docs/vendors/aituo.md §3.3 (required flags unknown): keep the documented key, with no value.
  };
  // Key order follows the §3.3 example; the parse guards the "all strings, no extra key" contract.
  return aituoPushBodySchema.parse({
    oType,
    tid: config.tid === 'event-id' ? event.id : config.deviceNo,
    userId: value('userId', s.userId),
    deviceNo: config.deviceNo,
    boxNo: config.boxNumbers[s.boxOf] ?? s.boxOf,
    orderCode: value('orderCode', s.orderCode),
    pinCode: value('pinCode', s.pinCode),
  });
}

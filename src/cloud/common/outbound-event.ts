import type { DomainEventType, EventPayload } from '../../shared/events.js';

/**
 * A domain event as the sync engine hands it to a vendor mapper: the store's
 * outbox row with its payload parsed by `eventPayloadSchemas` (src/main does
 * the wiring; src/cloud never reads the store). `id` is the UUIDv7 event id,
 * which doubles as the idempotency key sent to every destination.
 */
export type OutboundEvent = {
  [T in DomainEventType]: {
    id: string;
    type: T;
    payload: EventPayload<T>;
    parcelId: string | null;
    compartmentId: string | null;
    occurredAt: number;
    cabinetId: string;
  };
}[DomainEventType];

/** The events of one type, for a mapper that handles only that type. */
export type OutboundEventOf<T extends DomainEventType> = Extract<OutboundEvent, { type: T }>;

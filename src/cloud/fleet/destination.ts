/**
 * The outbox as a destination on the broker (docs/fleet.md §4): one
 * QoS 1 message per row on `events`, delivered only on the broker's PUBACK.
 * A backlog goes out as a window of publishes (rows of different parcels)
 * using half the link's in-flight limit, so alarms and the state snapshot
 * always find a slot.
 * The drainer (../sync/drainer.ts) keeps the order (oldest first per parcel)
 * and the outbox stays the truth: while the broker is away the attempt waits
 * for the connection until the drainer's attempt timeout, and the row stays
 * pending.
 */
import type { OutboundEvent } from '../common/outbound-event.js';
import type { DeliveryOutcome, Destination } from '../sync/ports.js';
import { FleetError } from './errors.js';
import type { FleetLink } from './link.js';
import type { FleetEventPayload } from './topics.js';

export class FleetDestination implements Destination {
  constructor(
    readonly name: string,
    readonly link: FleetLink,
    /** Told of every event the broker acknowledged (the agent raises its lockout alarm from `keypad.locked-out`). */
    readonly onDelivered: (event: OutboundEvent) => void = () => undefined,
  ) {}

  get concurrency(): number {
    return Math.max(1, Math.floor(this.link.maxInflight / 2));
  }

  async deliver(event: OutboundEvent, signal: AbortSignal): Promise<DeliveryOutcome> {
    const message: FleetEventPayload = {
      idempotencyKey: event.id,
      type: event.type,
      cabinetId: event.cabinetId,
      parcelId: event.parcelId,
      compartmentId: event.compartmentId,
      occurredAt: event.occurredAt,
      payload: event.payload,
    };
    const text = JSON.stringify(message);
    try {
      await this.link.waitConnected(signal);
      await this.link.publish(this.link.topics.events, text, { qos: 1, signal });
      this.onDelivered(event);
      return { kind: 'delivered' };
    } catch (err) {
      if (err instanceof FleetError && err.code === 'payload-too-large') return { kind: 'dead', reason: err.message };
      // Not connected in time, connection lost before the PUBACK, stopped: the row waits (the drainer classifies aborts as retries).
      throw err;
    }
  }
}

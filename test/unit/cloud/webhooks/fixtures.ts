import type { OutboundEventOf } from '../../../../src/cloud/common/outbound-event.js';

/** A sealed code as secrets.ts writes it (the tests never open it). */
export const SEALED = 'v1.c2VhbGVk.Y29kZQ.dGFn';

/** A `parcel.stored` event with every field set, as the outbox hands it to a destination. */
export function storedEvent(id = '0190a1b2-0000-7000-8000-000000000001'): OutboundEventOf<'parcel.stored'> {
  return {
    id,
    type: 'parcel.stored',
    parcelId: 'p-1',
    compartmentId: '7',
    occurredAt: Date.UTC(2025, 0, 20, 8, 49, 16, 123),
    cabinetId: 'CAB-1',
    payload: {
      parcelId: 'p-1', compartmentId: '7', board: 1, lock: 7, size: 'M', courier: 'bob', trackingNo: 'SF123',
      storedAt: 1, expiresAt: 2, sealedCode: SEALED,
    },
  };
}

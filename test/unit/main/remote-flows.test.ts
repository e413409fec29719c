import { describe, expect, it } from 'vitest';
import * as store from '../../../src/store/index.js';
import { dropOff, flowFixture } from '../../helpers/flow-context.js';
import { failure } from '../../helpers/failure.js';

describe('remote flows (command channel)', () => {
  it('remote pickup opens the parcel door once and completes the pickup via remote; the code then reads as used', async () => {
    const f = flowFixture();
    const stored = await dropOff(f);
    const opened = await f.kiosk.remotePickup(stored.parcelId, 'operator:channel');
    expect(opened.compartmentId).toBe(stored.compartmentId);
    expect(f.doors.opens).toHaveLength(2); // drop-off + remote pickup
    expect(store.getParcel(f.db, stored.parcelId)?.state).toBe('picked-up');
    const picked = store.eventsForParcel(f.db, stored.parcelId).find((e) => e.type === 'parcel.picked-up');
    expect(picked?.payload).toMatchObject({ via: 'remote' });
    expect((await failure(f.kiosk.remotePickup(stored.parcelId, 'operator:channel'))).code).toBe('parcel-not-stored');
    expect(f.doors.opens).toHaveLength(2);
  });

  it('cancel voids the codes without opening a door, queues parcel.cancelled, and leaves the parcel for an employee return', async () => {
    const f = flowFixture();
    const stored = await dropOff(f);
    const result = await f.kiosk.cancelParcel(stored.parcelId, 'recipient refused', 'operator:channel');
    expect(result).toEqual({ parcelId: stored.parcelId, compartmentId: stored.compartmentId, codesCancelled: 1 });
    expect(f.doors.opens).toHaveLength(1);
    expect((await failure(f.kiosk.pickup(stored.code, 'keypad'))).code).toBe('code-invalid');
    expect(store.eventsForParcel(f.db, stored.parcelId).map((e) => e.type)).toContain('parcel.cancelled');
    expect(f.kiosk.parcelsToReturn().map((p) => p.id)).toEqual([stored.parcelId]);
  });

  it('set-code replaces the parcel codes: the new one opens, the old one no longer does; a code in use is refused', async () => {
    const f = flowFixture();
    const stored = await dropOff(f);
    const other = await dropOff(f);
    expect((await failure(f.kiosk.setParcelCode({ parcelId: stored.parcelId, code: other.code, validUntil: null, source: 'channel', externalId: 'cmd-0' }, 'operator:channel'))).code).toBe('code-in-use');
    expect((await failure(f.kiosk.setParcelCode({ parcelId: stored.parcelId, code: '12ab', validUntil: null, source: 'channel', externalId: 'cmd-0' }, 'operator:channel'))).code).toBe('bad-request');
    await f.kiosk.setParcelCode({ parcelId: stored.parcelId, code: '20261123', validUntil: null, source: 'channel', externalId: 'cmd-1' }, 'operator:channel');
    expect((await failure(f.kiosk.pickup(stored.code, 'keypad'))).code).toBe('code-invalid');
    const result = await f.kiosk.pickup('20261123', 'keypad');
    expect(result.parcelId).toBe(stored.parcelId);
  });

  it('refuses unknown parcels with parcel-not-found', async () => {
    const f = flowFixture();
    expect((await failure(f.kiosk.cancelParcel('nope', null, 'operator:channel'))).code).toBe('parcel-not-found');
    expect((await failure(f.kiosk.remotePickup('nope', 'operator:channel'))).code).toBe('parcel-not-found');
  });
});

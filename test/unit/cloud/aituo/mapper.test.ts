import { describe, expect, it, vi } from 'vitest';
import {
  AITUO_MAPPED_EVENT_TYPES,
  AituoMappingError,
  aituoPushFor,
  customerPickupPush,
  employeeDropoffPush,
  employeeReturnPush,
} from '../../../../src/cloud/aituo/mapper.js';
import { aituoPushBodySchema, aituoPushConfigSchema, type AituoPushConfig } from '../../../../src/cloud/aituo/schemas.js';
import type { OutboundEvent, OutboundEventOf } from '../../../../src/cloud/common/outbound-event.js';
import { DOMAIN_EVENT_TYPES } from '../../../../src/shared/events.js';

const base = { cabinetId: 'CAB-1', occurredAt: 1_700_000_000_000 };
const stored: OutboundEventOf<'parcel.stored'> = {
  ...base,
  id: '0190a1b2-0000-7000-8000-000000000001',
  type: 'parcel.stored',
  parcelId: 'p-1',
  compartmentId: '7',
  payload: {
    parcelId: 'p-1', compartmentId: '7', board: 1, lock: 7, size: 'M', courier: 'bob', trackingNo: 'SF123',
    storedAt: 1_700_000_000_000, expiresAt: null, sealedCode: 'v1.iv.ct.tag',
  },
};
const returned: OutboundEventOf<'parcel.returned'> = {
  ...base,
  id: '0190a1b2-0000-7000-8000-000000000002',
  type: 'parcel.returned',
  parcelId: 'p-1',
  compartmentId: '7',
  payload: { parcelId: 'p-1', compartmentId: '7', board: 1, lock: 7, previousState: 'expired', returnedAt: 1, actor: 'courier:bob' },
};
const pickedUp: OutboundEventOf<'parcel.picked-up'> = {
  ...base,
  id: '0190a1b2-0000-7000-8000-000000000003',
  type: 'parcel.picked-up',
  parcelId: 'p-1',
  compartmentId: '7',
  payload: {
    parcelId: 'p-1', compartmentId: '7', board: 1, lock: 7, codeSource: 'local', codeExternalId: null, externalRef: null,
    pickedUpAt: 2, via: 'keypad',
  },
};

const config = (over: Partial<AituoPushConfig> = {}): AituoPushConfig => aituoPushConfigSchema.parse({ deviceNo: 'AT1003', ...over });
const unsealCode = vi.fn((sealed: string) => (sealed === 'v1.iv.ct.tag' ? '123456' : 'wrong'));
const deps = { unsealCode };
const KEYS = ['oType', 'tid', 'userId', 'deviceNo', 'boxNo', 'orderCode', 'pinCode'];

function expectAllStrings(body: Record<string, unknown>): void {
  expect(Object.keys(body)).toEqual(KEYS); // §3.3 example: these seven, in this order, nothing else
  for (const value of Object.values(body)) expect(typeof value).toBe('string');
}

describe('Aituo push mapper (docs/vendors/aituo.md §3.2, §3.3)', () => {
  it('parcel.stored → 1001 EmployeeDropoff with the unsealed PIN', () => {
    unsealCode.mockClear();
    const body = employeeDropoffPush(stored, config(), deps);
    expect(body).toEqual({ oType: '1001', tid: stored.id, userId: '', deviceNo: 'AT1003', boxNo: '7', orderCode: 'p-1', pinCode: '123456' });
    expect(unsealCode).toHaveBeenCalledWith('v1.iv.ct.tag');
    expectAllStrings(body);
  });

  it('parcel.returned → 1002 EmployeeReturn; no PIN in our event', () => {
    const body = employeeReturnPush(returned, config());
    expect(body).toEqual({ oType: '1002', tid: returned.id, userId: '', deviceNo: 'AT1003', boxNo: '7', orderCode: 'p-1', pinCode: '' });
    expectAllStrings(body);
  });

  it('parcel.picked-up → 1003 CustomerPickup in the shape of the §3.3 example', () => {
    const body = customerPickupPush(pickedUp, config(), { userId: '1', pinCode: '123456' });
    expect(body).toEqual({ oType: '1003', tid: pickedUp.id, userId: '1', deviceNo: 'AT1003', boxNo: '7', orderCode: 'p-1', pinCode: '123456' });
    expectAllStrings(body);
  });

  it('a pickup with no local parcel has no orderCode unless one is passed', () => {
    const orphan: OutboundEventOf<'parcel.picked-up'> = { ...pickedUp, parcelId: null, payload: { ...pickedUp.payload, parcelId: null, codeSource: 'dingshang' } };
    expect(customerPickupPush(orphan, config()).orderCode).toBe('');
    expect(customerPickupPush(orphan, config(), { orderCode: 'ORD-9' }).orderCode).toBe('ORD-9');
  });

  it('explicit refs win over every configured source', () => {
    const body = employeeDropoffPush(stored, config({ userId: 'our-actor' }), deps, { userId: 'E-42', orderCode: 'ORD-1', pinCode: '999999' });
    expect(body).toMatchObject({ userId: 'E-42', orderCode: 'ORD-1', pinCode: '999999' });
  });

  it('userId our-actor sends the courier / actor names we hold', () => {
    expect(employeeDropoffPush(stored, config({ userId: 'our-actor' }), deps).userId).toBe('bob');
    expect(employeeReturnPush(returned, config({ userId: 'our-actor' })).userId).toBe('courier:bob');
    // The pickup event names no customer: nothing to send.
    expect(customerPickupPush(pickedUp, config({ userId: 'our-actor' })).userId).toBe('');
  });

  it('config switches: tid, orderCode, boxNumbers, dropoffPinCode', () => {
    unsealCode.mockClear();
    const body = employeeDropoffPush(stored, config({ tid: 'device-no', orderCode: 'input-only', boxNumbers: { '7': '12' }, dropoffPinCode: 'absent' }), deps);
    expect(body).toEqual({ oType: '1001', tid: 'AT1003', userId: '', deviceNo: 'AT1003', boxNo: '12', orderCode: '', pinCode: '' });
    expect(unsealCode).not.toHaveBeenCalled();
  });

  it('whenAbsent fail throws a permanent AituoMappingError naming the field', () => {
    const strict = config({ whenAbsent: 'fail' });
    expect(() => employeeReturnPush(returned, strict)).toThrowError(AituoMappingError);
    try {
      employeeReturnPush(returned, strict);
    } catch (e) {
      expect(e).toMatchObject({ code: 'value-absent', meta: { oType: '1002', field: 'userId', eventId: returned.id } });
    }
    expect(employeeDropoffPush(stored, strict, deps, { userId: 'E-1' }).pinCode).toBe('123456');
  });

  it('an unseal failure propagates', () => {
    const broken = { unsealCode: () => { throw new Error('bad tag'); } };
    expect(() => employeeDropoffPush(stored, config(), broken)).toThrow('bad tag');
  });

  it('aituoPushFor dispatches the three types and returns null for every other event', () => {
    expect(aituoPushFor(stored, config(), deps)?.oType).toBe('1001');
    expect(aituoPushFor(returned, config(), deps)?.oType).toBe('1002');
    expect(aituoPushFor(pickedUp, config(), deps)?.oType).toBe('1003');
    const door: OutboundEvent = {
      ...base, id: 'e-4', type: 'door.opened', parcelId: null, compartmentId: '7',
      payload: { compartmentId: '7', board: 1, lock: 7, kind: 'technician', actor: 'tech', at: 3 },
    };
    expect(aituoPushFor(door, config(), deps)).toBeNull();
    expect(DOMAIN_EVENT_TYPES).toEqual(expect.arrayContaining([...AITUO_MAPPED_EVENT_TYPES]));
  });

  it('every mapped body passes the outbound schema', () => {
    for (const event of [stored, returned, pickedUp]) {
      const body = aituoPushFor(event, config(), deps);
      expect(aituoPushBodySchema.safeParse(body).success).toBe(true);
    }
  });
});

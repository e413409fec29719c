import { describe, expect, it } from 'vitest';
import { appendAudit, listAudit } from '../../../src/store/index.js';
import { memoryDb, T0 } from './helpers.js';

describe('audit', () => {
  it('appends and lists in order, paged by sinceId or newest first', () => {
    const db = memoryDb();
    appendAudit(db, { at: T0, actor: 'customer:keypad', action: 'pickup.door-opened', compartmentId: 'C1', parcelId: 'p1', detail: { codeId: 7 } });
    appendAudit(db, { at: T0 + 1, actor: 'tech:anna', action: 'compartment.out-of-service' });
    appendAudit(db, { at: T0 + 2, actor: 'system', action: 'parcel.expired' });
    const all = listAudit(db);
    expect(all.map((a) => a.action)).toEqual(['pickup.door-opened', 'compartment.out-of-service', 'parcel.expired']);
    expect(all[0]).toEqual({
      id: all[0]!.id,
      at: T0,
      actor: 'customer:keypad',
      action: 'pickup.door-opened',
      compartmentId: 'C1',
      parcelId: 'p1',
      detail: { codeId: 7 },
    });
    expect(all[1]).toMatchObject({ compartmentId: null, parcelId: null, detail: null });
    expect(listAudit(db, { sinceId: all[0]!.id, limit: 1 }).map((a) => a.action)).toEqual(['compartment.out-of-service']);
    expect(listAudit(db, { newestFirst: true, limit: 2 }).map((a) => a.action)).toEqual(['parcel.expired', 'compartment.out-of-service']);
  });

  it('refuses UPDATE and DELETE (append-only triggers)', () => {
    const db = memoryDb();
    appendAudit(db, { at: T0, actor: 'a', action: 'x' });
    expect(() => db.sqlite.exec(`UPDATE audit SET actor = 'forged'`)).toThrow(/append-only/);
    expect(() => db.sqlite.exec('DELETE FROM audit')).toThrow(/append-only/);
    expect(listAudit(db)).toHaveLength(1);
    expect(listAudit(db)[0]?.actor).toBe('a');
  });

  it('refuses an empty actor (so the caller transaction rolls back)', () => {
    const db = memoryDb();
    expect(() => appendAudit(db, { at: T0, actor: '', action: 'x' })).toThrow(/CHECK/);
  });
});

import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cancelCode,
  cancelCodesForParcel,
  closeDatabase,
  codesForParcel,
  consumeGrace,
  createParcel,
  expireDueCodes,
  findCodeByHash,
  getPickupCode,
  hashPickupCode,
  insertPickupCode,
  isActiveHash,
  markCodeUsed,
  openDatabase,
  type Db,
} from '../../../src/store/index.js';
import { FIND_ACTIVE_CODE_SQL, FIND_NEWEST_CODE_SQL } from '../../../src/store/pickup-codes.js';
import { memoryDb, queryPlan, seedCompartments, T0, tempDir } from './helpers.js';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const h = (code: string): Buffer => hashPickupCode(SECRET, code);

function withCode(db: Db, code = '123456', extra: Partial<Parameters<typeof insertPickupCode>[1]> = {}) {
  return insertPickupCode(db, { hash: h(code), source: 'local', validFrom: T0, validUntil: T0 + 1000, now: T0, ...extra });
}

describe('hashPickupCode', () => {
  it('is HMAC-SHA256 keyed by the secret, trimmed, deterministic', () => {
    expect(h('123456')).toHaveLength(32);
    expect(h(' 123456\n').equals(h('123456'))).toBe(true);
    expect(h('123456').equals(h('123457'))).toBe(false);
    expect(hashPickupCode(Buffer.from('other secret'), '123456').equals(h('123456'))).toBe(false);
    expect(() => hashPickupCode(Buffer.alloc(0), '1')).toThrow(RangeError);
  });

  it('never puts the plain code in the database file', () => {
    const tmp = tempDir();
    try {
      const path = tmp.file('codes.db');
      const db = openDatabase(path);
      const plain = '8675309421';
      insertPickupCode(db, { hash: h(plain), source: 'local', validFrom: T0, now: T0 });
      expect(findCodeByHash(db, h(plain), T0)?.verdict).toBe('valid');
      const bytes = (f: string): Buffer => (existsSync(f) ? readFileSync(f) : Buffer.alloc(0));
      // Both before (data still in the WAL) and after the checkpoint on close.
      expect(Buffer.concat([bytes(path), bytes(`${path}-wal`)]).includes(plain)).toBe(false);
      closeDatabase(db);
      expect(bytes(path).includes(plain)).toBe(false);
      expect(bytes(path).includes(h(plain))).toBe(true); // sanity: the scan sees stored bytes
    } finally {
      tmp.cleanup();
    }
  });
});

describe('findCodeByHash', () => {
  it('is at most two index probes (SEARCH … USING INDEX, no SCAN, no sort), on indexes a state change leaves alone', () => {
    const db = memoryDb();
    expect(queryPlan(db, FIND_ACTIVE_CODE_SQL, h('1'))).toEqual(['SEARCH pickup_codes USING INDEX pickup_codes_one_active_hash (hash=?)']);
    const newest = queryPlan(db, FIND_NEWEST_CODE_SQL, h('1'));
    expect(newest).toEqual(['SEARCH pickup_codes USING INDEX pickup_codes_by_hash (hash=?)']);
    expect(newest.join()).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it('gives every verdict', () => {
    const db = memoryDb();
    const code = withCode(db, '111111', { validFrom: T0 + 100, validUntil: T0 + 200 });
    expect(findCodeByHash(db, h('999999'), T0)).toBeUndefined();
    expect(findCodeByHash(db, h('111111'), T0 + 99)?.verdict).toBe('not-yet-valid');
    expect(findCodeByHash(db, h('111111'), T0 + 100)?.verdict).toBe('valid');
    expect(findCodeByHash(db, h('111111'), T0 + 199)?.verdict).toBe('valid');
    expect(findCodeByHash(db, h('111111'), T0 + 200)?.verdict).toBe('expired'); // validUntil is exclusive

    markCodeUsed(db, code.id, T0 + 150, 60_000);
    expect(findCodeByHash(db, h('111111'), T0 + 150 + 59_999)).toMatchObject({
      verdict: 'in-grace',
      code: { state: 'used', usedAt: T0 + 150, graceUntil: T0 + 150 + 60_000 },
    });
    expect(findCodeByHash(db, h('111111'), T0 + 150 + 60_000)?.verdict).toBe('used');
    consumeGrace(db, code.id);
    expect(findCodeByHash(db, h('111111'), T0 + 151)?.verdict).toBe('used');

    const c2 = withCode(db, '222222');
    cancelCode(db, c2.id, T0 + 1);
    expect(findCodeByHash(db, h('222222'), T0 + 1)?.verdict).toBe('cancelled');

    withCode(db, '333333', { validUntil: T0 + 10 });
    expect(expireDueCodes(db, T0 + 10)).toBe(1);
    expect(findCodeByHash(db, h('333333'), T0)).toMatchObject({ verdict: 'expired', code: { state: 'expired' } });
  });

  it('prefers the active row when several rows share a hash, else the newest', () => {
    const db = memoryDb();
    const old = withCode(db, '444444');
    markCodeUsed(db, old.id, T0 + 1, 0);
    const fresh = withCode(db, '444444');
    const older = withCode(db, '555555');
    cancelCode(db, older.id, T0);
    const newer = withCode(db, '555555');
    markCodeUsed(db, newer.id, T0, 0);
    expect(findCodeByHash(db, h('444444'), T0 + 2)?.code.id).toBe(fresh.id);
    expect(findCodeByHash(db, h('555555'), T0 + 2)?.code.id).toBe(newer.id);
  });
});

describe('code writes', () => {
  it('refuses a second ACTIVE code with the same hash, allows it once the first is used', () => {
    const db = memoryDb();
    const first = withCode(db, '777777');
    expect(isActiveHash(db, h('777777'))).toBe(true);
    expect(() => withCode(db, '777777')).toThrow(expect.objectContaining({ name: 'StoreError', code: 'duplicate' }));
    markCodeUsed(db, first.id, T0, 60_000);
    expect(isActiveHash(db, h('777777'))).toBe(false);
    expect(() => withCode(db, '777777')).not.toThrow();
  });

  it('stores links and maps FK errors to not-found', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const p = createParcel(db, { compartmentId: 'C1', state: 'stored', now: T0 });
    const code = withCode(db, '1', { parcelId: p.id, compartmentId: 'C1', source: 'vendor-a', externalId: 'ext-1' });
    expect(getPickupCode(db, code.id)).toEqual({
      id: code.id,
      parcelId: p.id,
      compartmentId: 'C1',
      source: 'vendor-a',
      externalId: 'ext-1',
      state: 'active',
      validFrom: T0,
      validUntil: T0 + 1000,
      usedAt: null,
      graceUntil: null,
      opens: 0,
    });
    expect(codesForParcel(db, p.id).map((c) => c.id)).toEqual([code.id]);
    expect(() => withCode(db, '2', { parcelId: 'nope' })).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(() => insertPickupCode(db, { hash: Buffer.alloc(31), source: 'local', validFrom: T0 })).toThrow(RangeError);
    expect(cancelCodesForParcel(db, p.id, T0 + 5)).toBe(1);
    expect(getPickupCode(db, code.id)?.state).toBe('cancelled');
  });

  it('enforces the code state machine', () => {
    const db = memoryDb();
    const code = withCode(db);
    expect(() => consumeGrace(db, code.id)).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
    markCodeUsed(db, code.id, T0, 60_000);
    expect(() => markCodeUsed(db, code.id, T0 + 1, 60_000)).toThrow(
      expect.objectContaining({ code: 'invalid-transition', meta: expect.objectContaining({ from: 'used' }) }),
    );
    consumeGrace(db, code.id);
    expect(() => consumeGrace(db, code.id)).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
    expect(() => cancelCode(db, code.id, T0)).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
    expect(() => markCodeUsed(db, 9999, T0, 0)).toThrow(expect.objectContaining({ code: 'not-found' }));
    const other = withCode(db, '2');
    cancelCode(db, other.id, T0);
    expect(() => cancelCode(db, other.id, T0)).not.toThrow(); // idempotent
  });
});

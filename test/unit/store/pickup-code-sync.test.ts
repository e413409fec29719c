import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createParcel,
  findCodeByHash,
  getPickupCode,
  hashPickupCode,
  insertPickupCode,
  markCodeUsed,
  replaceCodesFromSource,
  sourceCodeRefs,
  type SourceCode,
} from '../../../src/store/index.js';
import { memoryDb, seedCompartments, T0 } from './helpers.js';

const SECRET = Buffer.from('sync-test-secret-sync-test-secret');
const code = (externalId: string, plain: string, extra: Partial<SourceCode> = {}): SourceCode => ({
  hash: hashPickupCode(SECRET, plain),
  externalId,
  validFrom: T0,
  validUntil: T0 + 10_000,
  ...extra,
});

describe('replaceCodesFromSource', () => {
  it('keeps the user and order references with each code, updates them when upstream changes them, and finds them after use', () => {
    const db = memoryDb();
    expect(replaceCodesFromSource(db, 'vendor', [code('a', '111111', { userRef: 'U-1', orderRef: 'O-1' }), code('b', '222222', { userRef: '' })], T0)).toMatchObject({ added: 2 });
    expect(sourceCodeRefs(db, 'vendor', 'a')).toEqual({ userRef: 'U-1', orderRef: 'O-1' });
    expect(sourceCodeRefs(db, 'vendor', 'b')).toEqual({ userRef: null, orderRef: null });
    expect(replaceCodesFromSource(db, 'vendor', [code('a', '111111', { userRef: 'U-2', orderRef: 'O-1' }), code('b', '222222')], T0 + 1)).toMatchObject({ updated: 1, kept: 1 });
    expect(sourceCodeRefs(db, 'vendor', 'a')).toEqual({ userRef: 'U-2', orderRef: 'O-1' });
    const a = findCodeByHash(db, hashPickupCode(SECRET, '111111'), T0 + 1)!.code;
    markCodeUsed(db, a.id, T0 + 2, 0);
    expect(sourceCodeRefs(db, 'vendor', 'a')).toEqual({ userRef: 'U-2', orderRef: 'O-1' });
    expect(sourceCodeRefs(db, 'vendor', 'zz')).toBeUndefined();
    expect(sourceCodeRefs(db, 'other', 'a')).toBeUndefined();
  });

  it('adds, keeps, updates and cancels per source, leaving other sources alone', () => {
    const db = memoryDb();
    const local = insertPickupCode(db, { hash: hashPickupCode(SECRET, '000000'), source: 'local', validFrom: T0, now: T0 });
    expect(replaceCodesFromSource(db, 'vendor', [code('a', '111111'), code('b', '222222'), code('c', '333333')], T0)).toMatchObject({
      added: 3,
      removed: 0,
      kept: 0,
      updated: 0,
    });
    const r = replaceCodesFromSource(db, 'vendor', [code('a', '111111'), code('b', '222299'), code('d', '444444')], T0 + 1);
    expect(r).toEqual({ added: 1, removed: 1, kept: 1, updated: 1, skippedUsed: 0, rejected: [] });
    expect(findCodeByHash(db, hashPickupCode(SECRET, '333333'), T0 + 1)?.verdict).toBe('cancelled');
    expect(findCodeByHash(db, hashPickupCode(SECRET, '222222'), T0 + 1)).toBeUndefined(); // hash replaced in place
    expect(findCodeByHash(db, hashPickupCode(SECRET, '222299'), T0 + 1)?.code.externalId).toBe('b');
    expect(getPickupCode(db, local.id)?.state).toBe('active');
    expect(replaceCodesFromSource(db, 'vendor', [], T0 + 2)).toMatchObject({ removed: 3 });
    expect(getPickupCode(db, local.id)?.state).toBe('active');
  });

  it('never re-activates a code used here, even if upstream still lists it', () => {
    const db = memoryDb();
    replaceCodesFromSource(db, 'vendor', [code('a', '111111')], T0);
    const hit = findCodeByHash(db, hashPickupCode(SECRET, '111111'), T0)!;
    markCodeUsed(db, hit.code.id, T0 + 1, 60_000);
    expect(replaceCodesFromSource(db, 'vendor', [code('a', '111111')], T0 + 2)).toMatchObject({ added: 0, skippedUsed: 1 });
    expect(findCodeByHash(db, hashPickupCode(SECRET, '111111'), T0 + 2)?.code.state).toBe('used');
  });

  it('rejects single codes (hash held by another source, unknown parcel) and applies the rest', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const p = createParcel(db, { compartmentId: 'C1', state: 'stored', now: T0 });
    insertPickupCode(db, { hash: hashPickupCode(SECRET, '555555'), source: 'local', validFrom: T0, now: T0 });
    const r = replaceCodesFromSource(
      db,
      'vendor',
      [code('clash', '555555'), code('ghost', '666666', { parcelId: 'nope' }), code('ok', '777777', { parcelId: p.id, compartmentId: 'C1' })],
      T0,
    );
    expect(r.added).toBe(1);
    expect(r.rejected).toEqual([
      { externalId: 'clash', reason: 'hash-in-use' },
      { externalId: 'ghost', reason: 'unknown-reference' },
    ]);
  });

  it('refuses a batch repeating an externalId without writing', () => {
    const db = memoryDb();
    expect(() => replaceCodesFromSource(db, 'vendor', [code('a', '1'), code('a', '2')], T0)).toThrow(expect.objectContaining({ code: 'duplicate' }));
    expect(findCodeByHash(db, hashPickupCode(SECRET, '1'), T0)).toBeUndefined();
  });

  // The 100k figure (and its time) is the bench's: `npm run bench -- cloud`, code_pull_100k_s.
  it('replaces 10k codes in one pass: 10% gone, 10% new, 10% changed, the rest kept', () => {
    const db = memoryDb();
    const make = (n: number, offset: number): SourceCode[] =>
      Array.from({ length: n }, (_, i) => ({ hash: randomBytes(32), externalId: `ext-${i + offset}`, validFrom: T0, validUntil: T0 + 1e9 }));
    const first = make(10_000, 0);
    expect(replaceCodesFromSource(db, 'vendor', first, T0)).toMatchObject({ added: 10_000 });
    const next = [...first.slice(1_000, 9_000), ...first.slice(9_000).map((c) => ({ ...c, validUntil: T0 + 2e9 })), ...make(1_000, 10_000)];
    expect(replaceCodesFromSource(db, 'vendor', next, T0 + 1)).toEqual({
      added: 1_000,
      removed: 1_000,
      kept: 8_000,
      updated: 1_000,
      skippedUsed: 0,
      rejected: [],
    });
    expect(findCodeByHash(db, first[0]!.hash, T0 + 1)?.verdict).toBe('cancelled');
    expect(findCodeByHash(db, first[9_999]!.hash, T0 + 1)?.code).toMatchObject({ validUntil: T0 + 2e9 });
  });
});

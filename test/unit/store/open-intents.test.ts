import { describe, expect, it } from 'vitest';
import {
  createOpenIntent,
  getOpenIntent,
  hasOpenedForCode,
  hashPickupCode,
  insertPickupCode,
  resolveOpenIntent,
  unresolvedIntents,
} from '../../../src/store/index.js';
import { memoryDb, seedCompartments, T0 } from './helpers.js';

describe('open intents', () => {
  it('creates, resolves and lists unresolved ones oldest first', () => {
    const db = memoryDb();
    seedCompartments(db, 2);
    const a = createOpenIntent(db, { kind: 'pickup', compartmentId: 'C1', actor: 'customer', now: T0 + 1 });
    const b = createOpenIntent(db, { id: 'b', kind: 'technician', compartmentId: 'C2', actor: 'tech', now: T0 });
    expect(a).toMatchObject({ kind: 'pickup', compartmentId: 'C1', parcelId: null, codeId: null, result: null, resolvedAt: null, detail: null, createdAt: T0 + 1 });
    expect(unresolvedIntents(db).map((i) => i.id)).toEqual(['b', a.id]);
    resolveOpenIntent(db, 'b', 'failed', T0 + 5, 'reply-timeout');
    expect(getOpenIntent(db, 'b')).toMatchObject({ result: 'failed', resolvedAt: T0 + 5, detail: 'reply-timeout' });
    expect(unresolvedIntents(db).map((i) => i.id)).toEqual([a.id]);
    expect(b.id).toBe('b');
  });

  it('allows unknown → opened|failed, nothing else after a result', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const i = createOpenIntent(db, { kind: 'remote', compartmentId: 'C1', actor: 'cloud', now: T0 });
    resolveOpenIntent(db, i.id, 'unknown', T0 + 1);
    expect(() => resolveOpenIntent(db, i.id, 'unknown', T0 + 2)).toThrow(expect.objectContaining({ code: 'invalid-transition' }));
    resolveOpenIntent(db, i.id, 'opened', T0 + 3, 'door status read after restart');
    expect(() => resolveOpenIntent(db, i.id, 'failed', T0 + 4)).toThrow(
      expect.objectContaining({ code: 'invalid-transition', meta: expect.objectContaining({ from: 'opened', to: 'failed' }) }),
    );
    expect(() => resolveOpenIntent(db, 'nope', 'opened', T0)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('counts opens per code', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    const code = insertPickupCode(db, { hash: hashPickupCode(Buffer.from('k'), '1'), source: 'local', validFrom: T0, now: T0 });
    for (const result of ['opened', 'failed', 'opened'] as const) {
      const i = createOpenIntent(db, { kind: 'pickup', compartmentId: 'C1', codeId: code.id, actor: 'c', now: T0 });
      resolveOpenIntent(db, i.id, result, T0 + 1);
    }
    expect(hasOpenedForCode(db, code.id)).toBe(2);
    expect(hasOpenedForCode(db, 999)).toBe(0);
  });

  it('maps unknown references to not-found', () => {
    const db = memoryDb();
    seedCompartments(db, 1);
    expect(() => createOpenIntent(db, { kind: 'pickup', compartmentId: 'nope', actor: 'c', now: T0 })).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(() => createOpenIntent(db, { kind: 'pickup', compartmentId: 'C1', codeId: 42, actor: 'c', now: T0 })).toThrow(expect.objectContaining({ code: 'not-found' }));

  });
});

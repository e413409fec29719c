import { describe, expect, it } from 'vitest';
import { getInbox, getSetting, pruneInbox, recordInbox, setInboxResult, setSetting } from '../../../src/store/index.js';
import { memoryDb, T0 } from './helpers.js';

describe('inbox', () => {
  it('dedupes by command id', () => {
    const db = memoryDb();
    const cmd = { commandId: 'cmd-1', source: 'ws', type: 'remote-open', receivedAt: T0 };
    expect(recordInbox(db, cmd)).toBe(true);
    expect(recordInbox(db, { ...cmd, receivedAt: T0 + 5 })).toBe(false);
    expect(getInbox(db, 'cmd-1')).toEqual({ ...cmd, result: undefined });
  });

  it('stores and replaces the result as JSON', () => {
    const db = memoryDb();
    recordInbox(db, { commandId: 'c', source: 'ws', type: 't', receivedAt: T0, result: { pending: true } });
    expect(getInbox(db, 'c')?.result).toEqual({ pending: true });
    setInboxResult(db, 'c', { ok: true, opened: ['C1'] });
    expect(getInbox(db, 'c')?.result).toEqual({ ok: true, opened: ['C1'] });
    setInboxResult(db, 'c', null);
    expect(getInbox(db, 'c')?.result).toBeNull();
    expect(() => setInboxResult(db, 'nope', 1)).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(getInbox(db, 'nope')).toBeUndefined();
    expect(pruneInbox(db, T0 + 1)).toBe(1);
  });
});

describe('settings', () => {
  it('gets and upserts', () => {
    const db = memoryDb();
    expect(getSetting(db, 'cursor')).toBeUndefined();
    setSetting(db, 'cursor', 'a', T0);
    setSetting(db, 'cursor', 'b', T0 + 1);
    expect(getSetting(db, 'cursor')).toBe('b');
    expect(() => setSetting(db, '', 'x')).toThrow(RangeError);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../../src/shared/logger.js';
import { StoreInbox, StoreOutbox } from '../../../../src/main/cloud/store-ports.js';
import * as store from '../../../../src/store/index.js';

function db(): store.Db {
  return store.openDatabase(join(mkdtempSync(join(tmpdir(), 'ck-ports-')), 'kiosk.db'));
}

describe('StoreOutbox (sync engine port over the SQLite outbox)', () => {
  it('hands out events with parsed payloads, and dead-letters a row whose payload no longer fits its schema', () => {
    const d = db();
    const good = store.recordEvent(d, { type: 'keypad.locked-out', payload: { failures: 5, lockedUntil: 2, source: 'keypad', at: 1 }, occurredAt: 1 }, ['hook']);
    const bad = store.recordEvent(d, { type: 'door.forced', payload: { board: 'one' }, occurredAt: 2 }, ['hook']);
    const unknown = store.recordEvent(d, { type: 'cabinet.exploded', payload: {}, occurredAt: 3 }, ['hook']);
    const outbox = new StoreOutbox(d, 'CAB-1', silentLogger);
    const rows = outbox.nextDeliverable('hook', 10, 10);
    expect(rows.map((r) => r.event.id)).toEqual([good.id]);
    expect(rows[0]?.event).toMatchObject({ type: 'keypad.locked-out', cabinetId: 'CAB-1', payload: { failures: 5 } });
    expect(store.getOutboxRow(d, bad.id, 'hook')).toMatchObject({ state: 'dead', lastError: expect.stringContaining('door.forced') });
    expect(store.getOutboxRow(d, unknown.id, 'hook')).toMatchObject({ state: 'dead', lastError: 'unknown event type cabinet.exploded' });
    outbox.markDelivered(good.id, 'hook', 11);
    expect(store.outboxStats(d, 12)).toMatchObject({ pending: 0, dead: 2, delivered: 1 });
  });
});

describe('StoreOutbox acknowledgements', () => {
  /** Which markDelivered calls committed without fsync (they switch the connection to NORMAL for their statement). */
  function unsyncedAcks(d: store.Db, acks: () => void): number {
    const stmt = vi.spyOn(d, 'stmt');
    try {
      acks();
      return stmt.mock.calls.filter(([sql]) => sql === 'PRAGMA synchronous = NORMAL').length;
    } finally {
      stmt.mockRestore();
    }
  }

  it('syncs one in ackFsyncEveryRows during a burst and every one of a trickle, and each is visible at once', () => {
    const d = db();
    const ids = Array.from({ length: 250 }, (_, i) => store.recordEvent(d, { type: 'keypad.locked-out', payload: { failures: 5, lockedUntil: 2, source: 'keypad', at: i }, occurredAt: i }, ['hook']).id);
    const outbox = new StoreOutbox(d, 'CAB-1', silentLogger);
    const burst = unsyncedAcks(d, () => {
      for (const [i, id] of ids.slice(0, 201).entries()) {
        outbox.markDelivered(id, 'hook', 1000);
        expect(store.getOutboxRow(d, id, 'hook')?.state, `ack ${i}`).toBe('delivered');
      }
    });
    // The 1st, 101st and 201st waited for the disk; the 198 between did not.
    expect(burst).toBe(198);
    expect(d.sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL again
    const trickle = unsyncedAcks(d, () => ids.slice(201, 211).forEach((id, i) => outbox.markDelivered(id, 'hook', 2000 + i * 100)));
    expect(trickle).toBe(0);
    expect(store.outboxStats(d, 5000)).toMatchObject({ pending: 39, delivered: 211 });
  });

  it('refuses a batch setting that is not a positive integer', () => {
    expect(() => new StoreOutbox(db(), 'CAB-1', silentLogger, { ackFsyncEveryRows: 0 })).toThrow(RangeError);
    expect(() => new StoreOutbox(db(), 'CAB-1', silentLogger, { ackFsyncEveryMs: 1.5 })).toThrow(RangeError);
  });
});

describe('StoreInbox (dedupe of inbound commands)', () => {
  it('records once per (source, command id), returns the stored result for a duplicate, and keeps sources apart', () => {
    const d = db();
    const inbox = new StoreInbox(d);
    const cmd = { commandId: 'c-1', source: 'channel', type: 'open', receivedAt: 1 };
    expect(inbox.record(cmd)).toEqual({ fresh: true });
    inbox.setResult(cmd, { ok: true, data: { compartmentId: '3' } });
    expect(inbox.record(cmd)).toEqual({ fresh: false, result: { ok: true, data: { compartmentId: '3' } } });
    expect(inbox.record({ ...cmd, source: 'yopoint' }, { kind: 'notify' })).toEqual({ fresh: true });
    expect(inbox.record({ ...cmd, source: 'yopoint' })).toEqual({ fresh: false, result: { kind: 'notify' } });
  });
});

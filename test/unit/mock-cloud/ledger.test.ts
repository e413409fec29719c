import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLedger, MockLedgerError } from '../../../tools/mock-cloud/ledger-file.js';
import { compareOrder, ledgerReport, MemoryLedger } from '../../../tools/mock-cloud/ledger.js';
import { startMockCloud } from '../../../tools/mock-cloud/server.js';
import type { LedgerEntry } from '../../../tools/mock-cloud/types.js';
import { postJson, recorderMock } from './recorder.js';

function entry(key: string, stream: string | null, order?: number | string, vendor = 'webhooks'): LedgerEntry {
  return { vendor, key, stream, kind: 'parcel.stored', body: { key }, at: 1, ...(order === undefined ? {} : { order }) };
}

describe('MemoryLedger', () => {
  it('applies a key once per vendor and counts the duplicates', () => {
    const ledger = new MemoryLedger();
    expect(ledger.apply(entry('a', 'p1'))).toBe('fresh');
    expect(ledger.apply(entry('a', 'p1'))).toBe('duplicate');
    expect(ledger.apply(entry('a', 'p1', undefined, 'dingshang'))).toBe('fresh');
    expect(ledger.summary('webhooks')).toMatchObject({ duplicates: 1 });
    expect(ledger.has('webhooks', 'a')).toBe(true);
    expect(ledger.has('webhooks', 'b')).toBe(false);
    expect(ledger.vendors().sort()).toEqual(['dingshang', 'webhooks']);
  });

  it('reports applied entries without bodies and no problems for an in-order run', () => {
    const ledger = new MemoryLedger();
    ledger.apply(entry('a', 'p1', 10));
    ledger.apply(entry('b', 'p2', 5));
    ledger.apply(entry('c', 'p1', 10)); // same millisecond: not an inversion
    ledger.apply(entry('d', 'p1', 11));
    ledger.apply(entry('e', null, 1)); // no stream: nothing to order against
    const report = ledger.report('webhooks');
    expect(report.applied[0]).toEqual({ key: 'a', stream: 'p1', kind: 'parcel.stored', at: 1, order: 10 });
    expect(report).toMatchObject({ duplicates: 0, applications: 5, appliedTwice: [], outOfOrder: [] });
  });

  it('lists a stream whose entries arrived in another order than they occurred', () => {
    const ledger = new MemoryLedger();
    ledger.apply(entry('a', 'p1', 10));
    ledger.apply(entry('x', 'p2', 1));
    ledger.apply(entry('c', 'p1', 30));
    ledger.apply(entry('b', 'p1', 20));
    ledger.apply(entry('y', 'p2', 2));
    expect(ledger.report('webhooks').outOfOrder).toEqual([{ stream: 'p1', keys: ['a', 'c', 'b'], orders: [10, 30, 20], inversions: 1 }]);
  });

  it('reports a key applied twice, which the ledger itself never does', () => {
    const twice = ledgerReport({ applied: [entry('a', 'p1'), entry('b', 'p1'), entry('a', 'p1')], duplicates: 0 });
    expect(twice.appliedTwice).toEqual(['a']);
  });

  it('orders numbers numerically and strings lexicographically', () => {
    expect(compareOrder(9, 10)).toBeLessThan(0);
    expect(compareOrder('2025-01-02 00:00:00', '2025-01-10 00:00:00')).toBeLessThan(0);
    expect(compareOrder('b', 'a')).toBeGreaterThan(0);
  });
});

describe('FileLedger', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mock-ledger-'));
    file = join(dir, 'nested', 'ledger.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each applied entry and duplicate before apply returns, and reloads them', () => {
    const first = FileLedger.open(file);
    first.apply(entry('a', 'p1', 10));
    first.apply(entry('a', 'p1', 10));
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2); // written while still open
    first.apply(entry('b', null));
    first.close();

    const second = FileLedger.open(file);
    expect(second.recovered).toEqual({ applied: 2, duplicates: 1, tornBytes: 0 });
    expect(second.summary('webhooks').applied).toEqual([entry('a', 'p1', 10), entry('b', null)]);
    expect(second.apply(entry('a', 'p1', 10))).toBe('duplicate');
    expect(second.report('webhooks').duplicates).toBe(2);
    second.close();
  });

  it('counts every application: a key applied again (its dedupe missed) shows in appliedTwice', () => {
    // Two mock processes on one state file (the old one not dead yet when the
    // new one starts): neither knows what the other applied, so both apply `a`.
    const oldMock = FileLedger.open(file);
    const newMock = FileLedger.open(file);
    expect(oldMock.apply(entry('a', 'p1', 10))).toBe('fresh');
    expect(newMock.apply(entry('a', 'p1', 10))).toBe('fresh');
    expect(newMock.apply(entry('b', 'p1', 11))).toBe('fresh');
    expect(newMock.apply(entry('b', 'p1', 11))).toBe('duplicate'); // refused: not an application
    oldMock.close();
    newMock.close();
    // What the chaos test reads at the end: the whole file, every application in it.
    const report = FileLedger.open(file).report('webhooks');
    expect(report).toMatchObject({ applications: 3, duplicates: 1, appliedTwice: ['a'] });
    expect(report.applied.map((a) => a.key)).toEqual(['a', 'a', 'b']);
  });

  it('ignores a torn last line and cuts it off the file', () => {
    const first = FileLedger.open(file);
    first.apply(entry('a', 'p1', 10));
    first.close();
    const whole = readFileSync(file, 'utf8');
    const torn = '{"op":"apply","entry":{"vendor":"webhooks","ke';
    appendFileSync(file, torn);

    const second = FileLedger.open(file);
    expect(second.recovered).toMatchObject({ applied: 1, tornBytes: torn.length });
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect(second.apply(entry('b', 'p1', 11))).toBe('fresh');
    second.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string });
    expect(lines.map((l) => l.op)).toEqual(['apply', 'apply']);
  });

  it('refuses a corrupt whole line with a code and leaves the file alone', () => {
    const corrupt = join(dir, 'corrupt.jsonl');
    writeFileSync(corrupt, '{"op":"apply","entry":{"vendor":"webhooks"}}\n{"op":"duplicate","vendor":"webhooks","key":"a"}\n');
    const before = readFileSync(corrupt, 'utf8');
    const err = (() => {
      try {
        FileLedger.open(corrupt);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(MockLedgerError);
    expect((err as MockLedgerError).code).toBe('corrupt-state-file');
    expect(readFileSync(corrupt, 'utf8')).toBe(before);
  });

  it('refuses to apply after close, and what JSON cannot hold', () => {
    const ledger = FileLedger.open(file);
    expect(() => ledger.apply({ ...entry('a', null), body: { n: 1n } })).toThrow(expect.objectContaining({ code: 'unserialisable-entry' }) as Error);
    expect(ledger.has('webhooks', 'a')).toBe(false);
    ledger.close();
    expect(() => ledger.apply(entry('a', null))).toThrow(expect.objectContaining({ code: 'ledger-closed' }) as Error);
  });

  it('survives a mock restart through startMockCloud({ stateFile })', async () => {
    const first = await startMockCloud([recorderMock()], { stateFile: file });
    expect(await (await postJson(`${first.url}/recorder/apply`, { key: 'k1', stream: 'p1', order: 1 })).json()).toEqual({ outcome: 'fresh' });
    await first.close();

    const second = await startMockCloud([recorderMock()], { stateFile: file });
    try {
      expect(second.ledger.has('recorder', 'k1')).toBe(true);
      expect(await (await postJson(`${second.url}/recorder/apply`, { key: 'k1', stream: 'p1', order: 1 })).json()).toEqual({ outcome: 'duplicate' });
      const report = (await (await fetch(`${second.url}/_mock/ledger/recorder`)).json()) as unknown;
      expect(report).toMatchObject({ applied: [{ key: 'k1', stream: 'p1', kind: 'test', order: 1 }], duplicates: 1, appliedTwice: [], outOfOrder: [] });
      expect((await fetch(`${second.url}/_mock/ledger/nobody`)).status).toBe(404);
    } finally {
      await second.close();
    }
  });

  it('refuses ledger and stateFile together', async () => {
    await expect(startMockCloud([], { ledger: new MemoryLedger(), stateFile: file })).rejects.toThrow(RangeError);
  });
});

import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import type { CompartmentView } from '../../../src/shared/contract.js';
import { cabinetColumns, groupByBoard } from '../../../src/renderer/logic/cabinet-layout.js';
import { ageOf, fill, formatClock, formatDateTime, placeholders, splitTemplate } from '../../../src/renderer/logic/format.js';
import { qrRuns } from '../../../src/renderer/logic/qr.js';
import { createStore } from '../../../src/renderer/logic/store.js';

describe('templates', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('Door {door} is open', { door: 12 })).toBe('Door 12 is open');
    expect(fill('{door} 号柜门已打开', { door: '7' })).toBe('7 号柜门已打开');
    expect(fill('Door {dor}', { door: 1 })).toBe('Door {dor}');
  });

  it('splits around slots for live elements', () => {
    expect(splitTemplate('Try again in {seconds} s')).toEqual([{ text: 'Try again in ' }, { slot: 'seconds' }, { text: ' s' }]);
    expect(splitTemplate('{seconds} 秒后可再次尝试')).toEqual([{ slot: 'seconds' }, { text: ' 秒后可再次尝试' }]);
    expect(splitTemplate('no slots')).toEqual([{ text: 'no slots' }]);
    expect(placeholders('{b} and {a}')).toEqual(['a', 'b']);
  });

  it('formats times', () => {
    const at = new Date(2026, 0, 2, 3, 4, 5, 67).getTime();
    expect(formatClock(at)).toBe('03:04:05.067');
    expect(formatDateTime(at, 'en')).toContain('2026');
    expect(formatDateTime(at, 'zh')).toContain('2026');
    expect(ageOf(59_999)).toEqual({ n: 59, unit: 'seconds' });
    expect(ageOf(3 * 60_000 + 5)).toEqual({ n: 3, unit: 'minutes' });
    expect(ageOf(2 * 3_600_000)).toEqual({ n: 2, unit: 'hours' });
    expect(ageOf(4 * 86_400_000)).toEqual({ n: 4, unit: 'days' });
    expect(ageOf(-5)).toEqual({ n: 0, unit: 'seconds' });
  });
});

describe('QR code runs', () => {
  it('covers exactly the dark modules of the encoded matrix', () => {
    const qr = encode('https://support.example/cabinet/E2E-0001', { ecc: 'M', border: 2 });
    const runs = qrRuns(qr.data);
    const dark = qr.data.flat().filter(Boolean).length;
    expect(runs.reduce((n, r) => n + r.width, 0)).toBe(dark);
    expect(runs.length).toBeLessThan(dark);
    for (const r of runs) for (let x = r.x; x < r.x + r.width; x += 1) expect(qr.data[r.y]?.[x]).toBe(true);
  });

  it('merges a row into runs', () => {
    expect(qrRuns([[true, true, false, true], [false, false, false, false], [true, true, true, true]])).toEqual([
      { x: 0, y: 0, width: 2 },
      { x: 3, y: 0, width: 1 },
      { x: 0, y: 2, width: 4 },
    ]);
  });
});

describe('cabinet drawing layout', () => {
  const cell = (id: string, board: number, lock: number): CompartmentView => ({ id, board, lock, size: 'M', door: 'closed', doorSince: 0, outOfService: false, occupied: false, reserved: false, needsCheck: false });

  it('one column per board, locks in order; tall boards split', () => {
    const cells = [cell('b', 2, 2), cell('a', 2, 1), cell('x', 1, 1)];
    expect(groupByBoard(cells).map(([board, list]) => [board, list.map((c) => c.id)])).toEqual([
      [1, ['x']],
      [2, ['a', 'b']],
    ]);
    const tall = Array.from({ length: 30 }, (_, i) => cell(String(i + 1), 1, i + 1));
    expect(cabinetColumns(tall).map((c) => c.cells.length)).toEqual([12, 12, 6]);
    expect(cabinetColumns([])).toEqual([]);
  });
});

describe('store', () => {
  it('notifies subscribers on change only, and stops after unsubscribe', () => {
    const store = createStore(1);
    const seen: number[] = [];
    const off = store.subscribe((v) => seen.push(v));
    store.set(1);
    store.set(2);
    off();
    store.set(3);
    expect(seen).toEqual([2]);
    expect(store.get()).toBe(3);
  });
});

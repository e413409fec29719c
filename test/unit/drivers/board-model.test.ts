import { describe, expect, it } from 'vitest';
import { BoardModel } from '../../../src/drivers/simulator/board-model.js';

function model(autoCloseMs = 100) {
  let now = 1000;
  const m = new BoardModel([{ address: 1, protocol: 'xor-8a', locks: 4 }], { autoCloseMs, clock: () => now });
  return { m, advance: (ms: number) => (now += ms) };
}

describe('BoardModel', () => {
  it('a pulse opens the door, which swings shut after autoCloseMs', () => {
    const { m, advance } = model();
    expect(m.pulse(1, 2)).toBe(true);
    expect(m.isOpen(1, 2)).toBe(true);
    advance(99);
    expect(m.isOpen(1, 2)).toBe(true);
    advance(1);
    expect(m.isOpen(1, 2)).toBe(false);
  });

  it('autoCloseMs 0 never closes; closeDoor does', () => {
    const { m, advance } = model(0);
    m.pulse(1, 1);
    advance(1e9);
    expect(m.isOpen(1, 1)).toBe(true);
    m.closeDoor(1, 1);
    expect(m.isOpen(1, 1)).toBe(false);
  });

  it('a jammed lock ignores pulses; a forced door can stay open', () => {
    const { m, advance } = model();
    m.jam(1, 3);
    expect(m.pulse(1, 3)).toBe(false);
    expect(m.isOpen(1, 3)).toBe(false);
    m.forceOpen(1, 4, { autoClose: false });
    advance(1000);
    expect(m.snapshot().filter((d) => d.open)).toEqual([{ board: 1, lock: 4, open: true }]);
  });

  it('rejects unknown locks and duplicate boards', () => {
    const { m } = model();
    expect(m.pulse(9, 1)).toBe(false);
    expect(() => m.forceOpen(1, 5)).toThrow(RangeError);
    expect(() => new BoardModel([{ address: 1, protocol: 'xor-8a', locks: 1 }, { address: 1, protocol: 'kerong-cu', locks: 1 }])).toThrow(/twice/);
  });
});

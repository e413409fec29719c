import { describe, expect, it } from 'vitest';
import { canSubmit, initialCodeState, MASK_CHAR, maskCode, PIN_LENGTH, reduceCode, slotCount, type CodeAction, type CodeState } from '../../../src/renderer/logic/code-entry.js';

const LENGTH = { min: 6, max: 8 };
const run = (actions: CodeAction[], from: CodeState = initialCodeState('', LENGTH)) => actions.reduce((s, a) => reduceCode(s, a, LENGTH), from);
const digits = (text: string): CodeAction[] => [...text].map((digit) => ({ type: 'digit', digit }));

describe('code entry reducer', () => {
  it('appends digits up to the maximum and ignores the rest', () => {
    expect(run(digits('123')).digits).toBe('123');
    expect(run(digits('1234567890')).digits).toBe('12345678');
  });

  it('ignores anything that is not one digit', () => {
    const s = run(digits('12'));
    expect(reduceCode(s, { type: 'digit', digit: 'a' }, LENGTH)).toBe(s);
    expect(reduceCode(s, { type: 'digit', digit: '12' }, LENGTH)).toBe(s);
    expect(reduceCode(s, { type: 'digit', digit: '' }, LENGTH)).toBe(s);
  });

  it('backspace drops the last digit; clear drops all; both are no-ops on an empty field (same object)', () => {
    expect(run([...digits('1234'), { type: 'back' }]).digits).toBe('123');
    expect(run([...digits('1234'), { type: 'clear' }]).digits).toBe('');
    const empty = initialCodeState('', LENGTH);
    expect(reduceCode(empty, { type: 'back' }, LENGTH)).toBe(empty);
    expect(reduceCode(empty, { type: 'clear' }, LENGTH)).toBe(empty);
  });

  it('returns the same state at the maximum so the field does not re-render', () => {
    const full = run(digits('12345678'));
    expect(reduceCode(full, { type: 'digit', digit: '9' }, LENGTH)).toBe(full);
  });

  it('the show toggle flips visibility and keeps the digits', () => {
    const s = run([...digits('1234'), { type: 'toggle-show' }]);
    expect(s).toEqual({ digits: '1234', shown: true });
    expect(reduceCode(s, { type: 'toggle-show' }, LENGTH).shown).toBe(false);
  });

  it('OK is enabled from the minimum to the maximum length only', () => {
    expect(canSubmit(run(digits('12345')), LENGTH)).toBe(false);
    expect(canSubmit(run(digits('123456')), LENGTH)).toBe(true);
    expect(canSubmit(run(digits('12345678')), LENGTH)).toBe(true);
    expect(canSubmit(initialCodeState('', LENGTH), LENGTH)).toBe(false);
  });

  it('starts from a digit typed on the attract screen, clipped to the maximum and to digits', () => {
    expect(initialCodeState('7', LENGTH)).toEqual({ digits: '7', shown: false });
    // The pickup code starts in clear (a typo the customer cannot see feeds the lockout).
    expect(initialCodeState('7', LENGTH, true)).toEqual({ digits: '7', shown: true });
    expect(initialCodeState('12a3456789', LENGTH).digits).toBe('12345678');
  });

  it('staff PINs are 4 to 12 digits, as the contract accepts', () => {
    expect(PIN_LENGTH).toEqual({ min: 4, max: 12 });
  });
});

describe('masking', () => {
  it('shows one dot per digit, or the digits when shown', () => {
    expect(maskCode('123456', false)).toBe(MASK_CHAR.repeat(6));
    expect(maskCode('123456', false)).not.toMatch(/\d/);
    expect(maskCode('123456', true)).toBe('123456');
    expect(maskCode('', false)).toBe('');
  });

  it('draws at least the minimum number of slots, growing to the maximum', () => {
    expect(slotCount('', LENGTH)).toBe(6);
    expect(slotCount('1234567', LENGTH)).toBe(7);
    expect(slotCount('12345678', LENGTH)).toBe(8);
    expect(slotCount('', { min: 6, max: 6 })).toBe(6);
  });
});

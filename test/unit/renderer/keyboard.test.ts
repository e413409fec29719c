import { describe, expect, it } from 'vitest';
import { KEYPAD_KEYS, keyToAction, keypadKeyToAction } from '../../../src/renderer/logic/keyboard.js';

describe('keyboard and scanner mapping', () => {
  it('maps digits, Backspace, Escape and Enter', () => {
    for (const d of '0123456789') expect(keyToAction({ key: d })).toEqual({ type: 'digit', digit: d });
    expect(keyToAction({ key: 'Backspace' })).toEqual({ type: 'back' });
    expect(keyToAction({ key: 'Delete' })).toEqual({ type: 'back' });
    expect(keyToAction({ key: 'Escape' })).toEqual({ type: 'clear' });
    // A scanner ends its code with Enter; the numeric keypad's Enter has the same key value.
    expect(keyToAction({ key: 'Enter' })).toEqual({ type: 'ok' });
  });

  it('ignores other keys and shortcuts', () => {
    for (const key of ['a', 'Z', ' ', 'Tab', 'Shift', 'F5', 'ArrowLeft', '+', '.', 'Unidentified']) expect(keyToAction({ key }), key).toBeNull();
    expect(keyToAction({ key: '1', ctrlKey: true })).toBeNull();
    expect(keyToAction({ key: 'r', metaKey: true })).toBeNull();
    expect(keyToAction({ key: 'Enter', altKey: true })).toBeNull();
  });

  it('lets a held Backspace repeat but not a held digit or Enter', () => {
    expect(keyToAction({ key: 'Backspace', repeat: true })).toEqual({ type: 'back' });
    expect(keyToAction({ key: '5', repeat: true })).toBeNull();
    expect(keyToAction({ key: 'Enter', repeat: true })).toBeNull();
  });

  it('maps every on-screen key', () => {
    expect(KEYPAD_KEYS).toHaveLength(13);
    expect(keypadKeyToAction('clear')).toEqual({ type: 'clear' });
    expect(keypadKeyToAction('back')).toEqual({ type: 'back' });
    expect(keypadKeyToAction('ok')).toEqual({ type: 'ok' });
    expect(keypadKeyToAction('0')).toEqual({ type: 'digit', digit: '0' });
    expect(KEYPAD_KEYS.filter((k) => /^\d$/.test(k)).sort()).toEqual([...'0123456789']);
  });
});

/**
 * A physical keyboard and a USB barcode scanner (which types like a keyboard
 * and ends with Enter) drive the same field as the on-screen keypad.
 */

export type KeyAction = { type: 'digit'; digit: string } | { type: 'back' } | { type: 'clear' } | { type: 'ok' };

/** The slice of a `KeyboardEvent` the mapping reads (kept DOM-free for tests). */
export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  /** Auto-repeat while held: honoured for Backspace only. */
  repeat?: boolean;
}

/** The `data-key` values of the on-screen keypad. */
export const KEYPAD_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back', 'ok'] as const;
export type KeypadKey = (typeof KEYPAD_KEYS)[number];

export function keyToAction(e: KeyInput): KeyAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  if (e.key === 'Backspace' || e.key === 'Delete') return { type: 'back' };
  if (e.repeat) return null;
  if (e.key.length === 1 && e.key >= '0' && e.key <= '9') return { type: 'digit', digit: e.key };
  if (e.key === 'Escape') return { type: 'clear' };
  if (e.key === 'Enter') return { type: 'ok' };
  return null;
}

export function keypadKeyToAction(key: KeypadKey): KeyAction {
  switch (key) {
    case 'clear':
      return { type: 'clear' };
    case 'back':
      return { type: 'back' };
    case 'ok':
      return { type: 'ok' };
    default:
      return { type: 'digit', digit: key };
  }
}

/**
 * Keys typed where no code field shows (the open-door screen): a scanner's
 * digits are collected and its Enter hands over the code, so a scanned code
 * is never dropped. Returns the digits so far and, on Enter, the code when
 * its length is one a code may have.
 */
export function feedScan(digits: string, action: KeyAction, length: { min: number; max: number }): { digits: string; code: string | null } {
  switch (action.type) {
    case 'digit':
      return { digits: digits.length >= length.max ? digits : digits + action.digit, code: null };
    case 'back':
      return { digits: digits.slice(0, -1), code: null };
    case 'clear':
      return { digits: '', code: null };
    case 'ok':
      return { digits: '', code: digits.length >= length.min && digits.length <= length.max ? digits : null };
  }
}

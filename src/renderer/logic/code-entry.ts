/**
 * The code field behind the keypad, as a pure reducer: the same state serves
 * the pickup code and a staff PIN. Only the component that owns it re-renders
 * on a key press.
 */
import { assertNever } from '../../shared/domain.js';

export interface CodeLength {
  min: number;
  max: number;
}

export interface CodeState {
  digits: string;
  /** The show toggle: digits in clear instead of dots. */
  shown: boolean;
}

export type CodeAction =
  | { type: 'digit'; digit: string }
  | { type: 'back' }
  | { type: 'clear' }
  | { type: 'toggle-show' };

export const MASK_CHAR = '\u2022';

const DIGIT = /^\d$/;

/**
 * `shown`: a pickup code starts in clear (a typo the customer cannot see
 * becomes a wrong guess and feeds the lockout; the hide toggle is there for
 * who wants it); a staff PIN starts as dots.
 */
export function initialCodeState(initial: string, length: CodeLength, shown = false): CodeState {
  const digits = initial.replace(/\D/g, '').slice(0, Math.max(0, length.max));
  return { digits, shown };
}

/** Returns the same object when nothing changes, so the owner skips a render. */
export function reduceCode(state: CodeState, action: CodeAction, length: CodeLength): CodeState {
  switch (action.type) {
    case 'digit':
      if (!DIGIT.test(action.digit) || state.digits.length >= length.max) return state;
      return { ...state, digits: state.digits + action.digit };
    case 'back':
      return state.digits.length === 0 ? state : { ...state, digits: state.digits.slice(0, -1) };
    case 'clear':
      return state.digits.length === 0 ? state : { ...state, digits: '' };
    case 'toggle-show':
      return { ...state, shown: !state.shown };
    default:
      return assertNever(action, 'code action');
  }
}

export function canSubmit(state: CodeState, length: CodeLength): boolean {
  return state.digits.length >= length.min && state.digits.length <= length.max;
}

/** The field's text: the digits, or one dot per digit. */
export function maskCode(digits: string, shown: boolean): string {
  return shown ? digits : MASK_CHAR.repeat(digits.length);
}

/** How many slots the field draws: at least `min`, growing as digits are typed. */
export function slotCount(digits: string, length: CodeLength): number {
  return Math.min(Math.max(length.min, digits.length), Math.max(length.min, length.max));
}

/** Staff PINs: the contract's `staff.login` accepts 4 to 12 digits. */
export const PIN_LENGTH: CodeLength = { min: 4, max: 12 };

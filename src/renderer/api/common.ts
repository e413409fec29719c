import { calls, pushedEvent, type CallName, type CallResult, type PushedEvent } from '../../shared/contract.js';
import type { KioskErrorCode } from '../../shared/errors.js';

export type Warn = (message: string, detail?: unknown) => void;

export function failure<N extends CallName>(code: KioskErrorCode, message?: string): CallResult<N> {
  return message === undefined ? { ok: false, error: { code } } : { ok: false, error: { code, message } };
}

/** Checks an input against the contract before it leaves: main would refuse it anyway, this says so sooner. */
export function checkInput(name: CallName, input: unknown): CallResult<CallName> | null {
  const parsed = calls[name].input.safeParse(input);
  return parsed.success ? null : failure('bad-request', `${name}: ${parsed.error.issues[0]?.message ?? 'invalid input'}`);
}

/** A pushed event, or null (with a warning) when it does not match the contract. */
export function parseEvent(raw: unknown, warn: Warn): PushedEvent | null {
  const parsed = pushedEvent.safeParse(raw);
  if (parsed.success) return parsed.data;
  warn('cabinet-kiosk: dropped a malformed pushed event', parsed.error.issues[0]?.message);
  return null;
}

export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.#set.add(listener);
    return () => {
      this.#set.delete(listener);
    };
  }

  emit(value: T, warn: Warn): void {
    for (const listener of [...this.#set]) {
      try {
        listener(value);
      } catch (err) {
        warn('cabinet-kiosk: a listener threw', err);
      }
    }
  }
}

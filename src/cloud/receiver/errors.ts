/**
 * What can stop the callback receiver from being built or from listening.
 * Each code names the thing to fix; `message` never carries a secret, a
 * token or a request target (which may hold a token).
 */
export const RECEIVER_ERROR_CODES = [
  /** An option out of range (a size, a timeout, a port): fix the configuration. */
  'bad-option',
  /** Two routes claim the same path: a programming error in the wiring. */
  'duplicate-route',
  /** A vendor route with no way to authenticate its callbacks (Dingshang with neither URL token nor signature). */
  'unauthenticated-route',
  /** `start()` called twice without `stop()`. */
  'already-started',
  /** The address could not be bound (in use, no permission, unknown host); `cause` has the system error. */
  'listen-failed',
] as const;
export type ReceiverErrorCode = (typeof RECEIVER_ERROR_CODES)[number];

export class ReceiverError extends Error {
  override readonly name = 'ReceiverError';
  constructor(
    readonly code: ReceiverErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

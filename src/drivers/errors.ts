/**
 * The one error class of src/drivers. `code` says what a person (or src/main)
 * can act on; `meta` carries board, lock, cmd and timings for the log line.
 */
export const DRIVER_ERROR_CODES = [
  'reply-timeout',
  'bad-frame',
  'bad-checksum',
  'port-gone',
  'port-open-failed',
  'port-permission',
  'not-connected',
  'unknown-lock',
  'unsupported',
  'bus-closed',
  'invalid-config',
] as const;
export type DriverErrorCode = (typeof DRIVER_ERROR_CODES)[number];

export interface DriverErrorMeta {
  board?: number;
  lock?: number;
  cmd?: string;
  ms?: number;
  path?: string;
  attempts?: number;
  [key: string]: unknown;
}

export class DriverError extends Error {
  override readonly name = 'DriverError';
  constructor(
    readonly code: DriverErrorCode,
    message: string,
    readonly meta: DriverErrorMeta = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDriverError(err: unknown, ...codes: DriverErrorCode[]): err is DriverError {
  return err instanceof DriverError && (codes.length === 0 || codes.includes(err.code));
}

/** "board 1 lock 3 open" — the subject of every timeout and log message. */
export function describeTarget(meta: { board?: number; lock?: number; cmd?: string }): string {
  const parts: string[] = [];
  if (meta.board !== undefined) parts.push(`board ${meta.board}`);
  if (meta.lock !== undefined) parts.push(`lock ${meta.lock}`);
  if (meta.cmd !== undefined) parts.push(meta.cmd);
  return parts.join(' ');
}

import type { BoardConfig } from './board-types.js';
import { DriverError } from './errors.js';

/** Rejects a lock number the board does not have before anything is sent. */
export function assertLock(config: BoardConfig, lock: number): void {
  if (!Number.isInteger(lock) || lock < 1 || lock > config.locks) {
    throw new DriverError('unknown-lock', `board ${config.address} has locks 1–${config.locks}, not ${lock}`, { board: config.address, lock });
  }
}

export function assertConfig(ok: boolean, config: BoardConfig, message: string): void {
  if (!ok) throw new DriverError('invalid-config', `${config.protocol} board ${config.address}: ${message}`, { board: config.address });
}

/** A bus reply that is `null` only when the request said the reply was optional. */
export function required<T>(frame: T | null, what: string): T {
  if (frame === null) throw new DriverError('reply-timeout', `no reply to ${what}`);
  return frame;
}

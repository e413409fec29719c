/**
 * A pickup's open door, waiting to be closed. The screen stays while the
 * door is open or unknown: after `waitMs` it reminds the customer to close
 * the door, after another `waitMs` it says it is leaving (door still open)
 * and, `leavingMs` later, goes to the start. A door seen closed ends the wait
 * at once (the normal idle timeout takes over).
 */
export type DoorWaitPhase = 'waiting' | 'remind' | 'leaving' | 'leave';

export function doorWaitPhase(elapsedMs: number, waitMs: number, leavingMs: number): DoorWaitPhase {
  if (elapsedMs < waitMs) return 'waiting';
  if (elapsedMs < 2 * waitMs) return 'remind';
  if (elapsedMs < 2 * waitMs + leavingMs) return 'leaving';
  return 'leave';
}

/** How long the "door still open, returning to the start" message shows before the screen goes. */
export const DOOR_LEAVING_MS = 8_000;

/** The idle countdown shows for the last this-many ms of a customer screen's wait (at most half the wait). */
export function idleWarnMs(afterMs: number): number {
  return Math.min(10_000, Math.floor(afterMs / 2));
}

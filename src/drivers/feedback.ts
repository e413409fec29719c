import type { DoorState } from '../shared/domain.js';
import type { FeedbackPolarity } from './board-types.js';

/**
 * Boards report whether a feedback contact is made ("active"); what that means
 * for the door is wiring, hence configuration (docs/lock-boards.md §A.6, §B.6, §C.3).
 */
export const DEFAULT_POLARITY: FeedbackPolarity = 'closed-when-active';

export function doorFromActive(active: boolean, polarity: FeedbackPolarity = DEFAULT_POLARITY): DoorState {
  return active === (polarity === 'closed-when-active') ? 'closed' : 'open';
}

/** The inverse, for the simulator: is the contact made when the door is open/closed? */
export function activeFromDoor(open: boolean, polarity: FeedbackPolarity = DEFAULT_POLARITY): boolean {
  return polarity === 'closed-when-active' ? !open : open;
}

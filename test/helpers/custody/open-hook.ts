/**
 * Wraps the doors port the flows receive (the CabinetHardware instances of
 * this process): `before` runs once the flow asked for the pulse (its intent
 * committed), `after` once the hardware answered and before the flow commits
 * the result. Test code only: src/ carries no hooks.
 */
import { CabinetHardware } from '../../../src/drivers/cabinet-hardware.js';

export interface OpenHooks {
  before?: (board: number, lock: number) => void;
  after?: (board: number, lock: number) => void;
}

let hooks: OpenHooks = {};
let installed = false;

/** Sets the hooks for the next opens (replacing earlier ones); returns a function that removes them. */
export function hookOpens(h: OpenHooks): () => void {
  if (!installed) {
    installed = true;
    const realOpen = CabinetHardware.prototype.open;
    CabinetHardware.prototype.open = async function open(this: CabinetHardware, board: number, lock: number) {
      hooks.before?.(board, lock);
      const outcome = await realOpen.call(this, board, lock);
      hooks.after?.(board, lock);
      return outcome;
    };
  }
  hooks = h;
  return () => {
    hooks = {};
  };
}

import { silentLogger } from '../../shared/logger.js';
import type { FlowContext } from './context.js';
import { Mutex } from './mutex.js';
import { defaultFlowPolicy } from './policy.js';

/** A FlowContext with its own door mutex; policy, clock and log default to the demo cabinet's, Date.now and silence. */
export function createFlowContext(parts: Omit<FlowContext, 'mutex' | 'policy' | 'clock' | 'log'> & Partial<Pick<FlowContext, 'policy' | 'clock' | 'log'>>): FlowContext {
  return {
    policy: defaultFlowPolicy(),
    clock: Date.now,
    log: silentLogger,
    ...parts,
    mutex: new Mutex(),
  };
}

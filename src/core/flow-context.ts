import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../shared/logger.js';
import type { FlowContext } from './context.js';
import { GuessLedger } from './guess-ledger.js';
import { Mutex } from './mutex.js';
import { ResultCommits } from './result-commits.js';

type Built = 'mutex' | 'guesses' | 'commits';
type Defaulted = 'clock' | 'log' | 'alarm' | 'sleep';

/**
 * A FlowContext with its own door mutex, lockout ledger and result-commit
 * queue; clock, log, alarms and sleep default to Date.now, silence, nothing
 * and a real timer.
 */
export function createFlowContext(parts: Omit<FlowContext, Built | Defaulted> & Partial<Pick<FlowContext, Defaulted>>): FlowContext {
  const { policy } = parts;
  const log = parts.log ?? silentLogger;
  const alarm = parts.alarm ?? (() => undefined);
  return {
    clock: Date.now,
    sleep: (ms) => sleep(ms),
    ...parts,
    policy,
    log,
    alarm,
    mutex: new Mutex(),
    guesses: new GuessLedger(parts.db, policy.lockout),
    commits: new ResultCommits(parts.db, log, alarm),
  };
}

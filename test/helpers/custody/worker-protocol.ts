/** Messages between the custody tests and test/helpers/custody/custody-worker.ts. */
import type { CallResult, KillStep, KioskMethod } from './agent-handle.js';

export type WorkerRequest =
  | { t: 'start'; id: number; configPath: string }
  | { t: 'call'; id: number; method: KioskMethod; args: unknown[]; killAt?: KillStep }
  | { t: 'stop'; id: number };

export type WorkerReply =
  | { t: 'booted' }
  | { t: 'started'; id: number; error?: string }
  | { t: 'result'; id: number; result: CallResult }
  | { t: 'stopped'; id: number };

/**
 * The small cabinet every custody case runs on: one xor-8a board of 8 locks
 * behind the board simulator on a socat PTY, and the agent's configuration
 * for it, tuned so each case is quick (short reply timeout, fast polls).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../../src/main/config/schema.js';
import type { CompartmentSize } from '../../../src/shared/domain.js';

export const BOARD = 1;
/** The cabinet's code key (given, so the harness can hash the codes it saw). */
export const CABINET_SECRET = Buffer.from('custody-harness-cabinet-secret-01', 'utf8');
export const BOARDS = [{ address: BOARD, protocol: 'xor-8a' as const, locks: 8 }];
export const COMPARTMENTS: Array<{ id: string; board: number; lock: number; size: CompartmentSize }> = Array.from({ length: 8 }, (_, i) => ({
  id: `C${i + 1}`,
  board: BOARD,
  lock: i + 1,
  size: 'M',
}));

export function compartmentOf(id: string): { id: string; board: number; lock: number } {
  const c = COMPARTMENTS.find((x) => x.id === id);
  if (!c) throw new Error(`no compartment ${id} in the custody cabinet`);
  return c;
}

/** Short enough to keep a lost reply cheap, long enough for a busy box to answer a healthy one. */
export const REPLY_TIMEOUT_MS = 250;
/** A drop-off's door must close within this, or the case fails (no wall-clock assertion: a bound on waiting). */
export const WAIT_MS = 8000;

export interface CaseConfig {
  dir: string;
  agentPath: string;
  /** Where the database lives (the ENOSPC cases put it on a small tmpfs). */
  database?: string;
  reserveMb?: number;
}

/** Writes the agent's config for one case and returns its path. */
export function writeCaseConfig(c: CaseConfig): string {
  const config: ConfigInput & Record<string, unknown> = {
    cabinet: { id: 'CUSTODY-01', secret: CABINET_SECRET.toString('utf8') },
    serial: { path: c.agentPath, replyTimeoutMs: REPLY_TIMEOUT_MS, readRetries: 1 },
    boards: BOARDS,
    compartments: COMPARTMENTS,
    database: c.database ?? join(c.dir, 'kiosk.db'),
    dataDir: c.dir,
    supervision: { pollIntervalMs: 100, activePollMs: 20, confirmOpenMs: 300, openWindowMs: 2000, leftOpenAfterMs: 600_000 },
    // A long grace: the re-open after `unknown` and the forgotten-item re-open must not expire mid-case.
    pickup: { graceMs: 600_000 },
    // No refusal floor: it only slows refusals down (against timing probes); custody does not depend on it.
    lockout: { refusalFloorMs: 0 },
    log: { file: false, level: 'silent' },
    storage: { reserveMb: c.reserveMb ?? 1 },
  };
  const path = join(c.dir, 'kiosk.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

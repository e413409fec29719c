import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DoorState } from '../../src/shared/domain.js';
import { COMPARTMENT_SIZES } from '../../src/shared/domain.js';
import type { Doors, FlowContext, OpenOutcome } from '../../src/core/context.js';
import { Kiosk } from '../../src/core/kiosk.js';
import { createFlowContext } from '../../src/core/flow-context.js';
import { defaultFlowPolicy } from '../../src/main/config/default-policy.js';
import * as store from '../../src/store/index.js';

/**
 * Scripted doors for unit tests of the flow logic only (the same flows run
 * over a real PTY against the simulator in test/integration/main).
 */
export class ScriptedDoors extends EventEmitter implements Doors {
  readonly opens: Array<{ board: number; lock: number }> = [];
  readonly doors = new Map<string, DoorState>();
  next: OpenOutcome['outcome'] | 'throw' = 'opened';
  /** Refusal floors waited, ms (the fixture's sleep advances the fake clock instead). */
  readonly slept: number[] = [];

  async open(board: number, lock: number): Promise<OpenOutcome> {
    const outcome = this.next;
    // A frame that never left is no pulse: `opens` lists only pulses.
    if (outcome === 'not-sent') return { outcome, door: 'unknown' };
    this.opens.push({ board, lock });
    if (outcome === 'throw') throw Object.assign(new Error('port gone'), { name: 'DriverError', code: 'port-gone' });
    const door: DoorState = outcome === 'opened' || outcome === 'no-reply-door-open' ? 'open' : outcome === 'no-reply-unknown' ? 'unknown' : 'closed';
    this.doors.set(`${board}/${lock}`, door);
    return { outcome, door };
  }

  async readDoor(board: number, lock: number): Promise<DoorState> {
    return this.doors.get(`${board}/${lock}`) ?? 'closed';
  }

  close(board: number, lock: number, at = Date.now()): void {
    this.doors.set(`${board}/${lock}`, 'closed');
    this.emit('door-closed', { board, lock, at, openMs: 100 });
  }

  doorStates(): Array<{ board: number; lock: number; door: DoorState }> {
    return [...this.doors].map(([key, door]) => {
      const [board, lock] = key.split('/').map(Number) as [number, number];
      return { board, lock, door };
    });
  }
}

export interface FlowFixture {
  ctx: FlowContext;
  kiosk: Kiosk;
  doors: ScriptedDoors;
  db: store.Db;
  now: { t: number };
  dbPath: string;
}

export function flowFixture(opts: { compartments?: Array<{ id: string; board: number; lock: number; size: (typeof COMPARTMENT_SIZES)[number] }>; dbPath?: string; doors?: ScriptedDoors } = {}): FlowFixture {
  const dbPath = opts.dbPath ?? join(mkdtempSync(join(tmpdir(), 'ck-flow-')), 'kiosk.db');
  const db = store.openDatabase(dbPath);
  store.syncCompartments(
    db,
    opts.compartments ?? [
      { id: '1', board: 1, lock: 1, size: 'S' },
      { id: '2', board: 1, lock: 2, size: 'M' },
      { id: '3', board: 1, lock: 3, size: 'L' },
      { id: '4', board: 2, lock: 1, size: 'XL' },
    ],
  );
  const now = { t: Date.UTC(2026, 10, 23, 12) };
  const doors = opts.doors ?? new ScriptedDoors();
  const ctx = createFlowContext({
    db, doors, secret: Buffer.alloc(32, 1), destinations: () => ['test-cloud'], clock: () => now.t, policy: defaultFlowPolicy(),
    sleep: async (ms) => {
      doors.slept.push(ms);
      now.t += ms;
    },
  });
  return { ctx, kiosk: new Kiosk(ctx, doors), doors, db, now, dbPath };
}

/** A courier drop-off that completes at once: the door closes right after it opened. */
export async function dropOff(f: FlowFixture, size: (typeof COMPARTMENT_SIZES)[number] = 'M') {
  const ticket = await f.kiosk.startDropoff({ size, actor: 'courier:test', courier: 'SF' });
  f.doors.close(ticket.board, ticket.lock, f.now.t);
  return ticket.stored;
}

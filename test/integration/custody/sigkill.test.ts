import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/drivers/index.js';
import { KILL_STEPS, type KillStep } from '../../helpers/custody/agent-handle.js';
import { compartmentOf, writeCaseConfig } from '../../helpers/custody/cabinet.js';
import { FLOWS, followUp, newRecord, runOp, SCRIPTS, TARGET, type CaseContext, type CaseRecord, type FlowName } from '../../helpers/custody/flows.js';
import { judgeCase, targetNeedsCheck } from '../../helpers/custody/judge.js';
import { publishMatrix } from '../../helpers/custody/matrix.js';
import { WireLog } from '../../helpers/custody/wire.js';
import { WorkerProcess } from '../../helpers/custody/worker-process.js';
import { requireSocat } from '../../helpers/pty.js';

/**
 * Issue 9, the custody matrix (part 2): a real agent process
 * (test/helpers/custody/custody-worker.ts) is SIGKILLed at each step of each
 * door flow's open — after the intent commit, after the write, after the
 * reply, after the result commit — the door is left open or shut during the
 * outage, and a new process on the same database and PTY starts (recover()).
 * The board simulator lives here, so it and its record of every frame survive.
 *
 * One worker process serves one kill: it restarts the case before, then runs
 * this case until it dies; the next one is spawned ahead, so boot time overlaps.
 */

type DoorDuringOutage = 'open' | 'shut';
interface KillCase {
  flow: FlowName;
  step: KillStep;
  door: DoorDuringOutage;
}

/** Killed before the write, the door never moved: "left open" does not apply. */
const CASES: KillCase[] = FLOWS.flatMap((flow) =>
  KILL_STEPS.flatMap((step) => (step === 'after-intent' ? ['shut' as const] : (['open', 'shut'] as const)).map((door) => ({ flow, step, door }))),
);

/** Flows whose open, cut off, leaves a compartment nobody can vouch for. */
const CHECKED_FLOWS: ReadonlySet<FlowName> = new Set(['dropoff', 'return', 'technician', 'remote']);

const rows: CaseRecord[] = [];
let sim: SimulatorHandle | undefined;
let wire: WireLog;
let current: WorkerProcess | undefined;
/**
 * Booted ahead: node + tsx + the agent's modules take over a second of CPU,
 * and every kill costs one process, so boots overlap the cases' waiting.
 */
const SPARES = 2;
const spares: WorkerProcess[] = [];
const everyWorker: WorkerProcess[] = [];

function nextWorker(): WorkerProcess {
  while (spares.length < SPARES + 1) {
    const w = new WorkerProcess();
    spares.push(w);
    everyWorker.push(w);
  }
  return spares.shift()!;
}

describe('custody matrix: SIGKILL at every step of every door flow (issue 9)', () => {
  beforeAll(async () => {
    requireSocat();
    sim = await startSimulator({ boards: [{ address: 1, protocol: 'xor-8a', locks: 8 }], autoCloseMs: 0, transport: 'pty' });
    wire = new WireLog(sim);
    current = nextWorker();
  });

  afterAll(async () => {
    await Promise.all(everyWorker.map((w) => w.dispose()));
    await sim?.close();
    publishMatrix('sigkill', rows);
  });

  for (const k of CASES) {
    it(`${k.flow} × SIGKILL ${k.step}, door ${k.door} during the outage`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ck-custody-kill-'));
      const configPath = writeCaseConfig({ dir, agentPath: sim!.agentPath });
      const rec = newRecord(k.flow, `SIGKILL ${k.step}, door ${k.door}`);
      const script = SCRIPTS[k.flow];
      const { board, lock } = compartmentOf(TARGET);
      const model = sim!.model;

      // The agent that dies.
      const victim = current?.alive ? current : nextWorker();
      current = undefined;
      const involved = [victim];
      let done = false;
      try {
        await victim.booted;
        await victim.start(configPath);
        const c: CaseContext = { h: victim, cab: { sim: sim!, wire }, rec, from: 0 };
        await script.setup(c);
        if (k.step === 'after-write') {
          // The board takes the frame and pulses, and never answers: only the kill can end the call.
          sim!.simulator.setFault('no-reply', { board, lock, on: 'open', count: 1 });
          wire.onNextOpen(board, lock, () => victim.kill());
        }
        const { method, args } = script.op(c);
        const killed = await runOp(c, method, args, { killAt: k.step });
        const exit = await victim.exited;
        sim!.simulator.clearFaults();
        if (killed.ok || killed.code !== 'harness:killed' || exit.signal !== 'SIGKILL') {
          rec.problems.push(`the agent was not killed at ${k.step} (answer ${rec.answers.at(-1)}, exit ${String(exit.signal ?? exit.code)})`);
        }

        // The outage: whoever stood at the door shuts it, or walks away from it open.
        if (k.door === 'shut') model.closeDoor(board, lock);
        else if (!model.isOpen(board, lock)) rec.problems.push('the door was not open after the kill (the pulse never happened?)');

        // The restart: a new process on the same database and PTY; recover() reads doors, never pulses.
        const heir = nextWorker();
        involved.push(heir);
        await heir.booted;
        const beforeRestart = wire.mark();
        await heir.start(configPath);
        if (wire.opens(beforeRestart).length) rec.problems.push('recover() sent an open frame');
        c.h = heir;
        rec.answers.push('restart');
        const listed = await targetNeedsCheck(c);
        rec.answers.push(listed === true ? `${TARGET} needs-check` : listed === false ? `${TARGET} not on the check list` : `needsCheck: ${listed}`);
        // Invariant 4: an open cut off between intent and result, or a drop-off whose door never reported closed, waits for a person.
        const mustCheck = CHECKED_FLOWS.has(k.flow) && (k.step !== 'after-commit' || k.flow === 'dropoff');
        if (mustCheck && listed !== true) rec.problems.push(`${k.flow} interrupted ${k.step}: ${TARGET} must be needs-check after the restart`);
        if (model.isOpen(board, lock)) model.closeDoor(board, lock);
        await followUp(c, script, undefined);
        await heir.stop();
        current = heir;
        done = true;
        judgeCase(c, join(dir, 'kiosk.db'), script.codeFlow);
        rows.push(rec);
        rmSync(dir, { recursive: true, force: true });
      } finally {
        // A case that threw may leave an agent holding the PTY: no later case may share it.
        if (!done) for (const w of involved) w.kill();
      }
      expect(rec.problems).toEqual([]);
    });
  }
});

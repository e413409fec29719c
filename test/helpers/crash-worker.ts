/**
 * Child process of test/integration/main/crash.test.ts: a real agent
 * (`Agent.start`: store → lock bus on the test's socat PTY → recover()) that
 * plays couriers and customers until the test SIGKILLs it.
 *
 * Usage (spawned by the test, with an IPC channel):
 *   node --import tsx test/helpers/crash-worker.ts <config.json> <journal-file> <ops-target> [seed]
 *
 * Every step a person would remember is appended to the journal and fsync'ed
 * BEFORE the next step starts, so the test (and the next child) know exactly
 * what was confirmed when the kill came:
 *   {op:'start'}                                   process started
 *   {op:'ready'}                                   Agent.start (with recover()) returned
 *   {op:'code-recovered', parcelId, code, compartmentId}
 *        a parcel the agent stored but whose code never reached this journal
 *        (killed between the commit and the journal line, or stored by
 *        recover()): its code is read the way the operator's cloud reads it,
 *        by unsealing `sealedCode` of its `parcel.stored` event
 *   {op:'dropoff-opened', parcelId, compartmentId}  startDropoff resolved
 *   {op:'dropoff-stored', parcelId, code, compartmentId}   `stored` resolved  (an op)
 *   {op:'pickup-begin', parcelId, code}            before kiosk.pickup
 *   {op:'pickup-done', parcelId, code, compartmentId, via}   pickup resolved, or a retry of a
 *                                                  begun pickup said `code-used`  (an op)
 *   {op:'unpark', compartmentId}                   technician put a parked compartment back
 *   {op:'check-answered', compartmentId, parcelId, inside, code}
 *        a compartment the restart put on the check list, answered by the person at it
 *        (asked of the test, which saw whether its door got an open frame); `code`
 *        when an interrupted drop-off was stored on a "yes"
 *   {op:'pickup-refused', parcelId, code, reason}  a begun pickup refused code-open-limit on a
 *                                                  retry (two pulses, neither confirmed)  (an op)
 *   {op:'finished'}                                clean stop
 *
 * Doors: the simulator runs in the test process. The worker never touches a
 * door; after an open it asks the test (IPC `close`) to have the courier or
 * customer shut it, like a person would once the screen said "done".
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { pino } from 'pino';
import { Agent } from '../../src/main/agent.js';
import { loadConfig } from '../../src/main/config/load-config.js';
import { loadCabinetSecret } from '../../src/main/secrets.js';
import { unsealCode } from '../../src/core/sealed-code.js';
import { COMPARTMENT_SIZES } from '../../src/shared/domain.js';
import { KioskError } from '../../src/shared/errors.js';
import * as store from '../../src/store/index.js';
import { journalState, mulberry32, readJournal, type JournalRecord, type ParentMessage, type WorkerMessage } from './crash-journal.js';

async function main(): Promise<void> {
  const [configPath, journalPath, targetArg, seedArg] = process.argv.slice(2);
  if (!configPath || !journalPath || !targetArg) throw new Error('usage: crash-worker.ts <config.json> <journal-file> <ops-target> [seed]');
  if (!process.send) throw new Error('crash-worker must be spawned with an IPC channel (it asks the test to close doors)');
  const target = Number(targetArg);
  const rnd = mulberry32(Number(seedArg ?? Date.now()) >>> 0);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

  const state = journalState(readJournal(journalPath));
  const fd = openSync(journalPath, 'a');
  const tail = existsSync(journalPath) ? readFileSync(journalPath, 'utf8') : '';
  if (tail.length > 0 && !tail.endsWith('\n')) writeSync(fd, '\n');
  const journal = (r: JournalRecord): void => {
    writeSync(fd, JSON.stringify(r) + '\n');
    fsyncSync(fd);
  };
  const send = (m: WorkerMessage): void => void process.send!(m);
  journal({ op: 'start', pid: process.pid, at: Date.now() });

  const config = loadConfig({ file: configPath });
  const logger = pino(
    { level: 'info', base: { pid: process.pid } },
    pino.destination({ dest: `${config.dataDir}/agent.log`, sync: true, append: true, mkdir: true }),
  );
  const go = new Promise<void>((resolve) => process.on('message', (m: ParentMessage) => m.t === 'go' && resolve()));
  const looks = new Map<string, (inside: boolean) => void>();
  process.on('message', (m: ParentMessage) => {
    if (m.t === 'seen') looks.get(m.compartmentId)?.(m.inside);
  });
  const look = (compartmentId: string, since: number): Promise<boolean> =>
    new Promise((resolve) => {
      looks.set(compartmentId, resolve);
      send({ t: 'look', compartmentId, since });
    });
  const agent = await Agent.start({ config, logger });
  const { kiosk, db } = agent;
  journal({ op: 'ready', pid: process.pid, at: Date.now() });

  // Parcels stored without their code in the journal: the operator's copy tells it.
  const secret = loadCabinetSecret(config.cabinet.secret, config.dataDir);
  const recoverCodes = (): void => {
    for (const parcel of store.listParcels(db, { states: ['stored'], limit: 100_000 })) {
      if (state.parcels.has(parcel.id)) continue;
      const event = store.eventsForParcel(db, parcel.id).find((e) => e.type === 'parcel.stored');
      if (!event) throw new Error(`stored parcel ${parcel.id} has no parcel.stored event`);
      const code = unsealCode(secret, (event.payload as { sealedCode: string }).sealedCode);
      journal({ op: 'code-recovered', parcelId: parcel.id, code, compartmentId: parcel.compartmentId });
      state.parcels.set(parcel.id, { code, compartmentId: parcel.compartmentId });
    }
  };
  recoverCodes();
  send({ t: 'ready' });
  await go;

  // A restart puts every interrupted drop-off on the check list: the courier (or whoever
  // comes by) says whether the parcel is inside; a "yes" shows its code once, here.
  for (const item of kiosk.needsCheck()) {
    const intent = item.parcelId ? store.intentsForParcel(db, item.parcelId).filter((i) => i.kind === 'dropoff').at(-1) : undefined;
    const inside = item.kind === 'dropoff' && intent ? await look(item.compartmentId, intent.createdAt) : item.parcelExpected;
    const answer = await kiosk.answerCheck(item.compartmentId, inside, 'courier:crash');
    journal({ op: 'check-answered', compartmentId: item.compartmentId, parcelId: item.parcelId, inside, code: answer.code });
    if (answer.code !== null && item.parcelId) state.parcels.set(item.parcelId, { code: answer.code, compartmentId: item.compartmentId });
  }

  const pickupParcel = async (parcelId: string, retry: boolean): Promise<void> => {
    const { code, compartmentId } = state.parcels.get(parcelId)!;
    if (!retry) {
      journal({ op: 'pickup-begin', parcelId, code });
      state.begun.add(parcelId);
    }
    try {
      const result = await kiosk.pickup(code, 'keypad');
      if (result.reopened) throw new Error(`code of parcel ${parcelId} was a grace re-open: graceMs must be 0 here`);
      if (result.parcelId !== parcelId) throw new Error(`code of parcel ${parcelId} opened ${result.compartmentId} for parcel ${String(result.parcelId)}`);
      // No faults but kills: a live open is always confirmed.
      if (result.outcome !== 'opened') throw new Error(`pickup of parcel ${parcelId} answered ${result.outcome} with no fault injected`);
      journal({ op: 'pickup-done', parcelId, code, compartmentId: result.compartmentId, via: 'opened' });
      send({ t: 'close', board: result.board, lock: result.lock });
    } catch (err) {
      // A retry of a pickup the last child (or recover()) already committed…
      if (retry && err instanceof KioskError && err.code === 'code-used') {
        journal({ op: 'pickup-done', parcelId, code, compartmentId, via: 'code-used' });
      } else if (retry && err instanceof KioskError && err.code === 'code-open-limit') {
        // …or one whose two pulses were both cut off unconfirmed: staff must help now.
        journal({ op: 'pickup-refused', parcelId, code, reason: err.code });
        state.begun.delete(parcelId);
        state.refused.add(parcelId);
        state.ops++;
        return;
      } else {
        throw err;
      }
    }
    state.begun.delete(parcelId);
    state.picked.add(parcelId);
    state.ops++;
  };

  const dropoff = async (): Promise<boolean> => {
    let ticket;
    try {
      ticket = await kiosk.startDropoff({ size: pick(COMPARTMENT_SIZES), actor: 'courier:crash', courier: 'CRASH' });
    } catch (err) {
      if (err instanceof KioskError && err.code === 'no-free-compartment') return false;
      throw err;
    }
    if (ticket.outcome !== 'opened') throw new Error(`drop-off into ${ticket.compartmentId} answered ${ticket.outcome} with no fault injected`);
    journal({ op: 'dropoff-opened', parcelId: ticket.parcelId, compartmentId: ticket.compartmentId });
    send({ t: 'close', board: ticket.board, lock: ticket.lock });
    const stored = await withTimeout(ticket.stored, 10_000, `drop-off ${ticket.parcelId} never stored (door close not seen)`);
    journal({ op: 'dropoff-stored', parcelId: stored.parcelId, code: stored.code, compartmentId: stored.compartmentId });
    state.parcels.set(stored.parcelId, { code: stored.code, compartmentId: stored.compartmentId });
    state.ops++;
    return true;
  };

  const unparkAll = (): number => {
    const parked = store.listCompartments(db).filter((c) => c.outOfService && !store.occupantOf(db, c.id));
    for (const c of parked) {
      // Journaled first: the test only insists on "still parked" for compartments never named here.
      journal({ op: 'unpark', compartmentId: c.id });
      kiosk.setOutOfService(c.id, false, null, 'technician:crash-test');
    }
    return parked.length;
  };

  while (state.ops < target) {
    // Drop-offs cut off by a kill park their compartment; a technician comes by when few are left.
    if (Object.values(kiosk.freeCounts()).reduce((a, b) => a + b, 0) < 4 && rnd() < 0.5) unparkAll();
    const begun = [...state.begun];
    if (begun.length > 0) {
      await pickupParcel(begun[0]!, true);
      continue;
    }
    const waiting = [...state.parcels.keys()].filter((id) => !state.picked.has(id) && !state.refused.has(id));
    const free = Object.values(kiosk.freeCounts()).reduce((a, b) => a + b, 0);
    if (waiting.length > 0 && (free === 0 || rnd() < 0.45)) {
      await pickupParcel(pick(waiting), false);
      continue;
    }
    if (free > 0 && (await dropoff())) continue;
    if (waiting.length > 0) {
      await pickupParcel(pick(waiting), false);
      continue;
    }
    // Nothing to collect and nowhere to drop: every free compartment is parked.
    if (unparkAll() === 0) throw new Error('stuck: no code to collect, no free and no parked compartment');
  }

  // Drop-offs recover() left waiting for their door (closed by the test on `ready`).
  const until = Date.now() + 10_000;
  while (kiosk.pendingDropoffs().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (kiosk.pendingDropoffs().length > 0) throw new Error(`drop-offs still waiting for their door: ${kiosk.pendingDropoffs().join(', ')}`);
  recoverCodes();
  send({ t: 'done' });
  await agent.stop();
  journal({ op: 'finished', pid: process.pid, at: Date.now() });
  closeSync(fd);
  process.disconnect?.();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms))),
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import { CabinetHardware, type OpenOutcome } from '../../drivers/index.js';
import { COMPARTMENT_SIZES, type BoardProtocol, type CompartmentSize } from '../../shared/domain.js';
import { silentLogger } from '../../shared/logger.js';
import type { Answers } from './answers.js';
import { CommissionError } from './errors.js';
import type { MappedDoor } from './write-config.js';

export type DoorAnswer = { kind: 'map'; compartment: string; size: CompartmentSize } | { kind: 'skip' } | { kind: 'again' } | { kind: 'stop' };

/** Asks the technician about one lock just pulsed. */
export interface DoorAsker {
  ask(board: number, lock: number, said: string, taken: ReadonlySet<string>): Promise<DoorAnswer>;
}

export interface PulseRecord {
  board: number;
  lock: number;
  outcome: OpenOutcome['outcome'];
}

/** What a pulse did, in the technician's words. */
export function outcomeText(o: OpenOutcome['outcome']): string {
  switch (o) {
    case 'opened':
      return 'the board says the door opened';
    case 'no-reply-door-open':
      return 'no reply, but the door reads open';
    case 'still-locked':
    case 'no-reply-door-closed':
      return 'the door stayed shut (no lock on this output, or it is jammed)';
    case 'no-reply-unknown':
      return 'no reply: look whether a door opened';
    case 'not-sent':
      return 'the pulse was not sent (port lost)';
  }
}

/**
 * Pulses locks one by one and records what each one is. With answers, only
 * the listed doors are pulsed, in their order; without, every lock of every
 * board, and the technician answers each.
 */
export async function mapDoors(o: {
  path: string;
  baudRate: number;
  protocol: BoardProtocol;
  boards: Array<{ address: number; locks: number }>;
  answers: Answers | null;
  asker: DoorAsker | null;
  say: (line: string) => void;
}): Promise<{ doors: MappedDoor[]; pulses: PulseRecord[] }> {
  const hw = await CabinetHardware.start({
    serial: { path: o.path, baudRate: o.baudRate, binding: 'native' },
    boards: o.boards.map((b) => ({ address: b.address, protocol: o.protocol, locks: b.locks })),
    // Supervision polls only add traffic between pulses here.
    supervision: { pollIntervalMs: 60_000 },
    logger: silentLogger,
  });
  const doors: MappedDoor[] = [];
  const pulses: PulseRecord[] = [];
  const taken = new Set<string>();
  const pulse = async (board: number, lock: number): Promise<string> => {
    const r = await hw.open(board, lock);
    pulses.push({ board, lock, outcome: r.outcome });
    const said = outcomeText(r.outcome);
    o.say(`board ${board} lock ${lock}: pulsed — ${said}`);
    return said;
  };
  try {
    if (o.answers) {
      for (const d of o.answers.doors) {
        if (d.skip) continue;
        if (!o.boards.some((b) => b.address === d.board && d.lock <= b.locks)) {
          throw new CommissionError('answers-invalid', `answers: board ${d.board} lock ${d.lock} is not on the line (found: ${o.boards.map((b) => `${b.address} × ${b.locks}`).join(', ')})`, 'fix the doors list of the answers file');
        }
        const id = d.compartment!;
        if (taken.has(id)) throw new CommissionError('answers-invalid', `answers: compartment id "${id}" is given twice`, 'give each compartment its own id');
        await pulse(d.board, d.lock);
        taken.add(id);
        doors.push({ board: d.board, lock: d.lock, compartment: id, size: d.size });
      }
      return { doors, pulses };
    }
    const asker = o.asker!;
    for (const b of o.boards) {
      for (let lock = 1; lock <= b.locks; lock++) {
        const said = await pulse(b.address, lock);
        let a = await asker.ask(b.address, lock, said, taken);
        while (a.kind === 'again') {
          a = await asker.ask(b.address, lock, await pulse(b.address, lock), taken);
        }
        if (a.kind === 'stop') return { doors, pulses };
        if (a.kind === 'skip') continue;
        taken.add(a.compartment);
        doors.push({ board: b.address, lock, compartment: a.compartment, size: a.size });
      }
    }
    return { doors, pulses };
  } finally {
    await hw.close();
  }
}

/** Reads the technician's answers from lines (a terminal, or a pipe). */
export function lineAsker(next: () => Promise<string | null>, say: (s: string) => void): DoorAsker {
  return {
    async ask(board, lock, _said, taken) {
      for (;;) {
        say(`  compartment id for board ${board} lock ${lock} (Enter: skip this lock, "r": pulse again, "q": done mapping)?`);
        const line = await next();
        if (line === null || line.trim() === 'q') return { kind: 'stop' };
        const id = line.trim();
        if (id === '') return { kind: 'skip' };
        if (id === 'r') return { kind: 'again' };
        if (id.length > 32) {
          say('  an id is at most 32 characters');
          continue;
        }
        if (taken.has(id)) {
          say(`  "${id}" is already given to another lock`);
          continue;
        }
        for (;;) {
          say(`  size of ${id} (${COMPARTMENT_SIZES.join('/')}, Enter: M)?`);
          const s = (await next())?.trim().toUpperCase() ?? '';
          const size = (s === '' ? 'M' : s) as CompartmentSize;
          if ((COMPARTMENT_SIZES as readonly string[]).includes(size)) return { kind: 'map', compartment: id, size };
          say(`  "${s}" is not a size`);
        }
      }
    },
  };
}

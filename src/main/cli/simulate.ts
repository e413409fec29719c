import { createInterface } from 'node:readline';
import { startSimulator, type FaultOptions } from '../../drivers/index.js';
import type { BoardProtocol } from '../../shared/domain.js';
import { silentLogger } from '../../shared/logger.js';
import { untilSignal } from '../start.js';

export interface SimulateOptions {
  protocol: BoardProtocol;
  boards: number;
  locks: number;
  autoCloseMs: number;
  transport: 'pty' | 'auto';
}

/**
 * `cabinet-kiosk simulate`: lock boards on one end of a socat PTY pair, the
 * path of the other end printed for the agent's `serial.path`. Reads simple
 * commands on stdin to play with doors and faults.
 */
export async function runSimulateCommand(o: SimulateOptions, json: boolean): Promise<number> {
  // Protocol B packs the board into a nibble and starts at 0; A and C start at 1.
  const first = o.protocol === 'kerong-cu' ? 0 : 1;
  const boards = Array.from({ length: o.boards }, (_, i) => ({ address: first + i, protocol: o.protocol, locks: o.locks }));
  const sim = await startSimulator({ boards, autoCloseMs: o.autoCloseMs, transport: o.transport, logger: silentLogger });
  if (json) {
    process.stdout.write(JSON.stringify({ event: 'ready', path: sim.agentPath, binding: sim.binding, boards }) + '\n');
    sim.simulator.on('frame', (f: { hex: string; kind: string; board: number; lock?: number }) =>
      process.stdout.write(JSON.stringify({ event: 'frame', hex: f.hex, kind: f.kind, board: f.board, lock: f.lock ?? null }) + '\n'),
    );
  } else {
    process.stdout.write(
      [
        `simulating ${o.boards} ${o.protocol} board(s) × ${o.locks} locks (addresses ${boards.map((b) => b.address).join(', ')})`,
        `connect the agent to: ${sim.agentPath}   (serial.path in the config)`,
        'stdin: "close B L", "force B L", "fault NAME|off [board=B lock=L on=open|read|any count=N]" (no-reply, bad-checksum, still-locked, echo, garbage-prefix, unplug), Ctrl+C stops',
        '',
      ].join('\n'),
    );
    sim.simulator.on('frame', (f: { hex: string; decoded: string }) => process.stdout.write(`rx ${f.hex}  ${f.decoded}\n`));
  }
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const said = applyStdinCommand(sim, line.trim());
    // In --json mode every line is JSON: a script waits for this before its next step.
    process.stdout.write((json ? JSON.stringify({ event: 'command', command: line.trim(), result: said }) : said) + '\n');
  });
  await untilSignal();
  rl.close();
  await sim.close();
  return 0;
}

function applyStdinCommand(sim: Awaited<ReturnType<typeof startSimulator>>, line: string): string {
  const [verb, a, b, ...more] = line.split(/\s+/);
  const board = Number(a);
  const lock = Number(b);
  switch (verb) {
    case 'close':
      sim.model.closeDoor(board, lock);
      return `closed ${board}/${lock}`;
    case 'force':
      sim.model.forceOpen(board, lock);
      return `forced ${board}/${lock} open`;
    case 'fault':
      if (!a || a === 'off') sim.simulator.clearFaults();
      else if (b === 'off') sim.simulator.setFault(a as never, false);
      else sim.simulator.setFault(a as never, faultOptions([b, ...more]));
      return `fault ${line.slice(verb.length).trim() || 'off'}`;
    default:
      return `unknown command: ${line}`;
  }
}

/** `board=1 lock=7 on=any count=4` → the simulator's fault scope; no words → everything, until cleared. */
function faultOptions(words: Array<string | undefined>): FaultOptions | true {
  const o: FaultOptions = {};
  for (const word of words) {
    const [key, value] = (word ?? '').split('=');
    if (key === 'board' || key === 'lock' || key === 'count' || key === 'delayMs') o[key] = Number(value);
    else if (key === 'on' && (value === 'open' || value === 'read' || value === 'any')) o.on = value;
  }
  return Object.keys(o).length ? o : true;
}

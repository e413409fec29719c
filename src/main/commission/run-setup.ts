import { resolve } from 'node:path';
import { listSerialPorts, scanBus, SCAN_BAUD_RATES } from '../../drivers/index.js';
import { BOARD_PROTOCOLS, type BoardProtocol } from '../../shared/domain.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { SIMULATOR_PATH, type Config } from '../config/schema.js';
import { callAgent } from '../control-protocol/client.js';
import { controlSocketPath } from '../control-protocol/socket-path.js';
import { agentHoldsDataDir } from '../doctor/probe-services.js';
import { readAnswers, type Answers } from './answers.js';
import { chooseBus } from './bus-choice.js';
import { CommissionError } from './errors.js';
import { mapDoors, type DoorAsker, type PulseRecord } from './map-doors.js';
import { commissionedText, readPrevious, writeConfigAtomically, type MappedDoor } from './write-config.js';

export interface SetupOptions {
  /** The configuration file to write (its previous version is kept as a backup). */
  file: string;
  port?: string | undefined;
  protocols?: BoardProtocol[] | undefined;
  baudRates?: number[] | undefined;
  addresses?: number[] | undefined;
  answersFile?: string | undefined;
  /** false: scan and write the boards only; every lock becomes a compartment (the defaults). */
  map: boolean;
}

export interface SetupResult {
  file: string;
  backup: string | null;
  port: string;
  protocol: BoardProtocol;
  baudRate: number;
  boards: Array<{ address: number; locks: number }>;
  compartments: MappedDoor[];
  pulses: PulseRecord[];
}

function previousConfig(file: string): Config | null {
  try {
    return loadConfig({ file });
  } catch (err) {
    if (err instanceof ConfigError) return null;
    throw err;
  }
}

/** Setup drives the line itself: refused while an agent of this configuration runs. */
async function refuseRunningAgent(config: Config | null): Promise<void> {
  if (!config) return;
  const reply = await callAgent(controlSocketPath(config.dataDir), 'status', {}).catch(() => ({ reached: false as const }));
  if (reply.reached || agentHoldsDataDir(config.dataDir)) {
    throw new CommissionError('agent-running', `an agent of ${config.source} is running and holds the serial line`, 'stop it first (`systemctl stop cabinet-kiosk-agent`), run setup, then start it again');
  }
}

async function pickPort(o: SetupOptions, answers: Answers | null, previous: Config | null): Promise<string> {
  const given = o.port ?? answers?.port ?? (previous && previous.serial.path !== SIMULATOR_PATH ? previous.serial.path : undefined);
  if (given) return given;
  const seen = await listSerialPorts().catch(() => []);
  const byId = seen.filter((p) => p.source === 'by-id');
  const candidates = byId.length ? byId : seen;
  if (candidates.length === 1) return candidates[0]!.path;
  throw new CommissionError('answers-invalid', candidates.length ? `more than one serial port: ${candidates.map((p) => p.path).join(', ')}` : 'no serial port found', 'say which with --port /dev/serial/by-id/…');
}

/**
 * Commissioning: (1) scan the line for boards, (2) pulse each lock and
 * record which compartment it is, (3) write the configuration atomically,
 * keeping the previous file. Throws CommissionError.
 */
export async function runSetup(o: SetupOptions, io: { say: (line: string) => void; asker: DoorAsker | null }): Promise<SetupResult> {
  const file = resolve(o.file);
  const answers = o.answersFile ? readAnswers(o.answersFile) : null;
  if (!answers && !io.asker && o.map) throw new CommissionError('answers-invalid', 'no terminal to ask the door map on', 'give --answers FILE, or --no-map');
  const previous = previousConfig(file);
  await refuseRunningAgent(previous);
  const port = await pickPort(o, answers, previous);
  const protocols = o.protocols ?? answers?.protocols ?? [...BOARD_PROTOCOLS];
  const baudRates = o.baudRates ?? answers?.baudRates;
  const addresses = o.addresses ?? answers?.addresses;
  const rates = baudRates ?? [...new Set(protocols.flatMap((p) => SCAN_BAUD_RATES[p]))];
  io.say(`scanning ${port}: ${protocols.join(', ')} at ${rates.join('/')} baud (status reads only, no door moves)…`);
  const scan = await scanBus({
    path: port, protocols, ...(baudRates ? { baudRates } : {}), ...(addresses ? { addresses } : {}),
    onProgress: (p) => {
      if (p.found) io.say(`  found ${p.found.protocol} board ${p.found.address} at ${p.baudRate} baud: ${p.found.locks} lock positions`);
    },
  });
  const bus = chooseBus(scan);
  const boards = bus.boards.map((b) => ({ address: b.address, locks: answers?.locks[String(b.address)] ?? b.locks }));
  io.say(`the line: ${bus.protocol} at ${bus.baudRate} baud, board(s) ${boards.map((b) => `${b.address} (${b.locks} locks)`).join(', ')}`);
  for (const l of bus.leftOut) io.say(`  left out: board ${l.address} answers only at ${l.baudRates.join('/')} baud`);
  let compartments: MappedDoor[] | null = null;
  let pulses: PulseRecord[] = [];
  if (o.map) {
    io.say(answers ? `mapping ${answers.doors.filter((d) => !d.skip).length} door(s) from the answers…` : 'mapping the doors: each lock is pulsed in turn; say which compartment opened');
    const mapped = await mapDoors({ path: port, baudRate: bus.baudRate, protocol: bus.protocol, boards, answers, asker: io.asker, say: io.say });
    pulses = mapped.pulses;
    if (mapped.doors.length === 0) throw new CommissionError('answers-invalid', 'no door was mapped: nothing written', 'map at least one door, or use --no-map to make every lock a compartment');
    compartments = mapped.doors;
  }
  const text = commissionedText(readPrevious(file), file, { path: port, baudRate: bus.baudRate, protocol: bus.protocol, boards, doors: compartments });
  const backup = writeConfigAtomically(file, text);
  io.say(`wrote ${file}${backup ? ` (the previous file is kept as ${backup})` : ''}`);
  return { file, backup, port, protocol: bus.protocol, baudRate: bus.baudRate, boards, compartments: compartments ?? [], pulses };
}

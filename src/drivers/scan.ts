import { BOARD_PROTOCOLS, type BoardProtocol, type DoorState } from '../shared/domain.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { LockBoard } from './board-types.js';
import { DriverError, isDriverError } from './errors.js';
import { createLockBoard, DEFAULT_BAUD_RATES } from './lock-board.js';
import { BOARD_MAX as KERONG_BOARD_MAX, LOCKS_PER_BOARD as KERONG_LOCKS } from './kerong-cu/constants.js';
import { SLAVE_MAX } from './modbus-relay/constants.js';
import { classifyPortError, type PortErrorKind, type SerialBinding } from './transport/port-opener.js';
import { ReconnectingPort } from './transport/reconnecting-port.js';
import { SerialBus } from './transport/serial-bus.js';
import { ADDRESS_MAX as XOR_ADDRESS_MAX, ADDRESS_MIN as XOR_ADDRESS_MIN, READ_ALL_MAX_STATUS_BYTES } from './xor-8a/constants.js';

/**
 * A scan waits this long per address: a board answers a status request
 * within milliseconds (docs/lock-boards.md §A.7, §B.7, §C.3), and a silent
 * address costs this much, so a full scan stays well under a minute.
 */
export const SCAN_REPLY_TIMEOUT_MS = 150;

/** Where each protocol's boards may sit (docs/lock-boards.md §A.2, §B.3, §C.1). Modbus scans 1–32 unless told (247 slaves × timeout is long). */
export const SCAN_ADDRESSES: Readonly<Record<BoardProtocol, readonly number[]>> = {
  'xor-8a': range(XOR_ADDRESS_MIN, XOR_ADDRESS_MAX),
  'kerong-cu': range(0, KERONG_BOARD_MAX),
  'modbus-relay': range(1, Math.min(32, SLAVE_MAX)),
};

/** The rates tried, each protocol's usual one first (docs/lock-boards.md §A.1, §B.1 [CONFLICT], §C.1). */
export const SCAN_BAUD_RATES: Readonly<Record<BoardProtocol, readonly number[]>> = {
  'xor-8a': [DEFAULT_BAUD_RATES['xor-8a'], 19_200],
  'kerong-cu': [DEFAULT_BAUD_RATES['kerong-cu'], 9600],
  'modbus-relay': [DEFAULT_BAUD_RATES['modbus-relay'], 19_200],
};

export interface ScanOptions {
  path: string;
  binding?: SerialBinding;
  protocols?: readonly BoardProtocol[];
  /** Overrides every protocol's list. */
  baudRates?: readonly number[];
  /** Overrides every protocol's list (each protocol keeps only addresses it can carry). */
  addresses?: readonly number[];
  replyTimeoutMs?: number;
  logger?: Logger;
  /** Called before each baud rate and after each board found. */
  onProgress?: (p: { baudRate: number; protocol: BoardProtocol; found?: ScanHit }) => void;
}

/** A board that answered a status request: only reads are sent during a scan, never an open. */
export interface ScanHit {
  protocol: BoardProtocol;
  address: number;
  /** Every rate it answered at (a PTY answers at any). */
  baudRates: number[];
  /** The lock positions its status reply carries (protocol A pads to whole bytes, so this may exceed the locks wired). */
  locks: number;
  doors: DoorState[];
}

export interface ScanResult {
  path: string;
  hits: ScanHit[];
  /** Requests sent. */
  probes: number;
  /** Set when the port could not be opened: nothing was scanned. */
  portError?: { kind: PortErrorKind; message: string };
}

/**
 * Looks for boards on one serial line: for each baud rate, each protocol,
 * each address, one status read (no door moves). Opens the port itself, so
 * it must never run while an agent holds the line.
 */
export async function scanBus(o: ScanOptions): Promise<ScanResult> {
  const log = o.logger ?? silentLogger;
  const protocols = o.protocols ?? BOARD_PROTOCOLS;
  const bauds = unique(o.baudRates ?? protocols.flatMap((p) => SCAN_BAUD_RATES[p]));
  const found = new Map<string, ScanHit>();
  let probes = 0;
  for (const baudRate of bauds) {
    const port = new ReconnectingPort({ path: o.path, baudRate, binding: o.binding ?? 'native' }, log, { initialDelayMs: 60_000, maxDelayMs: 60_000, permissionRetryMs: 60_000 });
    let openError: unknown;
    port.once('fault', (f) => (openError = new Error(f.message)));
    port.once('disconnected', (d) => (openError ??= new Error(d.reason)));
    const open = await port.start();
    if (!open) {
      await port.close();
      const message = openError instanceof Error ? openError.message : `cannot open ${o.path}`;
      return { path: o.path, hits: [...found.values()], probes, portError: { kind: classifyPortError(openError ?? new Error(message)), message } };
    }
    const bus = new SerialBus(port, { baudRate, replyTimeoutMs: o.replyTimeoutMs ?? SCAN_REPLY_TIMEOUT_MS, readRetries: 0 }, log);
    try {
      for (const protocol of protocols) {
        if (!o.baudRates && !SCAN_BAUD_RATES[protocol].includes(baudRate)) continue;
        o.onProgress?.({ baudRate, protocol });
        // A board's parser may still hold bytes of the previous sweep's foreign frames and eat
        // the first frame of this one while it resyncs (seen on the simulator): the first
        // address of each sweep is asked twice rather than missed.
        let first = true;
        for (const address of addressesFor(protocol, o.addresses)) {
          const key = `${protocol}/${address}`;
          const known = found.get(key);
          if (known) {
            // Seen at an earlier rate: one read says whether it also answers at this one.
            probes++;
            if (await probeBoard(bus, protocol, address, log)) known.baudRates.push(baudRate);
            continue;
          }
          const counted = { n: 0 };
          let hit = await probeBoard(bus, protocol, address, log, counted);
          if (!hit && first) hit = await probeBoard(bus, protocol, address, log, counted);
          first = false;
          probes += Math.max(1, counted.n);
          if (!hit) continue;
          const entry: ScanHit = { protocol, address, baudRates: [baudRate], locks: hit.locks, doors: hit.doors };
          found.set(key, entry);
          o.onProgress?.({ baudRate, protocol, found: entry });
        }
      }
    } finally {
      bus.close();
      await port.close();
    }
  }
  return { path: o.path, hits: [...found.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.address - b.address), probes };
}

/** The protocols among the hits: more than one means a bus this agent cannot drive. */
export function protocolsSeen(hits: readonly ScanHit[]): BoardProtocol[] {
  return unique(hits.map((h) => h.protocol));
}

function addressesFor(protocol: BoardProtocol, wanted: readonly number[] | undefined): number[] {
  const all = SCAN_ADDRESSES[protocol];
  if (!wanted) return [...all];
  const max = protocol === 'kerong-cu' ? KERONG_BOARD_MAX : protocol === 'xor-8a' ? 0xff : SLAVE_MAX;
  return wanted.filter((a) => Number.isInteger(a) && a >= 0 && a <= max);
}

/**
 * One board's status, or null when nothing (usable) answered. Protocol A's
 * read-all carries whole status bytes; protocol B always sixteen hooks;
 * protocol C has no "how many" request, so the widest read it accepts is
 * searched (an out-of-range read is refused at once with exception 2, §C.2).
 */
async function probeBoard(bus: SerialBus, protocol: BoardProtocol, address: number, log: Logger, counted = { n: 0 }): Promise<{ locks: number; doors: DoorState[] } | null> {
  const board = (locks: number): LockBoard => createLockBoard(bus, { address, protocol, locks }, silentLogger);
  const read = async (locks: number): Promise<DoorState[] | null> => {
    counted.n++;
    try {
      return await board(locks).readAllDoors();
    } catch (err) {
      if (isDriverError(err, 'reply-timeout', 'bad-frame', 'bad-checksum', 'unsupported')) return null;
      if (err instanceof DriverError) log.debug({ protocol, address, code: err.code }, 'scan read failed');
      throw err;
    }
  };
  switch (protocol) {
    case 'xor-8a': {
      const doors = await read(READ_ALL_MAX_STATUS_BYTES * 8);
      if (!doors) return null;
      const known = doors.filter((d) => d !== 'unknown').length;
      return { locks: known, doors: doors.slice(0, known) };
    }
    case 'kerong-cu': {
      const doors = await read(KERONG_LOCKS);
      return doors ? { locks: doors.length, doors } : null;
    }
    case 'modbus-relay': {
      if (!(await read(1))) return null;
      let lo = 1;
      let hi = 65;
      for (const n of [64, 32, 16, 8, 4, 2]) {
        if (await read(n)) {
          lo = n;
          break;
        }
        hi = n;
      }
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (await read(mid)) lo = mid;
        else hi = mid;
      }
      const doors = await read(lo);
      return doors ? { locks: lo, doors } : null;
    }
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

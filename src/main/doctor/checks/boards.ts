import type { BoardProtocol } from '../../../shared/domain.js';
import { fail, info, pass, warn, type CheckResult } from '../check.js';

/** The one message for a bus carrying two protocols (used by doctor and setup alike). */
export const MIXED_PROTOCOLS_CODE = 'bus-mixed-protocols';
export function mixedProtocolsMessage(byProtocol: ReadonlyMap<BoardProtocol, readonly number[]>): string {
  const list = [...byProtocol].map(([p, addrs]) => `${p} at ${addrs.join(', ')}`).join('; ');
  return `boards of two protocols on one bus (${list}): not supported — one serial line carries one protocol at one baud rate; give each protocol its own adapter and cabinet-kiosk instance, or replace the odd boards`;
}

export interface ConfiguredBoard {
  address: number;
  protocol: BoardProtocol;
  locks: number;
}

export interface BoardHit {
  protocol: BoardProtocol;
  address: number;
  baudRates: number[];
  locks: number;
}

export type BoardFacts =
  | { source: 'none'; reason: string; configured: ConfiguredBoard[] }
  /** The running agent holds the port: which configured boards had a door read by it. */
  | { source: 'agent'; configured: ConfiguredBoard[]; connected: boolean; answered: Record<number, boolean> }
  /** No agent: the doctor scanned the line itself at the configured rate (and the silent boards at the other rates). */
  | { source: 'doctor'; configured: ConfiguredBoard[]; baudRate: number; hits: BoardHit[]; discovery: boolean; portError?: string };

export function boardChecks(f: BoardFacts): CheckResult[] {
  const out: CheckResult[] = [];
  const protocols = groupByProtocol(f.configured);
  if (protocols.size > 1) out.push(fail('boards.protocol', mixedProtocolsMessage(protocols), 'give `boards` one protocol (cabinet-kiosk setup scans the line and writes it)'));
  switch (f.source) {
    case 'none':
      out.push(info('boards.answer', f.reason));
      return out;
    case 'agent':
      if (!f.connected) {
        out.push(fail('boards.answer', 'the running agent has no connection to the serial port', 'see serial.device and serial.access above; the agent reconnects by itself once the port is there'));
        return out;
      }
      for (const b of f.configured) {
        const id = `board.${b.address}`;
        out.push(f.answered[b.address] ? pass(id, `board ${b.address} (${b.protocol}) answers the running agent`) : fail(id, `board ${b.address} (${b.protocol}): the running agent reads no door of it`, `check board ${b.address}'s power, the A/B wiring and its address switches; stop the agent and run doctor again to scan the line`));
      }
      out.push(info('bus.discovery', 'the running agent holds the port, so the line was not scanned: stop the agent and run doctor again to list everything on it'));
      return out;
    case 'doctor':
      if (f.portError !== undefined) {
        out.push(fail('boards.answer', `the port could not be opened to ask the boards: ${f.portError}`, 'fix serial.device / serial.access above first'));
        return out;
      }
      for (const b of f.configured) out.push(boardCheck(b, f.configured, f.baudRate, f.hits));
      out.push(...discoveryChecks(f));
      return out;
  }
}

function boardCheck(b: ConfiguredBoard, configured: readonly ConfiguredBoard[], baudRate: number, hits: readonly BoardHit[]): CheckResult {
  const id = `board.${b.address}`;
  const same = hits.find((h) => h.protocol === b.protocol && h.address === b.address);
  if (same?.baudRates.includes(baudRate)) {
    if (same.locks < b.locks) return warn(id, `board ${b.address} (${b.protocol}) answers, but its status carries ${same.locks} locks and ${b.locks} are configured`, `set boards[].locks of board ${b.address} to at most ${same.locks}`);
    return pass(id, `board ${b.address} answers as ${b.protocol} at ${baudRate} baud (${same.locks} lock positions, ${b.locks} configured)`);
  }
  if (same) return fail(id, `board ${b.address} (${b.protocol}) answers only at ${same.baudRates.join('/')} baud, not ${baudRate}`, `set serial.baudRate: ${same.baudRates[0]}`);
  const other = hits.find((h) => h.address === b.address && h.protocol !== b.protocol && h.baudRates.includes(baudRate));
  if (other) return fail(id, `address ${b.address} answers as ${other.protocol}, not ${b.protocol}`, `set the protocol of board ${b.address} to ${other.protocol} (cabinet-kiosk setup writes it)`);
  const elsewhere = hits.filter((h) => h.protocol === b.protocol && !configured.some((c) => c.address === h.address));
  if (elsewhere.length) return fail(id, `board ${b.address} (${b.protocol}) is silent; a ${b.protocol} board answers at ${elsewhere.map((h) => h.address).join(', ')}`, `set its address in boards (or the board's address switches) to match`);
  return fail(id, `board ${b.address} (${b.protocol}) does not answer`, `check board ${b.address}'s power, the A/B wiring (swap A and B once) and its address switches`);
}

function discoveryChecks(f: Extract<BoardFacts, { source: 'doctor' }>): CheckResult[] {
  if (!f.discovery) return [info('bus.discovery', 'line not scanned for other boards (--no-discovery)')];
  const seen = f.hits.filter((h) => h.baudRates.includes(f.baudRate));
  const protocols = groupByProtocol(seen);
  if (protocols.size > 1) return [fail('bus.discovery', mixedProtocolsMessage(protocols), 'take the boards of one protocol off this line (each protocol needs its own adapter)')];
  const extra = seen.filter((h) => !f.configured.some((b) => b.address === h.address && b.protocol === h.protocol));
  if (extra.length) return [warn('bus.discovery', `also on the line, not configured: ${extra.map((h) => `${h.protocol} ${h.address} (${h.locks} locks)`).join(', ')}`, 'add them to `boards` (cabinet-kiosk setup writes them), or take them off the line')];
  return [pass('bus.discovery', `nothing else answers on the line at ${f.baudRate} baud`)];
}

function groupByProtocol(list: ReadonlyArray<{ protocol: BoardProtocol; address: number }>): Map<BoardProtocol, number[]> {
  const map = new Map<BoardProtocol, number[]>();
  for (const b of list) map.set(b.protocol, [...(map.get(b.protocol) ?? []), b.address]);
  return map;
}

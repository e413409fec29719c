import { DEFAULT_BAUD_RATES, type ScanResult } from '../../drivers/index.js';
import type { BoardProtocol } from '../../shared/domain.js';
import { mixedProtocolsMessage } from '../doctor/checks/boards.js';
import { CommissionError } from './errors.js';

export interface FoundBoard {
  address: number;
  /** Lock positions its status reply carries. */
  locks: number;
}

export interface BusChoice {
  protocol: BoardProtocol;
  baudRate: number;
  boards: FoundBoard[];
  /** Boards that answered only at another rate, left out (one line has one rate). */
  leftOut: Array<{ address: number; baudRates: number[] }>;
}

/**
 * What a scan means for the configuration: one protocol, one rate, its
 * boards; or the CommissionError that says why the line cannot be used.
 */
export function chooseBus(scan: ScanResult): BusChoice {
  if (scan.portError) {
    const { kind, message } = scan.portError;
    if (kind === 'gone') throw new CommissionError('port-missing', `${scan.path} cannot be opened: ${message}`, 'plug the adapter in, or give its /dev/serial/by-id/… path with --port');
    if (kind === 'permission') throw new CommissionError('port-permission', `${scan.path}: permission denied (${message})`, 'run setup as root, or as a user in the device\'s group (dialout); `cabinet-kiosk doctor` names the group');
    throw new CommissionError('port-unknown', `${scan.path} cannot be opened: ${message}`, 'check that no other program holds the port (`fuser` on it)');
  }
  if (scan.hits.length === 0) {
    throw new CommissionError('bus-silent', `no board answered on ${scan.path} (${scan.probes} status requests)`, "check the boards' power, the A/B wiring (swap A and B once) and the address switches; --protocol, --baud and --addresses widen or narrow the scan");
  }
  const byProtocol = new Map<BoardProtocol, number[]>();
  for (const h of scan.hits) byProtocol.set(h.protocol, [...(byProtocol.get(h.protocol) ?? []), h.address]);
  if (byProtocol.size > 1) {
    throw new CommissionError('bus-mixed-protocols', mixedProtocolsMessage(byProtocol), 'take the boards of all but one protocol off this line; each protocol needs its own adapter');
  }
  const protocol = scan.hits[0]!.protocol;
  const votes = new Map<number, number>();
  for (const h of scan.hits) for (const r of h.baudRates) votes.set(r, (votes.get(r) ?? 0) + 1);
  const best = Math.max(...votes.values());
  const candidates = [...votes].filter(([, n]) => n === best).map(([r]) => r);
  const baudRate = candidates.includes(DEFAULT_BAUD_RATES[protocol]) ? DEFAULT_BAUD_RATES[protocol] : candidates[0]!;
  const at = scan.hits.filter((h) => h.baudRates.includes(baudRate));
  return {
    protocol,
    baudRate,
    boards: at.map((h) => ({ address: h.address, locks: h.locks })).sort((a, b) => a.address - b.address),
    leftOut: scan.hits.filter((h) => !h.baudRates.includes(baudRate)).map((h) => ({ address: h.address, baudRates: h.baudRates })),
  };
}

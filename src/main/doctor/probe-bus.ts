import { BOARD_PROTOCOLS } from '../../shared/domain.js';
import { scanBus, SCAN_BAUD_RATES } from '../../drivers/index.js';
import type { BoardFacts, BoardHit, ConfiguredBoard } from './checks/boards.js';

/**
 * The doctor's own look at the line, only when no agent holds it: every
 * protocol at each configured address (a wrong protocol shows), the whole
 * address range with `discovery`, at the configured rate; a board silent at
 * that rate is asked again at the protocol's other usual rates. Status reads
 * only: no door moves.
 */
export async function scanForDoctor(o: { path: string; baudRate: number; boards: ConfiguredBoard[]; discovery: boolean }): Promise<Extract<BoardFacts, { source: 'doctor' }>> {
  const base = { source: 'doctor' as const, configured: o.boards, baudRate: o.baudRate, discovery: o.discovery };
  const first = await scanBus({ path: o.path, baudRates: [o.baudRate], protocols: BOARD_PROTOCOLS, ...(o.discovery ? {} : { addresses: o.boards.map((b) => b.address) }) });
  if (first.portError) return { ...base, hits: [], portError: first.portError.message };
  const hits: BoardHit[] = first.hits.map((h) => ({ protocol: h.protocol, address: h.address, baudRates: h.baudRates, locks: h.locks }));
  for (const b of o.boards) {
    if (hits.some((h) => h.address === b.address)) continue;
    const others = SCAN_BAUD_RATES[b.protocol].filter((r) => r !== o.baudRate);
    if (others.length === 0) continue;
    const again = await scanBus({ path: o.path, baudRates: others, protocols: [b.protocol], addresses: [b.address] });
    for (const h of again.hits) hits.push({ protocol: h.protocol, address: h.address, baudRates: h.baudRates, locks: h.locks });
  }
  return { ...base, hits };
}

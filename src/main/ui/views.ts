import type { CabinetOverview, HealthView } from '../../shared/contract.js';
import type { DoorState } from '../../shared/domain.js';
import * as store from '../../store/index.js';
import type { Agent } from '../agent.js';

/**
 * What the screen may know of the cabinet: layout, doors as supervision last
 * saw them, service flags and whether a compartment is taken. No parcel ids,
 * no codes: anyone standing at the kiosk sees this.
 */
export function cabinetOverview(agent: Agent): CabinetOverview {
  const doors = new Map<string, DoorState>();
  for (const d of agent.hardware.cabinet.doorStates()) doors.set(`${d.board}/${d.lock}`, d.door);
  const compartments = store.listCompartments(agent.db).map((c) => ({
    id: c.id,
    board: c.board,
    lock: c.lock,
    size: c.size,
    door: doors.get(`${c.board}/${c.lock}`) ?? 'unknown',
    outOfService: c.outOfService,
    occupied: store.occupantOf(agent.db, c.id) !== undefined,
  }));
  return { compartments, freeBySize: agent.kiosk.freeCounts() };
}

export function healthOf(agent: Agent, now = Date.now()): HealthView {
  const outbox = store.outboxStats(agent.db, now);
  return {
    lockBus: agent.hardware.cabinet.diagnostics().connected ? 'connected' : 'disconnected',
    // The cloud issue replaces this with the sync engine's view.
    cloud: agent.config.outbox.destinations.length ? 'offline' : 'not-configured',
    outbox: { pending: outbox.pending, dead: outbox.dead },
  };
}

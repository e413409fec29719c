import type { CabinetOverview, HealthView } from '../../shared/contract.js';
import * as store from '../../store/index.js';
import type { Agent } from '../agent.js';
import { compartmentStatuses, doorMap } from '../../core/cabinet-view.js';

/**
 * What the screen may know of the cabinet: layout, doors as supervision last
 * saw them, service flags and whether a compartment is taken. No parcel ids,
 * no codes: anyone standing at the kiosk sees this.
 */
export function cabinetOverview(agent: Agent): CabinetOverview {
  const doors = agent.hardware.cabinet.doorStates();
  const since = new Map(doors.map((d) => [`${d.board}/${d.lock}`, d.since]));
  const compartments = compartmentStatuses(agent.db, doorMap(doors)).map((c) => ({
    id: c.id,
    board: c.board,
    lock: c.lock,
    size: c.size,
    door: c.door,
    doorSince: since.get(`${c.board}/${c.lock}`) ?? 0,
    outOfService: c.outOfService,
    occupied: c.parcel !== null,
    reserved: c.reservedFor !== null,
    needsCheck: c.needsCheck !== null,
  }));
  return { compartments, freeBySize: agent.kiosk.freeCounts() };
}

export function healthOf(agent: Agent, now = Date.now()): HealthView {
  const outbox = store.outboxStats(agent.db, now);
  return {
    lockBus: agent.commissioning.active ? 'in-setup' : agent.hardware.cabinet.diagnostics().connected ? 'connected' : 'disconnected',
    cloud: agent.cloud.state(),
    outbox: { pending: outbox.pending, dead: outbox.dead },
    alarms: agent.alarms.list(),
  };
}

import type { CompartmentSize, DoorState } from '../../shared/domain.js';
import * as store from '../../store/index.js';
import type { Agent } from '../agent.js';
import { APP_VERSION } from '../version.js';

export interface CompartmentStatus {
  id: string;
  board: number;
  lock: number;
  size: CompartmentSize;
  door: DoorState;
  outOfService: boolean;
  outOfServiceReason: string | null;
  /** The vendor code source it is kept for (never offered to couriers), or null. */
  reservedFor: string | null;
  /** Waits for a person to say whether a parcel is inside: what was interrupted, and why. */
  needsCheck: { kind: string; reason: string; since: number } | null;
  parcel: { id: string; state: string; expiresAt: number | null } | null;
}

/** What `cabinet-kiosk status` shows: doors read from the boards now, parcels, service flags, outbox. */
export async function statusOf(agent: Agent) {
  let doors: Map<string, DoorState>;
  let doorsRead = true;
  try {
    doors = doorMap(await agent.hardware.cabinet.readAll());
  } catch {
    // Boards not answering: fall back to what supervision saw last.
    doorsRead = false;
    doors = doorMap(agent.hardware.cabinet.doorStates());
  }
  const compartments = compartmentStatuses(agent, doors);
  const diagnostics = agent.hardware.cabinet.diagnostics();
  return {
    cabinet: { id: agent.config.cabinet.id, config: agent.config.source },
    agent: { pid: process.pid, version: APP_VERSION, startedAt: agent.startedAt, uptimeMs: Date.now() - agent.startedAt },
    database: { path: agent.config.database, quickCheck: agent.quickCheck },
    hardware: { describe: agent.hardware.describe, connected: diagnostics.connected, doorsReadNow: doorsRead, stats: diagnostics.stats },
    compartments,
    freeBySize: agent.kiosk.freeCounts(),
    outbox: store.outboxStats(agent.db, Date.now()),
    cloud: { state: agent.cloud.state(), destinations: agent.cloud.destinations(), channel: agent.cloud.channelState(), codePulls: agent.cloud.codePulls(), receiver: agent.cloud.receiverUrl },
    /** What a technician must act on (src/main/alarms.ts), as the health view shows it. */
    alarms: agent.alarms.list(),
  };
}

/** Doors keyed `board/lock`, from a board read or from what supervision saw last. */
export function doorMap(doors: ReadonlyArray<{ board: number; lock: number; door: DoorState }>): Map<string, DoorState> {
  return new Map(doors.map((d) => [`${d.board}/${d.lock}`, d.door]));
}

/** Every compartment with its door, service flag and the parcel occupying it. */
export function compartmentStatuses(agent: Agent, doors: ReadonlyMap<string, DoorState>): CompartmentStatus[] {
  const checks = new Map(store.listCompartmentChecks(agent.db).map((k) => [k.compartmentId, k]));
  return store.listCompartments(agent.db).map((c) => {
    const parcel = store.occupantOf(agent.db, c.id);
    const check = checks.get(c.id);
    return {
      id: c.id,
      board: c.board,
      lock: c.lock,
      size: c.size,
      door: doors.get(`${c.board}/${c.lock}`) ?? 'unknown',
      outOfService: c.outOfService,
      outOfServiceReason: c.outOfServiceReason,
      reservedFor: c.reservedFor,
      needsCheck: check ? { kind: check.kind, reason: check.reason, since: check.createdAt } : null,
      parcel: parcel ? { id: parcel.id, state: parcel.state, expiresAt: parcel.expiresAt } : null,
    };
  });
}

export type AgentStatus = Awaited<ReturnType<typeof statusOf>>;

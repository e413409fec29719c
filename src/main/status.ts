import { compartmentStatuses, doorMap } from '../core/cabinet-view.js';
import type { DoorState } from '../shared/domain.js';
import * as store from '../store/index.js';
import type { Agent } from './agent.js';
import { APP_VERSION } from './version.js';

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
  const compartments = compartmentStatuses(agent.db, doors);
  const diagnostics = agent.hardware.cabinet.diagnostics();
  return {
    cabinet: { id: agent.config.cabinet.id, config: agent.config.source },
    agent: { pid: process.pid, version: APP_VERSION, startedAt: agent.startedAt, uptimeMs: Date.now() - agent.startedAt },
    database: { path: agent.config.database, quickCheck: agent.quickCheck },
    hardware: { describe: agent.hardware.describe, connected: diagnostics.connected, doorsReadNow: doorsRead, stats: diagnostics.stats },
    compartments,
    freeBySize: agent.kiosk.freeCounts(),
    outbox: store.outboxStats(agent.db, Date.now()),
    cloud: {
      state: agent.cloud.state(),
      destinations: agent.cloud.destinations(),
      channel: agent.cloud.channelState(),
      codePulls: agent.cloud.codePulls(),
      receiver: agent.cloud.receiverUrl,
      /** Yopoint's answer to "is this cabinet registered" at start (null without Yopoint, or before it answered). */
      yopoint: agent.cloud.yopointRegistration(),
      /** Orders Yopoint notified, newest first, with its record of each once fetched. */
      vendorOrders: store.listVendorOrders(agent.db, 20),
    },
    /** What a technician must act on (src/main/alarms.ts), as the health view shows it. */
    alarms: agent.alarms.list(),
    /** Uptime, restarts, last crashes, RSS trend, watchdog (src/main/health/runtime-health.ts). */
    health: agent.health.summary(),
  };
}

export type AgentStatus = Awaited<ReturnType<typeof statusOf>>;

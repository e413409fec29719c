import { CommandChannel, type HeartbeatFacts } from '../../cloud/index.js';
import type { Logger } from '../../shared/logger.js';
import * as store from '../../store/index.js';
import type { Config } from '../config/schema.js';
import { doorMap } from '../../core/cabinet-view.js';
import type { Hardware } from '../hardware.js';
import type { Kiosk } from '../../core/kiosk.js';
import { APP_VERSION } from '../version.js';
import { heartbeatHealth, type RuntimeHealth } from '../health/runtime-health.js';
import { agentCommandExecutor } from './channel-executor.js';
import type { CloudLink } from './cloud-link.js';
import { StoreInbox } from './store-ports.js';

export interface ChannelParts {
  config: Config;
  db: store.Db;
  hardware: Hardware;
  kiosk: Kiosk;
  cloud: CloudLink;
  quickCheck: { ok: boolean; detail: string[] };
  /** The agent's health summary for the heartbeat (src/main/health/runtime-health.ts). */
  health?: RuntimeHealth | undefined;
  /** The root logger: the channel names its own module. */
  log: Logger;
}

/** The command channel when `cloud.channel` is configured, its commands run by the Kiosk flows; null otherwise. */
export function createChannel(parts: ChannelParts): CommandChannel | null {
  const settings = parts.config.cloud.channel;
  if (settings === undefined) return null;
  const facts = (): HeartbeatFacts => {
    const health = parts.health;
    return { ...heartbeatFacts(parts), ...(health ? { health: heartbeatHealth(health.summary()) } : {}) };
  };
  return new CommandChannel(settings, {
    inbox: new StoreInbox(parts.db),
    executor: agentCommandExecutor(parts, { facts, log: parts.log.child({ module: 'main/cloud' }) }),
    heartbeatFacts: facts,
    logger: parts.log,
  });
}

/** What the operator sees of the cabinet every heartbeat: doors as supervision last saw them, outbox depth, database health. */
export function heartbeatFacts(parts: Pick<ChannelParts, 'config' | 'db' | 'hardware' | 'quickCheck'>): HeartbeatFacts {
  const doors = doorMap(parts.hardware.cabinet.doorStates());
  const outbox = store.outboxStats(parts.db, Date.now());
  return {
    appVersion: APP_VERSION,
    doors: store.listCompartments(parts.db).map((c) => ({ compartment: c.id, door: doors.get(`${c.board}/${c.lock}`) ?? 'unknown' })),
    outbox: { depth: outbox.pending, oldestPendingAgeMs: outbox.oldestPendingAgeMs === null ? null : Math.round(outbox.oldestPendingAgeMs) },
    quickCheck: parts.quickCheck,
  };
}

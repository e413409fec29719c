import * as store from '../../store/index.js';
import type { Agent } from '../agent.js';
import type { Logger } from '../../shared/logger.js';
import { ServiceWatchdog } from './service-watchdog.js';
import { busStaleBoundMs, DEFAULT_MAX_LOOP_LAG_MS } from './watchdog-policy.js';

/**
 * The service watchdog over a running agent: its database, its door
 * supervision, its outbox for the STATUS line. Null outside systemd.
 */
export function agentWatchdog(agent: Agent, log: Logger, opts: { env?: NodeJS.ProcessEnv; maxLoopLagMs?: number } = {}): ServiceWatchdog | null {
  const { config } = agent;
  const cabinet = agent.hardware.cabinet;
  const busStaleMs = busStaleBoundMs({
    pollIntervalMs: config.supervision.pollIntervalMs,
    replyTimeoutMs: config.serial.replyTimeoutMs,
    readRetries: config.serial.readRetries,
    openAllTimeoutMs: config.serial.openAllTimeoutMs,
    boards: config.boards.length,
  });
  return ServiceWatchdog.create({
    log,
    ...(opts.env ? { env: opts.env } : {}),
    bounds: { maxLoopLagMs: opts.maxLoopLagMs ?? DEFAULT_MAX_LOOP_LAG_MS, busStaleMs },
    probes: {
      database: () => databaseProbe(agent.db),
      bus: () => {
        const d = cabinet.diagnostics();
        return { connected: d.connected, lastCycleAt: d.supervision.lastCycleAt, startedAt: d.supervision.startedAt, released: agent.commissioning.active };
      },
      facts: () => ({ busConnected: cabinet.diagnostics().connected, outboxPending: store.outboxStats(agent.db, Date.now()).pending }),
    },
  });
}

/** A trivial read that must reach the database file's lock and a real table: null when it answered. */
export function databaseProbe(db: store.ReadDb): string | null {
  try {
    db.stmt('SELECT id FROM compartments LIMIT 1').get();
    return null;
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return typeof e.code === 'string' ? `${e.code}: ${String(e.message)}` : String(e.message ?? err);
  }
}

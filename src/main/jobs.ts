import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from '../shared/logger.js';
import * as store from '../store/index.js';
import type { Agent } from './agent.js';

const DAY_MS = 24 * 60 * 60_000;
const INBOX_KEEP_MS = 14 * DAY_MS;
const DELIVERED_KEEP_MS = 30 * DAY_MS;

/** Periodic work of a running agent. Each job logs and survives its own failures. */
export function startJobs(agent: Agent, log: Logger): ScheduledTask[] {
  const expireParcels = schedule(
    '* * * * *',
    () => {
      try {
        const n = agent.kiosk.expireDueParcels();
        if (n) log.info({ expired: n }, 'parcels expired');
      } catch (err) {
        log.error({ err }, 'expiring parcels failed');
      }
    },
    { name: 'expire parcels past their time', noOverlap: true },
  );
  const checkpointWal = schedule(
    '*/5 * * * *',
    () => {
      try {
        const { walPages, checkpointed } = store.checkpoint(agent.db);
        log.debug({ walPages, checkpointed }, 'WAL checkpoint');
      } catch (err) {
        log.warn({ err }, 'WAL checkpoint failed; SQLite checkpoints by itself at the page limit');
      }
    },
    { name: 'checkpoint the database write-ahead log while idle', noOverlap: true },
  );
  const prune = schedule(
    '17 3 * * *',
    () => {
      try {
        const now = Date.now();
        // Inbox ids outlive every redelivery window by far (channel: 5 min; vendors retry for hours at most).
        const inbox = store.pruneInbox(agent.db, now - INBOX_KEEP_MS);
        // Only rows the destination acknowledged; pending and dead rows are never pruned.
        const outbox = store.pruneDeliveredOutbox(agent.db, now - DELIVERED_KEEP_MS);
        log.info({ inbox, outbox }, 'pruned old inbox and delivered outbox rows');
      } catch (err) {
        log.warn({ err }, 'pruning failed; it runs again tomorrow');
      }
    },
    { name: 'prune acknowledged outbox rows and old inbox ids', noOverlap: true },
  );
  return [expireParcels, checkpointWal, prune];
}

export async function stopJobs(tasks: ScheduledTask[]): Promise<void> {
  // destroy() returns void or a promise, depending on the task kind.
  await Promise.all(
    tasks.map(async (t) => {
      await t.destroy();
    }),
  );
}

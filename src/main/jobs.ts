import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from '../shared/logger.js';
import * as store from '../store/index.js';
import type { Agent } from './agent.js';

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
  return [expireParcels, checkpointWal];
}

export async function stopJobs(tasks: ScheduledTask[]): Promise<void> {
  await Promise.all(tasks.map((t) => t.destroy()));
}

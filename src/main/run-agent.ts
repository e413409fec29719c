import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { ScheduledTask } from 'node-cron';
import type { Logger as PinoLogger } from 'pino';
import { Agent } from './agent.js';
import type { Config } from './config/schema.js';
import { controlSocketPath } from './control/socket-path.js';
import { startControlServer, stopControlServer } from './control/server.js';
import { startJobs, stopJobs } from './jobs.js';

export interface RunningAgent {
  agent: Agent;
  socketPath: string;
  stop(): Promise<void>;
}

/**
 * An agent with its control socket (and, for `start`, its cron jobs). The
 * socket is claimed first, so two agents never own one port and one database.
 */
export async function runAgent(config: Config, logger: PinoLogger, opts: { jobs: boolean; sqliteBinding?: string | undefined }): Promise<RunningAgent> {
  const socketPath = controlSocketPath(config.dataDir);
  mkdirSync(config.dataDir, { recursive: true });
  let agent: Agent | undefined;
  const server: Server = await startControlServer(() => agent, socketPath, logger.child({ module: 'main/control' }));
  try {
    agent = await Agent.start({ config, logger, sqliteBinding: opts.sqliteBinding });
  } catch (err) {
    await stopControlServer(server, socketPath);
    throw err;
  }
  const jobs: ScheduledTask[] = opts.jobs ? startJobs(agent, logger.child({ module: 'main/jobs' })) : [];
  const started = agent;
  let stopping: Promise<void> | undefined;
  return {
    agent: started,
    socketPath,
    stop: () =>
      (stopping ??= (async () => {
        await stopJobs(jobs);
        await stopControlServer(server, socketPath);
        await started.stop();
      })()),
  };
}

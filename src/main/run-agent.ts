import type { Server } from 'node:http';
import type { ScheduledTask } from 'node-cron';
import type { Logger as PinoLogger } from 'pino';
import { Agent } from './agent.js';
import type { Config } from './config/schema.js';
import { controlSocketPath } from './control-protocol/socket-path.js';
import { prepareDataDir } from './data-dir.js';
import { lockDataDir } from './data-lock.js';
import { startControlServer, stopControlServer } from './control/server.js';
import { installCrashRecorder } from './health/crash-record.js';
import { startJobs, stopJobs } from './jobs.js';
import { APP_VERSION } from './version.js';

export interface RunningAgent {
  agent: Agent;
  socketPath: string;
  stop(): Promise<void>;
}

/**
 * An agent with its control socket (and, for `start`, its cron jobs). The
 * data folder's lock is taken first (data-lock.ts), so two agents never own
 * one port and one database, whether or not the socket file is still there.
 */
export async function runAgent(config: Config, logger: PinoLogger, opts: { jobs: boolean; sqliteBinding?: string | undefined }): Promise<RunningAgent> {
  const socketPath = controlSocketPath(config.dataDir);
  prepareDataDir(config.dataDir);
  // The data folder lock comes before the socket, the port and the database.
  const lock = lockDataDir(config.dataDir, { nativeBinding: opts.sqliteBinding });
  let agent: Agent | undefined;
  let server: Server | undefined;
  try {
    server = await startControlServer(() => agent, socketPath, logger.child({ module: 'main/control' }));
    agent = await Agent.start({ config, logger, sqliteBinding: opts.sqliteBinding });
  } catch (err) {
    if (server) await stopControlServer(server, socketPath);
    lock.release();
    throw err;
  }
  // An uncaught error leaves a crash record that the next start reports (agent.crashed).
  const uninstallCrashRecorder = installCrashRecorder(config.dataDir, APP_VERSION);
  const control = server;
  const jobs: ScheduledTask[] = opts.jobs ? startJobs(agent, logger.child({ module: 'main/jobs' })) : [];
  const started = agent;
  let stopping: Promise<void> | undefined;
  return {
    agent: started,
    socketPath,
    stop: () =>
      (stopping ??= (async () => {
        await stopJobs(jobs);
        await stopControlServer(control, socketPath);
        await started.stop();
        uninstallCrashRecorder();
        lock.release();
      })()),
  };
}

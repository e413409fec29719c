import type { Logger as PinoLogger } from 'pino';
import { loadConfig } from '../config/load-config.js';
import { SQLITE_BINDING_ENV } from '../launch/electron-launch.js';
import { createLogger } from '../logging.js';
import { runAgent } from '../run-agent.js';
import { ContractHost } from '../ui/contract-host.js';

/** The agent as the Electron shell sees it. */
export interface KioskAgent {
  log: PinoLogger;
  host: ContractHost;
  /** Stops the contract host and the agent (jobs, control socket, bus, database). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Config → logger → agent → contract host, as `cabinet-kiosk start` does, for
 * the Electron main. The config comes from `--config FILE`, else
 * $CABINET_KIOSK_CONFIG, else the demo cabinet (load-config.ts). Throws what
 * loadConfig or runAgent throw; startup-failure.ts turns that into an exit code.
 */
export async function startKioskAgent(opts: { argv: readonly string[]; env: NodeJS.ProcessEnv }): Promise<KioskAgent> {
  const config = loadConfig({ file: configFileFromArgv(opts.argv), env: opts.env });
  // Under systemd (no TTY) logs go to stdout for the journal, as for `start`.
  const logger = await createLogger(config, { stdout: !process.stdout.isTTY });
  const log = logger.child({ module: 'main/electron' });
  const sqliteBinding = opts.env[SQLITE_BINDING_ENV] || undefined;
  let running: Awaited<ReturnType<typeof runAgent>>;
  try {
    running = await runAgent(config, logger, { jobs: true, sqliteBinding });
  } catch (err) {
    log.fatal({ err }, 'agent failed to start');
    logger.flush();
    throw err;
  }
  const host = new ContractHost(running.agent, 'electron', logger.child({ module: 'main/ui' }));
  log.info({ socket: running.socketPath, hardware: running.agent.hardware.describe, sqliteBinding: sqliteBinding ?? 'node' }, 'agent ready');
  let stopping: Promise<void> | undefined;
  return {
    log,
    host,
    stop: () =>
      (stopping ??= (async () => {
        host.close();
        await running.stop();
        logger.flush();
      })()),
  };
}

/** `--config FILE` or `--config=FILE` anywhere in argv (Electron puts its own arguments first). */
export function configFileFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

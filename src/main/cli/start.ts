import type { Config } from '../config/schema.js';
import { createLogger } from '../logging.js';
import { runAgent } from '../run-agent.js';
import { APP_VERSION } from '../version.js';

/** Resolves on SIGINT or SIGTERM; the agent then stops cleanly. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => resolve(sig);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

/**
 * `cabinet-kiosk start`: runs the agent until a signal. Prints one banner that
 * tells a person how to drive the cabinet from the CLI (or, with --json, one
 * `ready` line for scripts and benchmarks).
 */
export async function runStartCommand(config: Config, opts: { json: boolean; headless: boolean }): Promise<number> {
  // Listen before anything starts: a SIGTERM during boot or right at the ready
  // line must still stop the agent cleanly (and its simulator's socat with it).
  const signalled = untilSignal();
  // Under systemd (no TTY) logs go to stdout for the journal; at a terminal the banner is enough.
  const logger = await createLogger(config, { stdout: !opts.json && !process.stdout.isTTY });
  const running = await runAgent(config, logger, { jobs: true });
  const coldStartMs = Math.round(process.uptime() * 1000);
  const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const { agent } = running;
  logger.info({ coldStartMs, rssMb, hardware: agent.hardware.describe }, 'agent ready');
  if (opts.json) {
    process.stdout.write(JSON.stringify({ event: 'ready', pid: process.pid, coldStartMs, rssMb, socket: running.socketPath, hardware: agent.hardware.describe, database: config.database }) + '\n');
  } else {
    process.stdout.write(banner(config, running.socketPath, agent.hardware.describe, agent.quickCheck.ok, coldStartMs));
  }
  const signal = await signalled;
  logger.info({ signal }, 'stopping');
  await running.stop();
  logger.flush();
  return 0;
}

function banner(config: Config, socket: string, hardware: string, quickOk: boolean, ms: number): string {
  const cli = 'npx cabinet-kiosk' + (config.source === 'embedded defaults' ? '' : ` --config ${config.source}`);
  return [
    `cabinet-kiosk ${APP_VERSION} ready in ${ms} ms: cabinet ${config.cabinet.id}, ${config.compartments.length} compartments (headless)`,
    `  locks:    ${hardware}`,
    `  database: ${config.database} (quick_check ${quickOk ? 'ok' : 'FAILED'})`,
    `  control:  ${socket}`,
    `  logs:     ${config.dataDir}/logs`,
    '',
    'Drive it from another terminal:',
    `  ${cli} deposit --size M     courier drop-off: opens a door, prints the pickup code when it closes`,
    `  ${cli} pickup <code>        customer pickup: opens the right door`,
    `  ${cli} status               doors read from the boards, parcels, outbox`,
    `  ${cli} open <compartment>   technician open`,
    '',
    'Ctrl+C stops the agent.',
    '',
  ].join('\n');
}

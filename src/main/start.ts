import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { launchElectron, type ElectronLaunch } from '../launch/electron-launch.js';
import { createLogger } from '../logging.js';
import { runAgent } from '../run-agent.js';
import { startBrowserUi, type BrowserUi } from '../ui/browser-ui.js';
import { APP_VERSION } from '../version.js';

export type ShellChoice = Config['ui']['shell'];

export interface StartOptions {
  json: boolean;
  /** From `--ui` (or `--headless`), else the config's `ui.shell`. */
  shell: ShellChoice;
  /** `--no-browser`: browser mode prints its address and opens nothing. */
  openBrowser: boolean;
}

/** Resolves on SIGINT or SIGTERM; the agent then stops cleanly. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => resolve(sig);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

/**
 * `cabinet-kiosk start`: the kiosk in the best shell this machine has. The
 * Electron window when its binary is there (fetched on first start when the
 * network allows); otherwise browser mode, in this process, saying why; or
 * headless with `--ui none`. Prints one banner a person can act on (or, with
 * --json, one `ready` line for scripts, tests and benchmarks).
 */
export async function runStartCommand(config: Config, opts: StartOptions): Promise<number> {
  // Listen before anything starts: a SIGTERM during boot or right at the ready
  // line must still stop the agent cleanly (and its simulator's socat with it).
  const signalled = untilSignal();
  const fellBack: string[] = [];
  if (opts.shell === 'auto' || opts.shell === 'electron') {
    const electron: ElectronLaunch = await launchElectron(config, signalled);
    if (electron.ran) return electron.exitCode;
    if (opts.shell === 'electron') {
      process.stderr.write(`error [hardware-unavailable]: cannot open the Electron window: ${electron.reason}\n  hint: use --ui browser, or install the Electron binary (npm start fetches it when online)\n`);
      return 3;
    }
    fellBack.push(`Electron window unavailable: ${electron.reason}; using browser mode`);
  }
  return runInProcess(config, opts, fellBack, signalled);
}

async function runInProcess(config: Config, opts: StartOptions, fellBack: string[], signalled: Promise<NodeJS.Signals>): Promise<number> {
  // Under systemd (no TTY) logs go to stdout for the journal; at a terminal the banner is enough.
  const logger = await createLogger(config, { stdout: !opts.json && !process.stdout.isTTY });
  for (const reason of fellBack) logger.warn({ reason }, 'shell fallback');
  const running = await runAgent(config, logger, { jobs: true });
  let ui: BrowserUi | undefined;
  try {
    if (opts.shell !== 'none') ui = await startBrowserUi(running.agent, { openBrowser: opts.openBrowser, log: logger.child({ module: 'main/ui' }) });
  } catch (err) {
    await running.stop();
    throw err;
  }
  if (ui?.browserNotOpened) fellBack.push(`no kiosk browser opened: ${ui.browserNotOpened}`);
  const coldStartMs = Math.round(process.uptime() * 1000);
  const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const { agent } = running;
  logger.info({ coldStartMs, rssMb, hardware: agent.hardware.describe, ui: ui ? 'browser' : 'none' }, 'agent ready');
  if (opts.json) {
    // The ready line goes to the calling script's stdout, so it may carry a live one-time address;
    // run `start --json` under a supervisor only if its stdout is not a shared log.
    const uiLine = ui ? { shell: 'browser', url: ui.launchUrl(), urlFile: ui.urlFile, browser: ui.browserPath } : { shell: 'none' };
    process.stdout.write(JSON.stringify({ event: 'ready', pid: process.pid, coldStartMs, rssMb, socket: running.socketPath, hardware: agent.hardware.describe, database: config.database, ui: uiLine, fellBack }) + '\n');
  } else {
    process.stdout.write(banner(config, { socket: running.socketPath, hardware: agent.hardware.describe, quickOk: agent.quickCheck.ok, ms: coldStartMs, ui, fellBack, tty: process.stdout.isTTY === true }));
  }
  const signal = await signalled;
  logger.info({ signal }, 'stopping');
  await ui?.close();
  await running.stop();
  logger.flush();
  return 0;
}

interface BannerFacts {
  socket: string;
  hardware: string;
  quickOk: boolean;
  ms: number;
  ui: BrowserUi | undefined;
  fellBack: string[];
  /** A person reads stdout; otherwise it is a log (systemd's journal), which must never hold a ticket. */
  tty: boolean;
}

/** At a terminal a one-time address to open; in a log only where to find one (the file is the agent user's alone). */
export function screenLine(ui: Pick<BrowserUi, 'launchUrl' | 'urlFile'>, tty: boolean): string {
  return tty ? `${ui.launchUrl()}  (good for one page)` : `one-time address in ${ui.urlFile}`;
}

function banner(config: Config, f: BannerFacts): string {
  const cli = 'npx cabinet-kiosk' + (config.source === 'embedded defaults' ? '' : ` --config ${config.source}`);
  const shell = f.ui ? 'browser mode' : 'headless';
  const lines = [
    `cabinet-kiosk ${APP_VERSION} ready in ${f.ms} ms: cabinet ${config.cabinet.id}, ${config.compartments.length} compartments (${shell})`,
    `  locks:    ${f.hardware}`,
    `  database: ${config.database} (quick_check ${f.quickOk ? 'ok' : 'FAILED'})`,
    `  control:  ${f.socket}`,
    `  logs:     ${join(config.dataDir, 'logs')}`,
  ];
  if (f.ui) lines.push(`  screen:   ${screenLine(f.ui, f.tty)}${f.ui.browserPath ? `  (opened in ${f.ui.browserPath})` : ''}`);
  for (const reason of f.fellBack) lines.push(`  note:     ${reason}`);
  if (config.staff.demoPins) lines.push(`  staff:    demo PINs: courier ${config.staff.courierPin}, technician ${config.staff.technicianPin} (simulator only)`);
  const unset = (['courier', 'technician'] as const).filter((r) => config.staff[`${r}Pin`] === null);
  if (unset.length) lines.push(`  staff:    no ${unset.join(' or ')} PIN set: those screens stay shut until staff.${unset[0]}Pin is configured`);
  lines.push(
    '',
    'Drive it from another terminal:',
    `  ${cli} deposit --size M     courier drop-off: opens a door, prints the pickup code when it closes`,
    `  ${cli} pickup <code>        customer pickup: opens the right door`,
    `  ${cli} status               doors read from the boards, parcels, outbox`,
    `  ${cli} open <compartment>   technician open`,
    '',
    'Ctrl+C stops the agent.',
    '',
  );
  return lines.join('\n');
}

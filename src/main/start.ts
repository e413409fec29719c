import { join } from 'node:path';
import type { Config } from './config/schema.js';
import { launchElectronShell, type ElectronShell } from './launch/electron-launch.js';
import { agentWatchdog } from './health/agent-watchdog.js';
import { createLogger } from './logging.js';
import { runAgent } from './run-agent.js';
import { resolveUid } from './screen-endpoint.js';
import { startBrowserUi, type BrowserUi } from './ui/browser-ui.js';
import { APP_VERSION } from './version.js';

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

export interface AgentOptions {
  json: boolean;
  /** `--endpoint-file`: the screen's endpoint file for a screen running as another user (0640, its folder's group). */
  endpointFile?: string | undefined;
  /** `--screen-user` (names or uids): the screen's session users, served besides `ui.allowedUids`. */
  screenUsers: readonly string[];
}

/**
 * `cabinet-kiosk agent`: the service. The only process that holds the serial
 * port, the database, the secrets and the cloud links; it serves the screen
 * contract on its authenticated 127.0.0.1 endpoint (browser mode's server:
 * peer uid, Host/Origin, one-time ticket, session token) and the CLI on its
 * control socket, and needs no display. The screen (the Electron shell or
 * Chromium in kiosk mode) runs apart, as the kiosk session's user, and finds
 * the endpoint in the endpoint file.
 */
export async function runAgentCommand(config: Config, opts: AgentOptions): Promise<number> {
  const screenUids = opts.screenUsers.map((u) => resolveUid(u));
  const signalled = untilSignal();
  return serve(config, { json: opts.json, screen: 'none', endpoint: { endpointFile: opts.endpointFile, screenUids }, fellBack: [], signalled });
}

/**
 * `cabinet-kiosk start`: the one-command demo, agent and screen together.
 * The agent runs in this process and serves the screen contract; the screen
 * is its client: the Electron window when its binary is there (fetched on
 * first start when the network allows), otherwise Chromium in kiosk mode,
 * saying why; or none with `--ui none`. Prints one banner a person can act
 * on (or, with --json, one `ready` line for scripts, tests and benchmarks).
 */
export async function runStartCommand(config: Config, opts: StartOptions): Promise<number> {
  // Listen before anything starts: a SIGTERM during boot or right at the ready
  // line must still stop the agent cleanly (and its simulator's socat with it).
  const signalled = untilSignal();
  const screen: ScreenChoice = opts.shell === 'none' ? 'none' : opts.shell === 'browser' ? 'browser' : opts.shell === 'electron' ? 'electron' : 'auto';
  return serve(config, { json: opts.json, screen, openBrowser: opts.openBrowser, endpoint: opts.shell === 'none' ? null : {}, fellBack: [], signalled });
}

type ScreenChoice = 'auto' | 'electron' | 'browser' | 'none';

interface ServeOptions {
  json: boolean;
  /** Which screen this process opens beside the agent. */
  screen: ScreenChoice;
  openBrowser?: boolean;
  /** The contract endpoint (null: none at all, `start --ui none`). */
  endpoint: { endpointFile?: string | undefined; screenUids?: readonly number[] } | null;
  fellBack: string[];
  signalled: Promise<NodeJS.Signals>;
}

async function serve(config: Config, opts: ServeOptions): Promise<number> {
  const { fellBack, signalled } = opts;
  // Under systemd (no TTY) logs go to stdout for the journal; at a terminal the banner is enough.
  const logger = await createLogger(config, { stdout: !opts.json && !process.stdout.isTTY });
  const running = await runAgent(config, logger, { jobs: true });
  let ui: BrowserUi | undefined;
  let shell: ElectronShell | undefined;
  try {
    if (opts.endpoint) {
      const openChromium = opts.screen === 'browser' && opts.openBrowser !== false;
      ui = await startBrowserUi(running.agent, { openBrowser: openChromium, log: logger.child({ module: 'main/ui' }), ...opts.endpoint });
      if (opts.screen === 'auto' || opts.screen === 'electron') {
        shell = await launchElectronShell(ui.urlFile);
        if (!shell.ran && opts.screen === 'electron') {
          process.stderr.write(`error [hardware-unavailable]: cannot open the Electron window: ${shell.reason}\n  hint: use --ui browser, or install the Electron binary (npm start fetches it when online)\n`);
          await ui.close();
          await running.stop();
          logger.flush();
          return 3;
        }
        if (!shell.ran) {
          fellBack.push(`Electron window unavailable: ${shell.reason}; using browser mode`);
          logger.warn({ reason: shell.reason }, 'shell fallback');
          if (opts.openBrowser !== false) ui.openBrowser();
        }
      }
    }
  } catch (err) {
    await ui?.close();
    await running.stop();
    throw err;
  }
  if (ui?.browserNotOpened && opts.screen !== 'none' && !shell?.ran) fellBack.push(`no kiosk browser opened: ${ui.browserNotOpened}`);
  const coldStartMs = Math.round(process.uptime() * 1000);
  const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const { agent } = running;
  const shellName = shell?.ran ? 'electron' : opts.screen === 'none' ? (ui ? 'endpoint' : 'none') : ui ? 'browser' : 'none';
  logger.info({ coldStartMs, rssMb, hardware: agent.hardware.describe, ui: shellName }, 'agent ready');
  if (opts.json) {
    // The ready line goes to the calling script's stdout, so it may carry a live one-time address;
    // run `start --json` under a supervisor only if its stdout is not a shared log.
    const uiLine = ui ? { shell: shellName, url: ui.launchUrl(), urlFile: ui.urlFile, browser: ui.browserPath } : { shell: 'none' };
    process.stdout.write(JSON.stringify({ event: 'ready', pid: process.pid, coldStartMs, rssMb, socket: running.socketPath, hardware: agent.hardware.describe, database: config.database, ui: uiLine, fellBack }) + '\n');
  } else {
    process.stdout.write(banner(config, { socket: running.socketPath, hardware: agent.hardware.describe, quickOk: agent.quickCheck.ok, ms: coldStartMs, ui, shell: shellName, fellBack, journal: stdoutIsJournal() }));
  }
  // Under systemd (Type=notify): READY=1 now, then watchdog pings while healthy (src/main/health/).
  const watchdog = agentWatchdog(agent, logger.child({ module: 'main/watchdog' }));
  if (watchdog) agent.health.useWatchdog(() => ({ enabled: watchdog.pingIntervalMs !== null, healthy: watchdog.verdict.healthy, problems: watchdog.verdict.problems.map((p) => p.detail) }));
  await watchdog?.ready();
  // The demo ends with its window (closed, or the shell gone); the service, and browser mode, on a signal.
  // Commissioning from the screen ends with a restart: exit 0, and systemd (Restart=always) starts the agent on the new file.
  const ended = await Promise.race([
    signalled.then((signal) => ({ signal, code: 0, restart: null })),
    agent.restartRequested.then((why) => ({ signal: null, code: 0, restart: why })),
    shell?.ran ? shell.exited.then((code) => ({ signal: null, code, restart: null })) : new Promise<never>(() => {}),
  ]);
  logger.info({ signal: ended.signal, restart: ended.restart ?? undefined, shellExit: ended.signal || ended.restart ? undefined : ended.code }, 'stopping');
  await watchdog?.stopping();
  if (shell?.ran && ended.signal) shell.child.kill(ended.signal);
  if (shell?.ran && ended.restart) shell.child.kill('SIGTERM');
  if (ended.restart && !opts.json) process.stdout.write(`\n${ended.restart}: the agent stopped to start again on ${config.source}. Under systemd it is back in 2 s; in a terminal, run the same command again.\n`);
  await ui?.close();
  await running.stop();
  logger.flush();
  return ended.code;
}

interface BannerFacts {
  socket: string;
  hardware: string;
  quickOk: boolean;
  ms: number;
  ui: BrowserUi | undefined;
  shell: string;
  fellBack: string[];
  /** stdout goes to systemd's journal, which others read and which must never hold a ticket. */
  journal: boolean;
}

/**
 * Whether stdout is the journal: systemd sets INVOCATION_ID for every unit it
 * runs and JOURNAL_STREAM when a stream goes to the journal. Elsewhere (a
 * terminal, a pipe to `tee` or a script) a person or the starting user reads
 * it, and the address is printed: a ticket read by anyone else is refused by
 * the peer-uid check anyway (docs/security.md).
 */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['INVOCATION_ID'] || env['JOURNAL_STREAM']);
}

/** To a person, a one-time address to open; in the journal only where to find one (the file is the agent user's alone). */
export function screenLine(ui: Pick<BrowserUi, 'launchUrl' | 'urlFile'>, journal: boolean): string {
  return journal ? `one-time address in ${ui.urlFile}` : `${ui.launchUrl()}  (good for one page)`;
}

function banner(config: Config, f: BannerFacts): string {
  const cli = 'npx cabinet-kiosk' + (config.source === 'embedded defaults' ? '' : ` --config ${config.source}`);
  const shell = { electron: 'Electron window', browser: 'browser mode', endpoint: 'agent service: the screen connects to it', none: 'headless' }[f.shell] ?? f.shell;
  const lines = [
    `cabinet-kiosk ${APP_VERSION} ready in ${f.ms} ms: cabinet ${config.cabinet.id}, ${config.compartments.length} compartments (${shell})`,
    `  locks:    ${f.hardware}`,
    `  database: ${config.database} (quick_check ${f.quickOk ? 'ok' : 'FAILED'})`,
    `  control:  ${f.socket}`,
    `  logs:     ${join(config.dataDir, 'logs')}`,
  ];
  if (f.ui && f.shell !== 'electron') lines.push(`  screen:   ${screenLine(f.ui, f.journal)}${f.ui.browserPath ? `  (opened in ${f.ui.browserPath})` : ''}`);
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
    f.shell === 'electron' ? 'Closing the window or Ctrl+C stops the agent.' : 'Ctrl+C stops the agent.',
    '',
  );
  return lines.join('\n');
}

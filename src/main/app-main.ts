/**
 * The packaged app's entry (package.json "main"): one binary, run as two
 * processes by two users.
 *
 *   cabinet-kiosk agent …   the agent service (cabinet-kiosk-agent.service, or
 *                           the Windows service): Electron used as the Node
 *                           runtime only, since the RunAsNode fuse is off. No
 *                           window, no GPU, no display: it runs the CLI's
 *                           `agent` command, which owns the port, the database,
 *                           the secrets and the cloud.
 *   cabinet-kiosk           the kiosk window (the Electron shell, electron/main.ts):
 *                           a client of the agent, as the kiosk session's user.
 *
 * The shell never loads the agent's modules, nor the agent the shell's.
 */
import { app } from 'electron';
import { usePrivateUmask } from './data-dir.js';

/** Chromium switches the agent unit passes (`--ozone-platform=headless`: no display needed); not the CLI's to parse. */
const CHROMIUM_SWITCHES = /^--(ozone-platform(=.*)?|disable-gpu|headless)$/;

/** The CLI's arguments when this process is the agent (`agent` among them), else null. */
export function agentArgv(argv: readonly string[], defaultApp: boolean): string[] | null {
  const user = argv.slice(defaultApp ? 2 : 1);
  if (!user.includes('agent')) return null;
  return [...argv.slice(0, defaultApp ? 2 : 1), ...user.filter((a) => !CHROMIUM_SWITCHES.test(a))];
}

async function runAgentProcess(argv: string[]): Promise<void> {
  usePrivateUmask();
  // Nothing is drawn: no GPU process, no display connection.
  app.disableHardwareAcceleration();
  const { main } = await import('./cli/index.js');
  const code = await main(argv);
  app.exit(code);
}

if (process.versions.electron && process.type === 'browser') {
  const argv = agentArgv(process.argv, process.defaultApp === true);
  if (argv) void runAgentProcess(argv);
  else void import('./electron/main.js');
}

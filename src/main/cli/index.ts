import { Command, CommanderError, Option } from 'commander';
import { COMPARTMENT_SIZES, type BoardProtocol } from '../../shared/domain.js';
import type { Result } from '../../shared/errors.js';
import { CONFIG_ENV, ConfigError, loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { callAgent } from '../control-protocol/client.js';
import type { ControlCommand } from '../control-protocol/commands.js';
import { controlSocketPath } from '../control-protocol/socket-path.js';
import { DATA_DIR_HINT, DataDirError } from '../data-dir.js';
import { AgentAlreadyRunning } from '../data-lock.js';
import { toErrorResult } from '../error-result.js';
import { runInProcess } from '../run-in-process.js';
import { formatDoctor, runDoctor } from '../doctor/run-doctor.js';
import { runDiag } from '../diag/run-diag.js';
import { APP_VERSION } from '../version.js';
import { ERROR_HINTS } from './hints.js';
import { PRINTERS } from './output.js';
import { runSimulateCommand } from './simulate.js';
import { runApplyCommand, runSetupCommand } from './setup.js';
import { registerFleetCommands } from './fleet.js';
import { runAgentCommand, runStartCommand, type ShellChoice } from '../start.js';

export const EXIT = { ok: 0, refused: 1, usage: 2, failure: 3 } as const;
/** The audit actor is the OS user running the command; this text is only recorded beside it. */
const NOTE_HELP = 'a note for the audit log (who, why); the actor recorded is your OS user';

interface GlobalOptions {
  config?: string;
  json?: boolean;
}

/** Runs the CLI and resolves with the process exit code; never throws. */
export async function main(argv: string[] = process.argv): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('cabinet-kiosk')
    .description('Edge agent of a smart cabinet: lock boards, offline store, pickup codes.')
    .version(APP_VERSION)
    .addOption(new Option('--config <file>', 'configuration file (JSON or YAML); default $CABINET_KIOSK_CONFIG, else the demo cabinet'))
    .option('--json', 'machine-readable output')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const control = (name: ControlCommand, input: () => Record<string, unknown>) => async () => {
    exitCode = await runCommand(name, input(), globals());
  };

  program
    .command('start')
    .description('run the kiosk: the screen, the lock boards, the database; serves the CLI')
    .addOption(new Option('--ui <shell>', 'electron window, browser mode, or none (headless); default: ui.shell in the config (auto)').choices(['auto', 'electron', 'browser', 'none']))
    .option('--headless', 'no screen at all (same as --ui none)')
    .option('--no-browser', 'browser mode: print the screen address, open no browser')
    .action(async (opts: { ui?: ShellChoice; headless?: boolean; browser?: boolean }) => {
      exitCode = await withConfig(globals(), (config) =>
        runStartCommand(config, { json: globals().json === true, shell: opts.headless ? 'none' : (opts.ui ?? config.ui.shell), openBrowser: opts.browser !== false }),
      );
    });

  program
    .command('agent')
    .description('run the agent service: lock boards, database, secrets, cloud; serves the screen contract and the CLI, opens no screen')
    .option('--endpoint-file <file>', 'write the screen\'s one-time address here, 0640 with the folder\'s group (default <dataDir>/screen-url, 0600)')
    .option('--screen-user <user...>', 'the screen\'s session user (name or uid), served besides ui.allowedUids')
    .action(async (opts: { endpointFile?: string; screenUser?: string[] }) => {
      exitCode = await withConfig(globals(), (config) => runAgentCommand(config, { json: globals().json === true, endpointFile: opts.endpointFile, screenUsers: opts.screenUser ?? [] }));
    });

  program.command('status').description('each compartment: door read from the boards, parcel, service flag; outbox').action(control('status', () => ({})));
  program
    .command('open <compartment>')
    .description('technician open of one compartment')
    .option('--note <text>', NOTE_HELP)
    .action((compartment: string, o: { note?: string }) => control('open', () => prune({ compartment, note: o.note }))());
  program.command('pickup <code>').description('a customer pickup with a code').action((code: string) => control('pickup', () => ({ code }))());
  program
    .command('deposit [compartment]')
    .description('courier drop-off: opens a compartment, waits for the door to close, prints the pickup code')
    .addOption(new Option('--size <size>', 'size of compartment wanted (next size up when full)').choices([...COMPARTMENT_SIZES]))
    .option('--courier <name>', 'courier name or id, for the audit log')
    .option('--tracking <no>', 'tracking number of the parcel')
    .option('--wait-ms <ms>', 'how long to wait for the door to close', (v) => Number.parseInt(v, 10))
    .option('--note <text>', NOTE_HELP)
    .action((compartment: string | undefined, o: { size?: string; courier?: string; tracking?: string; waitMs?: number; note?: string }) =>
      control('deposit', () => prune({ compartment, size: compartment ? o.size : (o.size ?? 'M'), courier: o.courier, trackingNo: o.tracking, waitMs: o.waitMs, note: o.note }))(),
    );
  program
    .command('return <compartment>')
    .description('employee return of an expired or cancelled parcel')
    .option('--note <text>', NOTE_HELP)
    .action((compartment: string, o: { note?: string }) => control('return', () => prune({ compartment, note: o.note }))());
  program
    .command('service <compartment>')
    .description('mark a compartment out of service (--off) or back in service (--on)')
    .option('--off', 'take out of service')
    .option('--on', 'put back in service')
    .option('--reason <text>', 'why, for the audit log and the screen')
    .option('--note <text>', NOTE_HELP)
    .action((compartment: string, o: { off?: boolean; on?: boolean; reason?: string; note?: string }) => {
      if (o.on === o.off) program.error('error [bad-request]: say --off (out of service) or --on (back in service), not both or neither', { exitCode: EXIT.usage });
      return control('service', () => prune({ compartment, outOfService: o.off === true, reason: o.reason ?? null, note: o.note }))();
    });
  program
    .command('codes')
    .command('cancel <compartment>')
    .description('withdraw the vendor-issued pickup codes of a compartment, upstream first (the vendor must be reachable)')
    .action((compartment: string) => control('codes-cancel', () => ({ compartment }))());
  const outbox = program.command('outbox').description('pending, dead and skipped counts, oldest pending age; each dead or skipped row with destination, reason and age').action(control('outbox', () => ({})));
  outbox.command('retry [destination]').description('queue dead events again').action((destination?: string) => control('outbox-retry', () => prune({ destination }))());

  program
    .command('simulate')
    .description('serve simulated lock boards on a PTY pair and print the path to connect to')
    .addOption(new Option('--protocol <p>', 'board protocol').choices(['xor-8a', 'kerong-cu', 'modbus-relay']).default('xor-8a'))
    .option('--boards <n>', 'number of boards', (v) => Number.parseInt(v, 10), 1)
    .option('--locks <n>', 'locks per board', (v) => Number.parseInt(v, 10), 24)
    .option('--auto-close-ms <ms>', 'doors close by themselves after this long (0 = never)', (v) => Number.parseInt(v, 10), 4000)
    .addOption(new Option('--transport <t>', 'pty needs socat').choices(['pty', 'auto']).default('pty'))
    .action(async (o: { protocol: 'xor-8a' | 'kerong-cu' | 'modbus-relay'; boards: number; locks: number; autoCloseMs: number; transport: 'pty' | 'auto' }) => {
      exitCode = await runSimulateCommand(o, globals().json === true);
    });

  program
    .command('doctor')
    .description('check the installation: serial device and access, boards, disk, database, fonts, display, clock, vendors, receiver port, screen shell, services; exit 1 when a check fails')
    .option('--no-discovery', 'ask only the configured addresses, do not scan the line for other boards')
    .action(async (o: { discovery: boolean }) => {
      exitCode = await withConfig(globals(), async (config) => {
        const report = await runDoctor(config, { discovery: o.discovery });
        process.stdout.write((globals().json ? JSON.stringify(report) : formatDoctor(report)) + '\n');
        return report.ok ? EXIT.ok : EXIT.refused;
      });
    });

  program
    .command('diag')
    .description('write one tar.gz for support: doctor report, configuration without secrets, recent logs, database sizes and row counts, versions')
    .option('--out <file>', 'where to write it (default ./cabinet-kiosk-diag-<cabinet>-<time>.tar.gz)')
    .action(async (o: { out?: string }) => {
      exitCode = await withConfig(globals(), async (config) => {
        const out = o.out ?? `cabinet-kiosk-diag-${config.cabinet.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`;
        const r = await runDiag(config, out);
        process.stdout.write((globals().json ? JSON.stringify({ ok: true, ...r }) : `wrote ${r.file} (${r.members.length} files; doctor ${r.doctorOk ? 'found no failure' : 'found failures: see doctor.txt inside'})`) + '\n');
        return EXIT.ok;
      });
    });

  program
    .command('setup')
    .description('commission the cabinet: scan the serial line for boards, pulse each lock to map it to a compartment, write the configuration (--config FILE; the old file is kept as a backup)')
    .option('--port <path>', 'the serial device (default: serial.path of the file, else the only port seen)')
    .addOption(new Option('--protocol <p...>', 'protocols to try (default all)').choices(['xor-8a', 'kerong-cu', 'modbus-relay']))
    .option('--baud <n...>', 'baud rates to try (default each protocol\'s usual ones)')
    .option('--addresses <list>', 'addresses to try, e.g. 1-8,12 (default each protocol\'s range; modbus 1-32)')
    .option('--answers <file>', 'answer from this JSON/YAML file instead of asking (automation)')
    .option('--no-map', 'do not pulse any lock: write the boards, every lock a compartment')
    .option('--apply <proposal>', 'write the line and door map an agent commissioned from the screen but may not write itself (run as root by cabinet-kiosk-apply-config.service)')
    .action(async (o: { port?: string; protocol?: BoardProtocol[]; baud?: string[]; addresses?: string; answers?: string; map: boolean; apply?: string }) => {
      const file = globals().config ?? process.env[CONFIG_ENV];
      if (!file) program.error('error [bad-request]: say which configuration file to write with --config FILE', { exitCode: EXIT.usage });
      if (o.apply !== undefined) {
        exitCode = runApplyCommand(o.apply, file!, globals().json === true);
        return;
      }
      const numbers = (list: string[] | undefined, what: string) => list?.map((v) => (/^\d+$/.test(v) ? Number(v) : program.error(`error [bad-request]: ${what} "${v}" is not a number`, { exitCode: EXIT.usage })));
      const addresses = o.addresses?.split(',').flatMap((part) => {
        const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
        if (!m) return program.error(`error [bad-request]: --addresses "${part}" is not N or N-M`, { exitCode: EXIT.usage });
        const from = Number(m[1]);
        const to = Number(m[2] ?? m[1]);
        return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
      });
      exitCode = await runSetupCommand({ file: file!, port: o.port, protocols: o.protocol, baudRates: numbers(o.baud, '--baud'), addresses, answersFile: o.answers, map: o.map }, globals().json === true);
    });

  program
    .command('config')
    .command('check')
    .description('validate the configuration and print it resolved')
    .action(async () => {
      exitCode = await withConfig(globals(), (config) => {
        process.stdout.write(globals().json ? JSON.stringify(config) + '\n' : `configuration ok (${config.source}): ${config.boards.length} board(s), ${config.compartments.length} compartment(s), database ${config.database}\n`);
        return Promise.resolve(EXIT.ok);
      });
    });

  registerFleetCommands(program, globals, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    process.stderr.write(`error [internal]: ${(err as Error).message} — ${ERROR_HINTS.internal}\n`);
    return EXIT.failure;
  }
  return exitCode;
}

function prune(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

async function withConfig(g: GlobalOptions, fn: (config: Config) => Promise<number>): Promise<number> {
  let config: Config;
  try {
    config = loadConfig({ file: g.config });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    printError(g, { ok: false, error: { code: 'bad-request', message: err.message, meta: { issues: err.issues } } }, ERROR_HINTS.config);
    return EXIT.usage;
  }
  try {
    return await fn(config);
  } catch (err) {
    if (err instanceof AgentAlreadyRunning) {
      printError(g, { ok: false, error: { code: 'agent-busy', message: err.message } }, ERROR_HINTS['agent-already-running']);
      return EXIT.refused;
    }
    if (err instanceof DataDirError) {
      // Not a KioskErrorCode (the screen never sees it): printed here, one line, no stack.
      if (g.json) process.stdout.write(JSON.stringify({ ok: false, error: { code: err.code, message: err.message }, hint: DATA_DIR_HINT }) + '\n');
      else process.stderr.write(`error [${err.code}]: ${err.message} — ${DATA_DIR_HINT}\n`);
      return EXIT.failure;
    }
    const result = toErrorResult(err);
    printError(g, result, ERROR_HINTS[result.error.code]);
    return EXIT.failure;
  }
}

/**
 * Sends the command to the running agent; when none answers, does the work
 * in-process, which runAgent refuses (AgentAlreadyRunning) while an agent
 * holds the data folder, even one whose socket file was deleted.
 */
async function runCommand(name: ControlCommand, input: Record<string, unknown>, g: GlobalOptions): Promise<number> {
  return withConfig(g, async (config) => {
    const socketPath = controlSocketPath(config.dataDir);
    const reply = await callAgent(socketPath, name, input);
    const result = reply.reached ? reply.result : await runInProcess(config, name, input, `its control socket ${socketPath} did not answer (${reply.reason})`);
    if (!result.ok) {
      printError(g, result, hintFor(result));
      return result.error.code === 'internal' || result.error.code === 'hardware-unavailable' ? EXIT.failure : EXIT.refused;
    }
    process.stdout.write((g.json ? JSON.stringify(result.value) : (PRINTERS[name]?.(result.value) ?? JSON.stringify(result.value, null, 2))) + '\n');
    return EXIT.ok;
  });
}

function hintFor(result: Extract<Result<unknown>, { ok: false }>): string {
  if (result.error.code === 'locked-out') {
    const ms = Number(result.error.meta?.['retryAfterMs'] ?? 0);
    return `too many wrong codes: wait ${Math.ceil(ms / 1000)} s, then try again`;
  }
  return ERROR_HINTS[result.error.code];
}

function printError(g: GlobalOptions, result: Extract<Result<unknown>, { ok: false }>, hint: string): void {
  if (g.json) {
    process.stdout.write(JSON.stringify({ ...result, hint }) + '\n');
    return;
  }
  process.stderr.write(`error [${result.error.code}]: ${result.error.message.split('\n').join(' ')} — ${hint}\n`);
}

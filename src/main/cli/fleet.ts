/**
 * `cabinet-kiosk fleet …`: the operator's view of every cabinet, over the
 * same broker the cabinets use (docs/fleet.md §7). It connects to the
 * broker itself; no agent is involved.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FleetError, FleetOperator, type CabinetRow, type OperatorSettings, type SettingValue } from '../../cloud/index.js';
import { loadConfig } from '../config/load-config.js';

const operatorFileSchema = z
  .object({
    url: z.string().regex(/^mqtts?:\/\/\S+$/, 'an mqtt:// or mqtts:// URL'),
    topicPrefix: z.string().min(1).default('cabinets'),
    topicLeafPrefix: z.string().default(''),
    /** The command key of every cabinet; `secrets` overrides per cabinet. */
    secret: z.string().min(16).optional(),
    secrets: z.record(z.string(), z.string().min(16)).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
  })
  .strict();

interface FleetFlags {
  fleetConfig?: string;
  broker?: string;
  prefix?: string;
  json?: boolean;
}

const EXIT = { ok: 0, refused: 1, usage: 2, failure: 3 } as const;

/**
 * Operator settings, first found: `--fleet-config FILE` (or
 * $CABINET_FLEET_CONFIG), else the cabinet configuration's `cloud.fleet`
 * (`--config`, for the demo); `--broker`/`--prefix` and
 * $CABINET_FLEET_SECRET override. Throws with a message for the user.
 */
export function operatorSettings(flags: FleetFlags, cabinetConfig: string | undefined): OperatorSettings {
  const file = flags.fleetConfig ?? process.env['CABINET_FLEET_CONFIG'];
  let settings: OperatorSettings;
  if (file !== undefined) {
    const path = resolve(file);
    const text = readFileSync(path, 'utf8');
    const parsed = operatorFileSchema.safeParse(path.endsWith('.json') ? JSON.parse(text) : parseYaml(text));
    if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const d = parsed.data;
    const read = (p: string | undefined): Buffer | undefined => (p === undefined ? undefined : readFileSync(isAbsolute(p) ? p : resolve(dirname(path), p)));
    const tls = Object.fromEntries(Object.entries({ ca: read(d.ca), cert: read(d.cert), key: read(d.key) }).filter(([, v]) => v !== undefined));
    settings = { url: d.url, topicPrefix: d.topicPrefix, topicLeafPrefix: d.topicLeafPrefix, secret: d.secret, secrets: d.secrets, username: d.username, password: d.password, tls, protocolVersion: d.protocolVersion };
  } else if (cabinetConfig !== undefined || process.env['CABINET_KIOSK_CONFIG'] !== undefined) {
    const fleet = loadConfig({ file: cabinetConfig }).cloud.fleet;
    if (fleet === undefined) throw new Error('the cabinet configuration has no cloud.fleet: give --fleet-config FILE (url, topicPrefix, secret)');
    settings = { url: fleet.url, topicPrefix: fleet.topicPrefix, topicLeafPrefix: fleet.topicLeafPrefix, secret: fleet.secret, username: fleet.username, password: fleet.password, protocolVersion: fleet.protocolVersion };
  } else if (flags.broker !== undefined) {
    settings = { url: flags.broker, topicPrefix: 'cabinets' };
  } else {
    throw new Error('no operator settings: give --fleet-config FILE, --broker URL, or --config with a cloud.fleet section');
  }
  if (flags.broker !== undefined) settings.url = flags.broker;
  if (flags.prefix !== undefined) settings.topicPrefix = flags.prefix;
  const envSecret = process.env['CABINET_FLEET_SECRET'];
  if (envSecret !== undefined && envSecret.length > 0) settings.secret = envSecret;
  return settings;
}

/** The `fleet` command group. `cabinetConfig()` is the global --config; `setExit` records the exit code. */
export function registerFleetCommands(program: Command, globals: () => { config?: string; json?: boolean }, setExit: (code: number) => void): void {
  const fleet = program
    .command('fleet')
    .description('the operator\'s view of every cabinet over the MQTT broker (docs/fleet.md)')
    .option('--fleet-config <file>', 'operator settings (url, topicPrefix, secret, username, password, ca, cert, key); default $CABINET_FLEET_CONFIG, else --config\'s cloud.fleet')
    .option('--broker <url>', 'mqtt:// or mqtts:// broker URL (overrides the file)')
    .option('--prefix <prefix>', 'topic prefix (overrides the file)');

  const run = (work: (op: FleetOperator, json: boolean) => Promise<number>) => async (): Promise<void> => {
    const flags = { ...fleet.opts<FleetFlags>() };
    const json = globals().json === true;
    let op: FleetOperator | undefined;
    try {
      op = await FleetOperator.connect(operatorSettings(flags, globals().config));
      setExit(await work(op, json));
    } catch (err) {
      const code = err instanceof FleetError ? err.code : 'fleet-error';
      const message = err instanceof Error ? err.message : String(err);
      if (json) process.stdout.write(JSON.stringify({ ok: false, error: { code, message } }) + '\n');
      else process.stderr.write(`error [${code}]: ${message}\n`);
      setExit(err instanceof FleetError && err.code === 'timeout' ? EXIT.failure : EXIT.usage);
    } finally {
      await op?.close().catch(() => undefined);
    }
  };

  fleet
    .command('status')
    .description('every cabinet from its retained snapshot: online, alarms, outbox depth, versions')
    .action(
      run(async (op, json) => {
        const started = performance.now();
        const rows = await op.snapshot();
        const tookMs = Math.round(performance.now() - started);
        process.stdout.write((json ? JSON.stringify({ cabinets: rows.map(rowJson), tookMs }) : formatRows(rows, tookMs)) + '\n');
        return EXIT.ok;
      }),
    );

  fleet
    .command('alarms')
    .description('alarms of every cabinet; --follow prints them as they come')
    .option('--follow', 'keep printing alarm messages (repeats included) until interrupted')
    .option('--ack', 'with --follow: acknowledge each alarm received')
    .action(async (o: { follow?: boolean; ack?: boolean }) =>
      run(async (op, json) => {
        if (!o.follow) {
          const rows = await op.snapshot();
          const up = rows.flatMap((r) => (r.state?.alarms ?? []).map((a) => ({ cabinet: r.thing, ...a })));
          process.stdout.write((json ? JSON.stringify(up) : up.map((a) => `${a.cabinet}\t${a.code}\tsince ${new Date(a.since).toISOString()}\t${a.detail ?? ''}`).join('\n') || 'no alarms') + '\n');
          return EXIT.ok;
        }
        await op.followAlarms(
          (thing, a) => {
            process.stdout.write((json ? JSON.stringify({ cabinet: thing, ...a }) : `${new Date(a.at).toISOString()}\t${thing}\t${a.state}\t${a.code}\t${a.detail ?? ''}\t(id ${a.id}, repeat ${a.repeat})`) + '\n');
          },
          { ack: o.ack === true },
        );
        await new Promise<void>((resolveStop) => {
          process.once('SIGINT', () => resolveStop());
          process.once('SIGTERM', () => resolveStop());
        });
        return EXIT.ok;
      })(),
    );

  fleet
    .command('open <cabinet> <compartment>')
    .description('signed open command to one cabinet; waits for its result')
    .option('--timeout-ms <ms>', 'how long to wait for the result', (v) => Number.parseInt(v, 10), 15_000)
    .action(async (cabinet: string, compartment: string, o: { timeoutMs: number }) =>
      run(async (op, json) => {
        const result = await op.command(cabinet, 'open', { compartment }, { timeoutMs: o.timeoutMs });
        if (json) process.stdout.write(JSON.stringify(result) + '\n');
        else if (result.ok) process.stdout.write(`${cabinet}: compartment ${compartment}: ${JSON.stringify(result.data)}\n`);
        else process.stderr.write(`${cabinet}: error [${result.code}]: ${result.message}\n`);
        return result.ok ? EXIT.ok : EXIT.refused;
      })(),
    );

  fleet
    .command('config <cabinet> <verb> <assignments...>')
    .description('`config <cabinet> set key=value …`: change runtime settings through the signed desired configuration; waits for the report')
    .option('--timeout-ms <ms>', 'how long to wait for the report', (v) => Number.parseInt(v, 10), 15_000)
    .action(async (cabinet: string, verb: string, assignments: string[], o: { timeoutMs: number }) => {
      if (verb !== 'set') {
        process.stderr.write(`error [bad-request]: unknown verb "${verb}": fleet config <cabinet> set key=value …\n`);
        setExit(EXIT.usage);
        return;
      }
      await run(async (op, json) => {
        const patch: Record<string, SettingValue> = {};
        for (const a of assignments) {
          const eq = a.indexOf('=');
          if (eq <= 0) throw new Error(`"${a}" is not key=value`);
          patch[a.slice(0, eq)] = settingValue(a.slice(eq + 1));
        }
        const report = await op.setConfig(cabinet, patch, { timeoutMs: o.timeoutMs });
        if (json) process.stdout.write(JSON.stringify(report) + '\n');
        else if (report.last?.outcome === 'applied') process.stdout.write(`${cabinet}: configuration version ${report.version} applied: ${JSON.stringify(report.settings)}\n`);
        else process.stderr.write(`${cabinet}: ${report.last?.outcome ?? 'not applied'}: [${report.last?.error?.code ?? '?'}] ${report.last?.error?.key ?? ''} ${report.last?.error?.message ?? ''}\n`);
        return report.last?.outcome === 'applied' ? EXIT.ok : EXIT.refused;
      })();
    });
}

/** `30000` → number, `true`/`false` → boolean, anything else a string. */
export function settingValue(text: string): SettingValue {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

function rowJson(r: CabinetRow) {
  return {
    cabinet: r.thing,
    online: r.online,
    statusAt: r.statusAt,
    alarms: r.state?.alarms.map((a) => a.code) ?? [],
    outboxDepth: r.state?.outbox.depth ?? null,
    versions: r.state?.versions ?? null,
    stateAt: r.state?.at ?? null,
  };
}

export function formatRows(rows: CabinetRow[], tookMs: number): string {
  const head = ['cabinet', 'online', 'alarms', 'outbox', 'app', 'state at'];
  const cells = rows.map((r) => [
    r.thing,
    r.online === null ? '?' : r.online ? 'online' : 'OFFLINE',
    r.state === null ? '?' : r.state.alarms.map((a) => a.code).join(',') || '-',
    r.state === null ? '?' : String(r.state.outbox.depth),
    r.state?.versions.app ?? '?',
    r.state === null ? '?' : new Date(r.state.at).toISOString(),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  const online = rows.filter((r) => r.online === true).length;
  return [line(head), ...cells.map(line), `${rows.length} cabinet(s), ${online} online (read in ${tookMs} ms)`].join('\n');
}

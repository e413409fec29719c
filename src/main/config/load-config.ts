import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
// lock-board.js holds each protocol's usual baud (cited per protocol) and loads no serialport.
import { DEFAULT_BAUD_RATES } from '../../drivers/lock-board.js';
import { COMPARTMENT_SIZES } from '../../shared/domain.js';
import { configSchema, DEMO_PINS, SIMULATOR_PATH, type CompartmentSettings, type Config } from './schema.js';

export const CONFIG_ENV = 'CABINET_KIOSK_CONFIG';

export type ConfigErrorCode = 'config-not-found' | 'config-unreadable' | 'config-invalid';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly issues: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Loads `--config FILE`, else `$CABINET_KIOSK_CONFIG`, else the embedded demo
 * defaults. Throws ConfigError naming each bad key and what is wrong with it.
 */
export function loadConfig(opts: { file?: string | undefined; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ?? (opts.env ?? process.env)[CONFIG_ENV];
  if (!file) return resolveConfig(parseConfig({}, 'embedded defaults'), cwd, 'embedded defaults');
  const path = resolve(cwd, file);
  const raw = readConfigText(path);
  return resolveConfig(parseConfig(parseText(raw, path), path), dirname(path), path);
}

function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError('config-not-found', `config file ${path} does not exist`, [], { cause });
    throw new ConfigError('config-unreadable', `config file ${path} cannot be read (${code ?? String(cause)})`, [], { cause });
  }
}

function parseText(raw: string, path: string): unknown {
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.json') return JSON.parse(raw);
    return parseYaml(raw);
  } catch (cause) {
    const kind = ext === '.json' ? 'JSON' : 'YAML';
    throw new ConfigError('config-unreadable', `config file ${path} is not valid ${kind}: ${(cause as Error).message}`, [], { cause });
  }
}

/** Validates a parsed document; exported for tests and for `cabinet-kiosk config check`. */
export function parseConfig(doc: unknown, source: string): z.output<typeof configSchema> {
  const result = configSchema.safeParse(doc ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  throw new ConfigError('config-invalid', `invalid configuration in ${source}:\n  ${issues.join('\n  ')}`, issues);
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function resolveConfig(parsed: z.output<typeof configSchema>, base: string, source: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const database = parsed.database === ':memory:' ? parsed.database : abs(parsed.database);
  const dataDir = parsed.dataDir ? abs(parsed.dataDir) : dirname(database === ':memory:' ? abs('./data/x') : database);
  const serialPath = parsed.serial.path === SIMULATOR_PATH || !parsed.serial.path.startsWith('.') ? parsed.serial.path : abs(parsed.serial.path);
  return {
    ...parsed,
    serial: { ...parsed.serial, path: serialPath, baudRate: parsed.serial.baudRate ?? DEFAULT_BAUD_RATES[parsed.boards[0]!.protocol] },
    database,
    dataDir,
    compartments: parsed.compartments ?? compartmentsFromBoards(parsed.boards),
    staff: staffPins(parsed),
    source,
  };
}

/** Demo PINs are public (README): they stand in for a missing PIN on the simulator only, never on a real port. */
function staffPins(parsed: z.output<typeof configSchema>): Config['staff'] {
  const demo = parsed.serial.path === SIMULATOR_PATH;
  const courierPin = parsed.staff.courierPin ?? (demo ? DEMO_PINS.courier : null);
  const technicianPin = parsed.staff.technicianPin ?? (demo ? DEMO_PINS.technician : null);
  return { ...parsed.staff, courierPin, technicianPin, demoPins: demo && (!parsed.staff.courierPin || !parsed.staff.technicianPin) };
}

/** The demo default: every lock is a compartment, numbered across boards, sizes cycling S → XL. */
function compartmentsFromBoards(boards: Array<{ address: number; locks: number }>): CompartmentSettings[] {
  const out: CompartmentSettings[] = [];
  for (const board of boards) {
    for (let lock = 1; lock <= board.locks; lock++) {
      out.push({ id: String(out.length + 1), board: board.address, lock, size: COMPARTMENT_SIZES[out.length % COMPARTMENT_SIZES.length]! });
    }
  }
  return out;
}

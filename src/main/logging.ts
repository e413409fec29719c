import { once } from 'node:events';
import { join } from 'node:path';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
// pino-roll ships no types; its default export builds a SonicBoom stream.
// @ts-expect-error -- untyped module
import roll from 'pino-roll';
import type { Config } from './config/schema.js';
import { DataDirError, ensurePrivateDir, prepareDataDir, PRIVATE_FILE_MODE, reasonOf } from './data-dir.js';

/**
 * Never written to a log: typed pickup codes, PINs, secrets, tokens,
 * signatures. Paths are pino/fast-redact paths over the merged log object.
 *
 * A plain `code` is NOT redacted: it is the refusal or error code
 * (`code-invalid`, `locked-out`, `EADDRINUSE`), which is how a brute-force
 * attempt is told from other refusals. A code a person typed travels as
 * `typedCode`; a command's input keeps its contract name (`args.code`,
 * `input.code`) and is redacted there.
 */
export const REDACT_PATHS = [
  'typedCode', 'pin', 'secret', 'token', 'signature', 'password', 'pickupCode', 'sealedCode',
  '*.typedCode', '*.pin', '*.secret', '*.token', '*.signature', '*.password', '*.pickupCode', '*.sealedCode',
  'args.code', 'input.code', 'cabinet.secret', 'headers.authorization',
  // Vendor credentials (cloud config): Dingshang app_key, Yopoint appSecret, Hongxun sk.
  'appKey', 'appSecret', 'sk', '*.appKey', '*.appSecret', '*.sk',
];

export interface LoggingOptions {
  /** Also write JSON lines to stdout (the agent does; CLI commands keep stdout for their answer). */
  stdout: boolean;
}

/**
 * The agent's logger. Prepares the data folder first (private, writable:
 * data-dir.ts), so a folder that cannot be written throws DataDirError here
 * rather than surfacing as an unhandled stream error later.
 */
export async function createLogger(config: Config, opts: LoggingOptions): Promise<PinoLogger> {
  const streams: Array<{ stream: DestinationStream; level: pino.Level }> = [];
  const level = config.log.level === 'silent' ? 'fatal' : config.log.level;
  const notes = prepareDataDir(config.dataDir);
  if (opts.stdout) streams.push({ stream: process.stdout, level });
  if (config.log.file) streams.push({ stream: await openLogFile(join(config.dataDir, 'logs'), config.log), level });
  const options = {
    level: config.log.level,
    base: { cabinet: config.cabinet.id },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (streams.length === 0) return pino({ ...options, enabled: false });
  const logger = pino(options, pino.multistream(streams));
  for (const note of notes) logger.warn({ module: 'main/logging' }, `data folder not fully private: ${note}`);
  return logger;
}

interface RollStream extends NodeJS.EventEmitter {
  write(line: string): boolean;
}

/**
 * The rotating file, opened and ready, or DataDirError. In-process rather
 * than pino.transport(): no worker thread at boot, which keeps cold start low
 * on the kiosk PC; the roll stream is async SonicBoom, whose open error is an
 * 'error' event that nothing would catch (exit 1 with a stack trace).
 */
async function openLogFile(dir: string, settings: Config['log']): Promise<DestinationStream> {
  let stream: RollStream;
  try {
    ensurePrivateDir(dir);
    stream = (await roll({
      file: join(dir, 'kiosk'),
      extension: '.log',
      size: `${settings.maxFileMb}m`,
      limit: { count: settings.keepFiles },
      mode: PRIVATE_FILE_MODE,
    })) as RollStream;
    await once(stream, 'ready');
  } catch (cause) {
    throw new DataDirError('data-dir-unwritable', dir, reasonOf(cause), { cause });
  }
  // Later write failures (disk full) must not stop a cabinet that still opens doors: say so once on stderr.
  let told = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (told) return;
    told = true;
    process.stderr.write(`cabinet-kiosk: the log file in ${dir} cannot be written (${err.code ?? err.message}); logging there has stopped\n`);
  });
  return stream;
}

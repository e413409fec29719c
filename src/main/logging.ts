import { join } from 'node:path';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
// pino-roll ships no types; its default export builds a SonicBoom stream.
// @ts-expect-error -- untyped module
import roll from 'pino-roll';
import type { Config } from './config/schema.js';

/**
 * Never written to a log: pickup codes, PINs, secrets, tokens, signatures.
 * Paths are pino/fast-redact paths over the merged log object.
 */
export const REDACT_PATHS = [
  'code', 'pin', 'secret', 'token', 'signature', 'password', 'pickupCode', 'sealedCode',
  '*.code', '*.pin', '*.secret', '*.token', '*.signature', '*.password', '*.pickupCode', '*.sealedCode',
  'args.code', 'body.code', 'cabinet.secret', 'headers.authorization',
  // Vendor credentials (cloud config): Dingshang app_key, Yopoint appSecret, Hongxun sk.
  'appKey', 'appSecret', 'sk', '*.appKey', '*.appSecret', '*.sk',
];

export interface LoggingOptions {
  /** Also write JSON lines to stdout (the agent does; CLI commands keep stdout for their answer). */
  stdout: boolean;
}

export async function createLogger(config: Config, opts: LoggingOptions): Promise<PinoLogger> {
  const streams: Array<{ stream: DestinationStream; level: pino.Level }> = [];
  const level = config.log.level === 'silent' ? 'fatal' : config.log.level;
  if (opts.stdout) streams.push({ stream: process.stdout, level });
  if (config.log.file) {
    // In-process rather than pino.transport(): no worker thread at boot, which
    // keeps cold start low on the kiosk PC; the roll stream is async SonicBoom.
    const stream = (await roll({
      file: join(config.dataDir, 'logs', 'kiosk'),
      extension: '.log',
      size: `${config.log.maxFileMb}m`,
      limit: { count: config.log.keepFiles },
      mkdir: true,
    })) as DestinationStream;
    streams.push({ stream, level });
  }
  const options = {
    level: config.log.level,
    base: { cabinet: config.cabinet.id },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (streams.length === 0) return pino({ ...options, enabled: false });
  return pino(options, pino.multistream(streams));
}

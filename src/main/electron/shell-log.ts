import { pino, type Logger as PinoLogger } from 'pino';

/** What the Electron shell logs through (it has no agent, so no agent log: JSON lines on stderr, the journal under systemd). */
export type ShellLog = Pick<PinoLogger, 'info' | 'warn' | 'error'>;

/** The shell's events as JSON lines on stderr. */
export function bootLog(): ShellLog {
  return pino({ base: { module: 'main/electron' } }, pino.destination({ fd: 2, sync: true }));
}

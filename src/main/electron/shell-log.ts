import { pino, type Logger as PinoLogger } from 'pino';

/** What the Electron shell logs through: the agent's pino logger once it runs. */
export type ShellLog = Pick<PinoLogger, 'info' | 'warn' | 'error'>;

/** Until the agent's logger exists (config not yet loaded), shell events go to stderr as JSON lines. */
export function bootLog(): ShellLog {
  return pino({ base: { module: 'main/electron' } }, pino.destination({ fd: 2, sync: true }));
}

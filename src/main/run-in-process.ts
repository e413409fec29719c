import type { Result } from '../shared/errors.js';
import { localCaller } from './caller.js';
import type { Config } from './config/schema.js';
import type { ControlCommand } from './control-protocol/commands.js';
import { runControlCommand } from './control/commands.js';
import { AgentAlreadyRunning } from './data-lock.js';
import { toErrorResult } from './error-result.js';
import { createLogger } from './logging.js';
import { runAgent } from './run-agent.js';

/**
 * One control command with no agent running: this process becomes the agent
 * for the command (it takes the data folder's lock, so it is refused while
 * another agent holds it) and stops again. `noAnswer` says why the socket was
 * not used, for the refusal.
 */
export async function runInProcess(config: Config, name: ControlCommand, input: unknown, noAnswer: string): Promise<Result<unknown>> {
  const logger = await createLogger(config, { stdout: false });
  let running: Awaited<ReturnType<typeof runAgent>>;
  try {
    running = await runAgent(config, logger, { jobs: false });
  } catch (err) {
    logger.flush();
    if (err instanceof AgentAlreadyRunning) throw new AgentAlreadyRunning(`${err.message}; ${noAnswer}, so restart that agent`);
    throw err;
  }
  try {
    return { ok: true, value: await runControlCommand(running.agent, name, input, localCaller()) };
  } catch (err) {
    return toErrorResult(err);
  } finally {
    await running.stop();
    logger.flush();
  }
}


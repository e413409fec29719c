/**
 * A real agent (runAgent: the data-folder lock, the control socket, the
 * in-process simulator, the SQLite file) that dies like a bug would kill it:
 * an uncaught exception thrown from a timer, or a promise rejected with no
 * handler (`argv[3]`: `throw` or `reject`). Spawned with `node --import tsx`
 * by test/integration/main/agent-crash.test.ts. argv: config file, mode.
 * stdout: {"ready":true} once it serves.
 */
import { loadConfig } from '../../src/main/config/load-config.js';
import { createLogger } from '../../src/main/logging.js';
import { runAgent } from '../../src/main/run-agent.js';

const [configPath = '', mode = 'throw'] = process.argv.slice(2);
const config = loadConfig({ file: configPath, env: {} });
await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
setTimeout(() => {
  if (mode === 'reject') void Promise.reject(new RangeError('the test rejected this promise'));
  else throw new TypeError('the test threw this from a timer');
}, 200);

/**
 * The mock cloud's entry point, a development tool outside the product:
 *
 *   npm run mock-cloud -- [--config FILE] [--port N] [--host H] [--state-file F] [--faults JSON] [--json]
 *
 * It reads the agent's own configuration file (`--config`, else
 * `CABINET_KIOSK_CONFIG`, else the embedded demo) and plays every vendor it
 * enables with the same credentials (command.ts). Exit 2 for a bad argument
 * or configuration, 0 once stopped by SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../src/main/config/load-config.js';
import { runMockCloudCommand } from './command.js';

const USAGE = 'usage: npm run mock-cloud -- [--config FILE] [--port N] [--host H] [--state-file F] [--faults JSON] [--json]';

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'state-file': { type: 'string' },
        faults: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    process.stderr.write(`error: --port ${values.port}: expected an integer 0–65535\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig({ file: values.config });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    return 2;
  }
  try {
    return await runMockCloudCommand(config, {
      host: values.host,
      json: values.json,
      ...(port === undefined ? {} : { port }),
      ...(values['state-file'] === undefined ? {} : { stateFile: values['state-file'] }),
      ...(values.faults === undefined ? {} : { faults: values.faults }),
    });
  } catch (err) {
    // A fault plan that does not parse, a port taken, a corrupt state file: one line, no stack.
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 3;
  }
}

process.exitCode = await main(process.argv.slice(2));

import type { FaultConfig } from './faults.js';
import { startMockCloud, type RunningMockCloud, type VendorFactory } from './server.js';

/**
 * The mock cloud as a process of its own, for `npm run mock-cloud` (main.ts) and
 * for the chaos test, which spawns it, SIGKILLs it and starts it again on the
 * same port and state file (issue 4 §6). The ledger lives in the state file,
 * so what was acknowledged before the kill is still known after it.
 */

export interface MockCloudProcessOptions {
  /** The vendor mocks to serve, e.g. `[webhooksMock({ secret })]`. */
  factories: readonly VendorFactory[];
  /** The ledger's state file (ledger-file.ts); created if missing, reloaded if present. */
  stateFile: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port); give a fixed one so a restarted mock keeps the agent's URL. */
  port?: number;
  /** Faults from the start; default none. */
  faults?: FaultConfig;
  /** Where the ready line goes. Default process.stdout. */
  stdout?: { write(text: string): unknown };
}

export interface MockCloudProcess {
  cloud: RunningMockCloud;
  /** Resolves once the server closed, after SIGTERM/SIGINT or `stop()`. */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Starts the server, then prints one JSON line `{"ready":true,"url":"http://…"}`
 * (the signal for a parent process that the port is bound and the state file
 * loaded). On SIGTERM or SIGINT it closes; the process then exits on its own
 * (nothing else keeps the event loop). Throws what `startMockCloud` throws.
 */
export async function runMockCloudProcess(options: MockCloudProcessOptions): Promise<MockCloudProcess> {
  const { stateFile, host, port, faults } = options;
  const cloud = await startMockCloud(options.factories, { stateFile, host, port, faults });
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    return (stopping ??= cloud.close().then(resolveStopped));
  };
  const onSignal = (): void => void stop();
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  (options.stdout ?? process.stdout).write(`${JSON.stringify({ ready: true, url: cloud.url })}\n`);
  return { cloud, stopped, stop };
}

import { CabinetHardware, startSimulator, type SimulatorHandle } from '../drivers/index.js';
import type { Logger } from '../shared/logger.js';
import { SIMULATOR_PATH, type Config } from './config/schema.js';

export interface Hardware {
  cabinet: CabinetHardware;
  /** Present when the cabinet runs on the embedded board simulator. */
  simulator?: SimulatorHandle;
  /** One line for the console: where the locks are. */
  describe: string;
  close(): Promise<void>;
}

/**
 * Opens the lock bus. `serial.path: simulator` (the default) starts the board
 * simulator first: on a socat PTY pair when socat is installed, else in-process
 * behind @serialport/binding-mock, and says which.
 */
export async function startHardware(config: Config, log: Logger): Promise<Hardware> {
  let simulator: SimulatorHandle | undefined;
  let path = config.serial.path;
  let binding: 'native' | 'mock' = 'native';
  if (path === SIMULATOR_PATH) {
    simulator = await startSimulator({
      boards: config.boards.map((b) => ({ address: b.address, protocol: b.protocol, locks: b.locks, feedbackPolarity: b.feedbackPolarity, statusByteOrder: b.statusByteOrder })),
      autoCloseMs: config.simulator.autoCloseMs,
      transport: config.simulator.transport,
      logger: log.child({ module: 'drivers/simulator' }),
    });
    path = simulator.agentPath;
    binding = simulator.binding;
  }
  try {
    const cabinet = await CabinetHardware.start({
      serial: { ...config.serial, path, binding },
      boards: config.boards,
      supervision: config.supervision,
      logger: log,
    });
    const describe = simulator
      ? `simulated cabinet on ${simulator.binding === 'native' ? `PTY ${path}` : 'an in-process mock port'}${simulator.fellBackReason ? ` (${simulator.fellBackReason})` : ''}`
      : `lock boards on ${path} at ${config.serial.baudRate} baud`;
    return {
      cabinet,
      ...(simulator ? { simulator } : {}),
      describe,
      async close() {
        await cabinet.close();
        await simulator?.close();
      },
    };
  } catch (err) {
    await simulator?.close();
    throw err;
  }
}

import { BOARD_PROTOCOLS, assertNever, type BoardProtocol } from '../shared/domain.js';
import type { Logger } from '../shared/logger.js';
import type { BoardConfig, LockBoard } from './board-types.js';
import { DriverError } from './errors.js';
import { KerongCuBoard } from './kerong-cu/board.js';
import { DEFAULT_BAUD_RATE as KERONG_BAUD } from './kerong-cu/constants.js';
import { ModbusRelayBoard } from './modbus-relay/board.js';
import { DEFAULT_BAUD_RATE as MODBUS_BAUD } from './modbus-relay/constants.js';
import type { SerialBus } from './transport/serial-bus.js';
import { Xor8aBoard } from './xor-8a/board.js';
import { DEFAULT_BAUD_RATE as XOR_BAUD } from './xor-8a/constants.js';

// The interface and config types live in board-types.ts so the protocol
// folders can use them without an import cycle through this factory.
export type { BoardConfig, FeedbackPolarity, LockBoard, OpenResult, ReadOptions, StatusByteOrder } from './board-types.js';

/** The baud each protocol's sources use (§A.1, §B.1 [CONFLICT]: 19200 first, §C.1); all boards on one bus share one. */
export const DEFAULT_BAUD_RATES: Readonly<Record<BoardProtocol, number>> = { 'xor-8a': XOR_BAUD, 'kerong-cu': KERONG_BAUD, 'modbus-relay': MODBUS_BAUD };

/**
 * One board object per configured board, all sharing one bus. Throws
 * `DriverError('unsupported')` for a protocol this build does not speak and
 * `invalid-config` for an address or lock count the protocol cannot carry.
 */
export function createLockBoard(bus: SerialBus, config: BoardConfig, logger: Logger): LockBoard {
  const log = logger.child({ module: `drivers/${config.protocol}`, board: config.address });
  switch (config.protocol) {
    case 'xor-8a':
      return new Xor8aBoard(bus, config, log);
    case 'kerong-cu':
      return new KerongCuBoard(bus, config, log);
    case 'modbus-relay':
      return new ModbusRelayBoard(bus, config, log);
    default:
      try {
        return assertNever(config.protocol, 'board protocol');
      } catch (cause) {
        throw new DriverError('unsupported', `unknown board protocol "${String(config.protocol)}"; supported: ${BOARD_PROTOCOLS.join(', ')}`, { board: config.address }, { cause });
      }
  }
}

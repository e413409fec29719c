/**
 * Public surface of src/drivers: what src/main may use. Everything else in
 * this folder is internal.
 */
export { CabinetHardware } from './cabinet-hardware.js';
export type {
  CabinetHardwareEvents, CabinetHardwareOptions, HardwareDiagnostics, HardwareFault, OpenOutcome, OpenOutcomeKind, SerialOptions,
} from './cabinet-hardware.js';
export type {
  BoardFault, DoorClosedEvent, DoorForcedEvent, DoorLeftOpenEvent, DoorOpenedEvent, SupervisionOptions,
} from './door-supervisor.js';
export { SUPERVISION_DEFAULTS } from './door-supervisor.js';
export { DEFAULT_BAUD_RATES } from './lock-board.js';
export type { BoardConfig, FeedbackPolarity, LockBoard, OpenResult, ReadOptions, StatusByteOrder } from './lock-board.js';
export { DRIVER_ERROR_CODES, DriverError, isDriverError } from './errors.js';
export type { DriverErrorCode, DriverErrorMeta } from './errors.js';
export { listSerialPorts } from './transport/discovery.js';
export type { ListedPort, ListSerialPortsOptions } from './transport/discovery.js';
export type { SerialBinding, SerialSettings } from './transport/port-opener.js';
export { REPLY_TIMEOUT_MS, OPEN_ALL_TIMEOUT_MS, QUIET_MS, READ_RETRIES } from './transport/serial-bus.js';
export type { BusStats } from './transport/serial-bus.js';
export { startSimulator } from './simulator/start-simulator.js';
export type { SimulatorHandle, StartSimulatorOptions } from './simulator/start-simulator.js';
export { BoardModel } from './simulator/board-model.js';
export type { SimBoardSpec } from './simulator/board-model.js';
export { BoardSimulator, FAULT_KINDS } from './simulator/board-simulator.js';
export type { FaultKind, FaultOptions, SimFrameEvent, SimPulseEvent } from './simulator/board-simulator.js';
export { socatAvailable } from './simulator/pty.js';
export { scanBus, protocolsSeen, SCAN_ADDRESSES, SCAN_BAUD_RATES, SCAN_REPLY_TIMEOUT_MS } from './scan.js';
export type { ScanHit, ScanOptions, ScanResult } from './scan.js';
export { classifyPortError } from './transport/port-opener.js';
export type { PortErrorKind } from './transport/port-opener.js';

/**
 * The seam between the agent's port opener and the in-process simulator when
 * no PTY is available. @serialport/binding-mock has no device hook (§F.3,
 * serialport#2734), so the mock link parks a `MockDevice` on the mock port's
 * own record (shared by every binding opened on that path) under this key,
 * and the opener connects it when it opens the path: written bytes go to the
 * device, the device answers through `emitData` on the agent's binding.
 */
export const MOCK_DEVICE_KEY: unique symbol = Symbol.for('cabinet-kiosk/drivers/mock-device') as never;

export interface MockDeviceLink {
  /** Bytes the "board" sends: they arrive on the agent's port as `data`. */
  emit(data: Buffer): void;
  /** Closes the agent's port the way a USB unplug does (`close` with `disconnected`). */
  unplug(reason: string): void;
}

export interface MockDevice {
  /** False while "unplugged": opening the path then fails like a missing device. */
  readonly present: boolean;
  /** Called on every open of the path; returns the listener for bytes the agent writes. */
  connect(link: MockDeviceLink): (written: Buffer) => void;
}

export type WithMockDevice = { [MOCK_DEVICE_KEY]?: MockDevice };

import { randomUUID } from 'node:crypto';
import { SerialPortMock } from 'serialport';
import { MOCK_DEVICE_KEY, type MockDevice, type MockDeviceLink, type WithMockDevice } from '../transport/mock-device.js';
import type { BoardSimulator } from './board-simulator.js';

export interface MockLink {
  /** Open this with `binding: 'mock'`. */
  path: string;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The in-process fallback when socat is missing (docs/lock-boards.md §F.3): a mock port the
 * agent opens through SerialPortMock, with the simulator answering through
 * the device hook of transport/mock-device.ts. Uses SerialPortMock.binding
 * (the CJS registry SerialPortMock opens from), never an ESM import of
 * @serialport/binding-mock, which would be a second, separate registry.
 */
export async function createMockLink(sim: BoardSimulator, path = `/dev/cabinet-kiosk-sim-${randomUUID().slice(0, 8)}`): Promise<MockLink> {
  const binding = SerialPortMock.binding;
  binding.createPort(path);
  let present = true;
  let link: MockDeviceLink | undefined;
  const device: MockDevice = {
    get present() {
      return present;
    },
    connect(next) {
      link = next;
      sim.attach({ write: (data) => link?.emit(data), unplug: () => api.unplug(), replug: () => api.replug() });
      return (written) => sim.receive(written);
    },
  };
  // The port record is shared by every binding opened on the path; a
  // lock-free open is the only public way to reach it.
  const opened = await binding.open({ path, baudRate: 9600, lock: false });
  (opened.port as WithMockDevice)[MOCK_DEVICE_KEY] = device;
  await opened.close();
  const api: MockLink = {
    path,
    async unplug() {
      present = false;
      link?.unplug('simulated USB unplug');
      link = undefined;
    },
    async replug() {
      present = true;
    },
    async close() {
      present = false;
      link?.unplug('simulator closed');
      link = undefined;
      sim.detach();
    },
  };
  return api;
}

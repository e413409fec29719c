import { ElectronKioskClient, isElectronBridge } from './electron-client.js';
import type { KioskTransport } from './kiosk-api.js';
import { takeLaunchToken } from './token.js';
import { WsKioskClient } from './ws-client.js';

/** The contract path browser mode serves the WebSocket on. */
export const CONTRACT_PATH = '/contract';

const warn = (message: string, detail?: unknown) => console.warn(message, detail);

/** Electron when the preload exposed `window.cabinetKiosk`, else browser mode over a WebSocket. */
export function createApi(): KioskTransport {
  const bridge: unknown = Reflect.get(window, 'cabinetKiosk');
  if (isElectronBridge(bridge)) return new ElectronKioskClient(bridge, warn);
  const token = takeLaunchToken(window.location, window.history);
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return new WsKioskClient({ url: `${scheme}://${window.location.host}${CONTRACT_PATH}`, token, WebSocketImpl: WebSocket, warn }).start();
}

import { ElectronKioskClient, isElectronBridge } from './electron-client.js';
import type { KioskTransport } from './kiosk-api.js';
import { BROWSER_CONTRACT_PATH } from '../../shared/contract.js';
import { sessionStoreOver } from './session-store.js';
import { takeLaunchTicket } from './token.js';
import { WsKioskClient } from './ws-client.js';

/** The contract path browser mode serves the WebSocket on. */
export const CONTRACT_PATH = BROWSER_CONTRACT_PATH;

const warn = (message: string, detail?: unknown) => console.warn(message, detail);

/** Electron when the preload exposed `window.cabinetKiosk`, else browser mode over a WebSocket. */
export function createApi(): KioskTransport {
  const bridge: unknown = Reflect.get(window, 'cabinetKiosk');
  if (isElectronBridge(bridge)) return new ElectronKioskClient(bridge, warn);
  const ticket = takeLaunchTicket(window.location, window.history);
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const session = sessionStoreOver(storageOrNull());
  return new WsKioskClient({ url: `${scheme}://${window.location.host}${CONTRACT_PATH}`, ticket, session, WebSocketImpl: WebSocket, warn }).start();
}

/** Reading `window.sessionStorage` itself throws where the profile refuses storage. */
function storageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

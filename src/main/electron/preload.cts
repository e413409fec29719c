/*
 * The kiosk window's preload. CommonJS on purpose: a sandboxed preload can
 * load neither ESM nor any module but `electron` (and a few builtins), so it
 * imports nothing from this repo. The channel names therefore repeat the
 * contract's IPC_CALL_CHANNEL / IPC_EVENT_CHANNEL / IPC_LINK_CHANNEL; preload.test.ts holds them equal.
 *
 * The page gets `window.cabinetKiosk` and nothing else: never ipcRenderer,
 * never an IpcRendererEvent (its `sender` would hand the page the raw IPC).
 */
import electron = require('electron');

const CALL_CHANNEL = 'kiosk:call';
const EVENT_CHANNEL = 'kiosk:event';
const LINK_CHANNEL = 'kiosk:link';

interface CabinetKioskBridge {
  /** Sends one `{ id, name, input }` call; resolves with its result (`{ ok, value }` or `{ ok: false, error }`), unparsed. */
  call(envelope: unknown): Promise<unknown>;
  /** Receives every pushed event until the returned function is called. */
  onEvent(listener: (event: unknown) => void): () => void;
  /** Whether the shell's link to the agent is up now (main answers). */
  linkState(): Promise<unknown>;
  /** Told on each change of the link until the returned function is called. */
  onLink(listener: (connected: unknown) => void): () => void;
}

const bridge: CabinetKioskBridge = {
  call(envelope) {
    // Cheap shape check only: main parses the envelope strictly. A bad one is
    // answered like main would, so the page has one path for refusals.
    if (!isEnvelope(envelope)) return Promise.resolve({ ok: false, error: { code: 'bad-request', message: 'a call is { id, name, input }' } });
    return electron.ipcRenderer.invoke(CALL_CHANNEL, envelope);
  },
  onEvent(listener) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const relay = (_event: electron.IpcRendererEvent, payload: unknown) => listener(payload);
    electron.ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      electron.ipcRenderer.removeListener(EVENT_CHANNEL, relay);
    };
  },
  linkState() {
    return electron.ipcRenderer.invoke(LINK_CHANNEL);
  },
  onLink(listener) {
    if (typeof listener !== 'function') throw new TypeError('onLink needs a function');
    const relay = (_event: electron.IpcRendererEvent, connected: unknown) => listener(connected);
    electron.ipcRenderer.on(LINK_CHANNEL, relay);
    return () => {
      electron.ipcRenderer.removeListener(LINK_CHANNEL, relay);
    };
  },
};

function isEnvelope(value: unknown): value is { id: number; name: string } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { id?: unknown; name?: unknown };
  return typeof v.id === 'number' && typeof v.name === 'string';
}

electron.contextBridge.exposeInMainWorld('cabinetKiosk', bridge);

import type { BrowserWindow, IpcMain } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/contract.js';
import { isTrustedSender } from './ipc-guard.js';
import type { ShellLog } from './shell-log.js';

/** The part of AgentLink (agent-link.ts) the bridge needs: the agent's contract, over its WebSocket. */
export interface ContractLink {
  call(envelope: unknown): Promise<unknown>;
  onEvent(sink: (event: unknown) => void): () => void;
  /** Ends the agent-side session (its staff login) and opens a new one. */
  reset(): void;
}

/** What an untrusted sender gets back: the contract's own refusal, and nothing about why. */
export const NOT_AUTHORISED_RESULT = { ok: false, error: { code: 'not-authorised' } } as const;

export interface ContractBridge {
  /** Drops the current session (and its staff login) and opens a fresh one. */
  reset(): void;
  close(): void;
}

/**
 * Relays the contract between the kiosk window and the agent: calls in on
 * `kiosk:call` (from the window's own app frames only) go out over the
 * agent link, pushed events come back on `kiosk:event`. The shell holds no
 * agent: it parses nothing and decides nothing, the agent does both. An IPC
 * reply is the call's result (`{ ok, value }` or `{ ok: false, error }`):
 * `invoke` pairs it with its call (the renderer's ElectronBridge expects
 * exactly this). A crash or a reload of the page resets the agent-side
 * session, so a staff login never outlives the page it was made on.
 */
export function bridgeContract(deps: { ipcMain: IpcMain; window: BrowserWindow; link: ContractLink; log: ShellLog }): ContractBridge {
  const { ipcMain, window, link, log } = deps;
  const contents = window.webContents;
  const windowContentsId = contents.id;
  const unsubscribe = link.onEvent((event) => {
    if (window.isDestroyed() || contents.isDestroyed() || contents.isCrashed()) return;
    contents.send(IPC_EVENT_CHANNEL, event);
  });
  const reset = () => link.reset();

  ipcMain.handle(IPC_CALL_CHANNEL, (event, envelope: unknown) => {
    const frame = event.senderFrame;
    if (!isTrustedSender(frame, windowContentsId, event.sender.id)) {
      log.warn({ senderId: event.sender.id, frameUrl: frame?.url ?? null }, 'refused a contract call from an untrusted sender');
      return NOT_AUTHORISED_RESULT;
    }
    return link.call(envelope);
  });
  contents.on('render-process-gone', reset);
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) reset();
  });

  return {
    reset,
    close: () => {
      ipcMain.removeHandler(IPC_CALL_CHANNEL);
      unsubscribe();
    },
  };
}

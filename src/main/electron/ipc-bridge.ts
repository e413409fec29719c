import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, IPC_LINK_CHANNEL } from '../../shared/contract.js';
import { isTrustedSender } from './ipc-guard.js';
import type { ShellLog } from './shell-log.js';

/** The part of AgentLink (agent-link.ts) the bridge needs: the agent's contract, over its WebSocket. */
export interface ContractLink {
  call(envelope: unknown): Promise<unknown>;
  onEvent(sink: (event: unknown) => void): () => void;
  /** Ends the agent-side session (its staff login) and opens a new one. */
  reset(): void;
  /** Whether a connection to the agent is open now. */
  readonly connected: boolean;
  /** Told on each change of `connected`; returns the unsubscribe. */
  onLinkChange(sink: (connected: boolean) => void): () => void;
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
 * agent link, pushed events come back on `kiosk:event`, and whether the
 * link is up goes out on `kiosk:link` (so the screen can say "out of
 * service" while the agent is away). The shell holds no
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
  const offLink = link.onLinkChange((connected) => {
    if (window.isDestroyed() || contents.isDestroyed() || contents.isCrashed()) return;
    contents.send(IPC_LINK_CHANNEL, connected);
  });
  const reset = () => link.reset();
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (isTrustedSender(frame, windowContentsId, event.sender.id)) return true;
    log.warn({ senderId: event.sender.id, frameUrl: frame?.url ?? null }, 'refused a contract call from an untrusted sender');
    return false;
  };

  ipcMain.handle(IPC_CALL_CHANNEL, (event, envelope: unknown) => (trusted(event) ? link.call(envelope) : NOT_AUTHORISED_RESULT));
  ipcMain.handle(IPC_LINK_CHANNEL, (event) => trusted(event) && link.connected);
  contents.on('render-process-gone', reset);
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) reset();
  });

  return {
    reset,
    close: () => {
      ipcMain.removeHandler(IPC_CALL_CHANNEL);
      ipcMain.removeHandler(IPC_LINK_CHANNEL);
      unsubscribe();
      offLink();
    },
  };
}

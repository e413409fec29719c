import type { BrowserWindow, IpcMain } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type PushedEvent } from '../../shared/contract.js';
import type { ContractSession, EventSink } from '../ui/contract-host.js';
import { isTrustedSender } from './ipc-guard.js';
import type { ShellLog } from './shell-log.js';

/** The part of ContractHost the bridge needs. */
export interface SessionSource {
  openSession(sink: EventSink): ContractSession;
}

/** What an untrusted sender gets back: the contract's own refusal, and nothing about why. */
export const NOT_AUTHORISED_RESULT = { ok: false, error: { code: 'not-authorised' } } as const;

export interface ContractBridge {
  /** Drops the current session (and its staff login) and opens a fresh one. */
  reset(): void;
  close(): void;
}

/**
 * Carries the contract between the kiosk window and the agent: calls in on
 * `kiosk:call` (from the window's own app frames only), pushed events out on
 * `kiosk:event`. An IPC reply is the call's result (`{ ok, value }` or
 * `{ ok: false, error }`): `invoke` pairs it with its call, so the envelope id
 * has no job here (the renderer's ElectronBridge expects exactly this).
 * One ContractSession per loaded page: a crash or a reload starts a new one,
 * so a staff login never outlives the page it was made on.
 */
export function bridgeContract(deps: { ipcMain: IpcMain; window: BrowserWindow; host: SessionSource; log: ShellLog }): ContractBridge {
  const { ipcMain, window, host, log } = deps;
  const contents = window.webContents;
  const windowContentsId = contents.id;
  const send = (event: PushedEvent) => {
    if (window.isDestroyed() || contents.isDestroyed() || contents.isCrashed()) return;
    contents.send(IPC_EVENT_CHANNEL, event);
  };
  let session = host.openSession(send);
  const reset = () => {
    session.close();
    session = host.openSession(send);
  };

  ipcMain.handle(IPC_CALL_CHANNEL, (event, envelope: unknown) => {
    const frame = event.senderFrame;
    if (!isTrustedSender(frame, windowContentsId, event.sender.id)) {
      log.warn({ senderId: event.sender.id, frameUrl: frame?.url ?? null }, 'refused a contract call from an untrusted sender');
      return NOT_AUTHORISED_RESULT;
    }
    return session.handle(envelope).then((reply) => reply.result);
  });
  contents.on('render-process-gone', reset);
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) reset();
  });

  return {
    reset,
    close: () => {
      ipcMain.removeHandler(IPC_CALL_CHANNEL);
      session.close();
    },
  };
}

import { isAppUrl } from './window-options.js';

/**
 * Whether an IPC call may reach the contract: it must come from the kiosk
 * window's own webContents, from a frame showing the app (`app://kiosk/…`).
 * A null frame (navigated away or destroyed mid-call) is refused.
 */
export function isTrustedSender(frame: { url: string } | null, expectedWebContentsId: number, actualWebContentsId: number): boolean {
  return frame !== null && expectedWebContentsId === actualWebContentsId && isAppUrl(frame.url);
}

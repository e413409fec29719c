import type { Session, WebContents } from 'electron';
import type { ShellLog } from './shell-log.js';
import { isAppUrl } from './window-options.js';

/**
 * Applied to every webContents Electron creates (`web-contents-created`), not
 * only the kiosk window's: no new windows, no navigation off the app, no
 * <webview>. A refused attempt is logged: on a cabinet it means a bug or
 * someone probing the screen.
 */
export function hardenWebContents(contents: WebContents, log: () => ShellLog): void {
  contents.setWindowOpenHandler(({ url }) => {
    log().warn({ url }, 'refused to open a window');
    return { action: 'deny' };
  });
  const stayOnApp = (kind: string) => (event: { url: string; preventDefault(): void }) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    log().warn({ url: event.url, kind }, 'refused to leave the app');
  };
  contents.on('will-navigate', stayOnApp('navigate'));
  contents.on('will-frame-navigate', stayOnApp('frame-navigate'));
  contents.on('will-redirect', stayOnApp('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log().warn({}, 'refused to attach a webview');
  });
}

/** Only a network request the page could make: the app scheme is served by protocol.handle, not the network. */
const NETWORK_URLS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'];

/**
 * The kiosk's session grants nothing: no camera, microphone, geolocation,
 * notifications, and no WebSerial/WebUSB/WebHID device (the lock boards hang
 * off a serial port the agent owns). Network requests from the page are
 * cancelled as a second wall behind the CSP.
 */
export function lockDownSession(session: Session, log: () => ShellLog): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log().warn({ permission }, 'refused a permission request');
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest({ urls: NETWORK_URLS }, (details, callback) => {
    log().warn({ url: details.url }, 'refused a network request from the page');
    callback({ cancel: true });
  });
}

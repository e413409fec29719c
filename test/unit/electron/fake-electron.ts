import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import type { ElectronMain } from '../../../src/main/electron/main.js';

/**
 * Just enough of Electron's main-process API for main.ts, recording what the
 * shell asks of it. Events are plain EventEmitters: a test emits what
 * Electron would.
 */

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  readonly send = vi.fn((_channel: string, ..._args: unknown[]) => undefined);
  readonly toggleDevTools = vi.fn();
  readonly setVisualZoomLevelLimits = vi.fn(async (_min: number, _max: number) => undefined);
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly setWindowOpenHandler = vi.fn((handler: (details: { url: string }) => { action: string }) => {
    this.windowOpenHandler = handler;
  });
  destroyed = false;
  crashed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isCrashed(): boolean {
    return this.crashed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  minimized = false;
  destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

type InvokeListener = (event: unknown, ...args: unknown[]) => unknown;
type ProtocolHandler = (request: Request) => Response | Promise<Response>;

export function fakeElectron(opts: { singleInstance?: boolean; isPackaged?: boolean } = {}) {
  FakeBrowserWindow.created = [];
  const app = Object.assign(new EventEmitter(), {
    isPackaged: opts.isPackaged ?? false,
    requestSingleInstanceLock: vi.fn(() => opts.singleInstance ?? true),
    whenReady: vi.fn(async () => undefined),
    quit: vi.fn(),
    exit: vi.fn(),
    relaunch: vi.fn(),
    disableHardwareAcceleration: vi.fn(),
  });
  const ipcHandlers = new Map<string, InvokeListener>();
  const ipcMain = {
    handle: vi.fn((channel: string, listener: InvokeListener) => void ipcHandlers.set(channel, listener)),
    removeHandler: vi.fn((channel: string) => void ipcHandlers.delete(channel)),
  };
  const protocolHandlers = new Map<string, ProtocolHandler>();
  const protocol = {
    registerSchemesAsPrivileged: vi.fn(),
    handle: vi.fn((scheme: string, handler: ProtocolHandler) => void protocolHandlers.set(scheme, handler)),
  };
  const defaultSession = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onBeforeRequest: vi.fn() },
  };
  const powerSaveBlocker = { start: vi.fn((_type: string) => 42), stop: vi.fn(), isStarted: vi.fn(() => true) };
  const Menu = { setApplicationMenu: vi.fn() };
  const crashReporter = { start: vi.fn() };
  const electron = { app, BrowserWindow: FakeBrowserWindow, ipcMain, protocol, session: { defaultSession }, powerSaveBlocker, Menu, crashReporter };
  return {
    ...electron,
    ipcHandlers,
    protocolHandlers,
    defaultSession,
    /** The fake, typed as what main.ts takes. */
    api: electron as unknown as ElectronMain,
    window: () => {
      const win = FakeBrowserWindow.created[0];
      if (!win) throw new Error('no BrowserWindow was created');
      return win;
    },
  };
}

export type FakeElectron = ReturnType<typeof fakeElectron>;

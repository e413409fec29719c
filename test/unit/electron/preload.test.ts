import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Script } from 'node:vm';
import ts from 'typescript';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, IPC_LINK_CHANNEL } from '../../../src/shared/contract.js';

/**
 * The preload as the build emits it (the repo's tsconfig, through the
 * TypeScript API), run the way Electron runs a sandboxed preload: wrapped in a
 * function whose `require` knows only 'electron', in a context with no Node.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const preloadSource = join(root, 'src/main/electron/preload.cts');
let emitted: { file: string; code: string };

beforeAll(() => {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('tsconfig.json did not parse');
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const source = program.getSourceFile(preloadSource);
  // tsconfig.json includes src/**/*.cts for exactly this file.
  if (!source) throw new Error(`${preloadSource} is not part of the tsconfig.json build`);
  const outputs: Array<{ file: string; code: string }> = [];
  const result = program.emit(source, (file, code) => {
    if (file.endsWith('.cjs')) outputs.push({ file, code });
  });
  const errors = [...ts.getPreEmitDiagnostics(program, source), ...result.diagnostics];
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
  emitted = outputs[0]!;
}, 60_000);

type Listener = (...args: unknown[]) => void;

function loadPreload() {
  const required: string[] = [];
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<Listener>>();
  const ipcRenderer = {
    invoke: vi.fn(async (_channel: string, _envelope: unknown) => ({ ok: true, value: null })),
    on: vi.fn((channel: string, listener: Listener) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
      return ipcRenderer;
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    }),
  };
  const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) }, ipcRenderer };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  // Electron's own wrapper for sandboxed preloads (lib/sandboxed_renderer/init.ts).
  const wrapped = new Script(`(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {\n${emitted.code}\n})`, { filename: 'preload.cjs' });
  const run = wrapped.runInNewContext({}) as (...args: unknown[]) => void;
  const module = { exports: {} };
  run(sandboxRequire, {}, undefined, {}, undefined, undefined, module.exports, module);
  const deliver = (channel: string, ...args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener(...args);
  };
  return { required, exposed, listeners, ipcRenderer, deliver };
}

interface Bridge {
  call(envelope: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  linkState(): Promise<unknown>;
  onLink(listener: (connected: unknown) => void): () => void;
}

const bridgeOf = (loaded: ReturnType<typeof loadPreload>) => loaded.exposed.get('cabinetKiosk') as Bridge;

describe('compiled preload', () => {
  it('is emitted by the build as dist/main/electron/preload.cjs', () => {
    expect(emitted.file).toBe(join(root, 'dist/main/electron/preload.cjs'));
  });

  it('is CommonJS that requires nothing but electron', () => {
    expect(emitted.code).not.toMatch(/^\s*(import|export)\b/m);
    expect(emitted.code).not.toMatch(/\bimport\s*\(/);
    expect([...emitted.code.matchAll(/\brequire\(([^)]*)\)/g)].map((m) => m[1])).toEqual(['"electron"']);
    expect(loadPreload().required).toEqual(['electron']);
  });
});

describe('window.cabinetKiosk', () => {
  it('is the only thing exposed, with exactly call, onEvent, linkState and onLink', () => {
    const loaded = loadPreload();
    expect([...loaded.exposed.keys()]).toEqual(['cabinetKiosk']);
    expect(Object.keys(bridgeOf(loaded)).sort()).toEqual(['call', 'linkState', 'onEvent', 'onLink']);
  });

  it('linkState invokes the link channel; onLink hands the listener the state only and unsubscribes', async () => {
    const loaded = loadPreload();
    await bridgeOf(loaded).linkState();
    expect(loaded.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_LINK_CHANNEL);
    const seen: unknown[][] = [];
    const off = bridgeOf(loaded).onLink((...args: unknown[]) => void seen.push(args));
    loaded.deliver(IPC_LINK_CHANNEL, { sender: loaded.ipcRenderer, senderId: 0, ports: [] }, true);
    off();
    loaded.deliver(IPC_LINK_CHANNEL, {}, false);
    expect(seen).toEqual([[true]]);
    expect(() => bridgeOf(loaded).onLink('nope' as never)).toThrow(/function/);
  });

  it('call invokes the contract channel and resolves with main’s answer, the result', async () => {
    const loaded = loadPreload();
    const envelope = { id: 4, name: 'session.info', input: {} };
    const reply = await bridgeOf(loaded).call(envelope);
    expect(loaded.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_CALL_CHANNEL, envelope);
    expect(reply).toEqual({ ok: true, value: null });
  });

  it.each([null, 'pickup', 42, { name: 'pickup' }, { id: '1', name: 'pickup' }, { id: 1 }, { id: 1, name: 7 }])('answers a malformed call %j as main would, without sending it', async (bad) => {
    const loaded = loadPreload();
    const reply = await bridgeOf(loaded).call(bad);
    expect(loaded.ipcRenderer.invoke).not.toHaveBeenCalled();
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('onEvent hands the listener the payload only, never the IPC event', () => {
    const loaded = loadPreload();
    const seen: unknown[][] = [];
    bridgeOf(loaded).onEvent((...args: unknown[]) => void seen.push(args));
    expect(loaded.ipcRenderer.on).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, expect.any(Function));
    const ipcEvent = { sender: loaded.ipcRenderer, senderId: 0, ports: [] };
    loaded.deliver(IPC_EVENT_CHANNEL, ipcEvent, { type: 'staff-ended' });
    expect(seen).toEqual([[{ type: 'staff-ended' }]]);
  });

  it('onEvent returns an unsubscribe that removes exactly its listener', () => {
    const loaded = loadPreload();
    const a = vi.fn();
    const b = vi.fn();
    const offA = bridgeOf(loaded).onEvent(a);
    bridgeOf(loaded).onEvent(b);
    offA();
    expect(loaded.listeners.get(IPC_EVENT_CHANNEL)?.size).toBe(1);
    loaded.deliver(IPC_EVENT_CHANNEL, {}, { type: 'staff-ended' });
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledWith({ type: 'staff-ended' });
  });

  it('onEvent refuses a non-function', () => {
    expect(() => bridgeOf(loadPreload()).onEvent('nope' as never)).toThrow(/function/);
  });
});

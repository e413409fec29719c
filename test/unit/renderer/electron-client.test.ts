import { describe, expect, it, vi } from 'vitest';
import type { CallEnvelope, PushedEvent } from '../../../src/shared/contract.js';
import { ElectronKioskClient, isElectronBridge } from '../../../src/renderer/api/electron-client.js';
import { takeLaunchTicket } from '../../../src/renderer/api/token.js';

function fakeBridge(answer: (e: CallEnvelope) => unknown, link: { state: () => Promise<unknown> } = { state: async () => true }) {
  let listener: ((event: unknown) => void) | null = null;
  const linkListeners = new Set<(connected: unknown) => void>();
  const calls: CallEnvelope[] = [];
  return {
    calls,
    emit: (event: unknown) => listener?.(event),
    setLink: (connected: unknown) => linkListeners.forEach((l) => l(connected)),
    linkListeners,
    bridge: {
      linkState: () => link.state(),
      onLink: (l: (connected: unknown) => void) => {
        linkListeners.add(l);
        return () => void linkListeners.delete(l);
      },
      call: async (envelope: CallEnvelope) => {
        calls.push(envelope);
        return answer(envelope);
      },
      onEvent: (l: (event: unknown) => void) => {
        listener = l;
        return () => {
          listener = null;
        };
      },
    },
  };
}

describe('Electron bridge client', () => {
  it('recognises the preload object', () => {
    expect(isElectronBridge(fakeBridge(() => null).bridge)).toBe(true);
    expect(isElectronBridge(undefined)).toBe(false);
    expect(isElectronBridge({ call: () => {} })).toBe(false);
  });

  it('sends envelopes with increasing ids and parses results', async () => {
    const f = fakeBridge((e) => (e.name === 'keypad.activity' ? { ok: true, value: null } : { ok: true, value: 'not an overview' }));
    const client = new ElectronKioskClient(f.bridge, () => {});
    await expect(client.call('keypad.activity', {})).resolves.toEqual({ ok: true, value: null });
    const bad = await client.call('cabinet.overview', {});
    expect(bad).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(f.calls.map((c) => c.id)).toEqual([1, 2]);
    expect(f.calls[0]).toEqual({ id: 1, name: 'keypad.activity', input: {} });
  });

  it('turns a rejected IPC call into agent-busy', async () => {
    const f = fakeBridge(() => {
      throw new Error('No handler registered');
    });
    const warn = vi.fn();
    const client = new ElectronKioskClient(f.bridge, warn);
    await expect(client.call('session.info', {})).resolves.toEqual({ ok: false, error: { code: 'agent-busy' } });
    expect(warn).toHaveBeenCalled();
  });

  it('passes valid events, drops malformed ones, and unsubscribes', () => {
    const f = fakeBridge(() => null);
    const warn = vi.fn();
    const client = new ElectronKioskClient(f.bridge, warn);
    const seen: PushedEvent[] = [];
    const off = client.onEvent((e) => seen.push(e));
    f.emit({ type: 'staff-ended' });
    f.emit({ type: 'nonsense' });
    off();
    f.emit({ type: 'staff-ended' });
    expect(seen).toEqual([{ type: 'staff-ended' }]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('reports the shell\'s link to the agent: connecting, then its state, then each change; unsubscribes', async () => {
    const f = fakeBridge(() => null, { state: async () => false });
    const client = new ElectronKioskClient(f.bridge, () => {});
    const states: string[] = [];
    const off = client.onStatus((s) => states.push(s));
    expect(states).toEqual(['connecting']);
    await Promise.resolve();
    await Promise.resolve();
    expect(states).toEqual(['connecting', 'reconnecting']);
    f.setLink(true);
    f.setLink(false);
    expect(states).toEqual(['connecting', 'reconnecting', 'open', 'reconnecting']);
    off();
    expect(f.linkListeners.size).toBe(0);
  });

  it('takes a pushed change over a late answer, and a failed read as down', async () => {
    let answer!: (v: unknown) => void;
    const f = fakeBridge(() => null, { state: () => new Promise((resolve) => (answer = resolve)) });
    const states: string[] = [];
    new ElectronKioskClient(f.bridge, () => {}).onStatus((s) => states.push(s));
    f.setLink(true);
    answer(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(states).toEqual(['connecting', 'open']);

    const warn = vi.fn();
    const failing = fakeBridge(() => null, { state: () => Promise.reject(new Error('No handler registered')) });
    const seen: string[] = [];
    new ElectronKioskClient(failing.bridge, warn).onStatus((s) => seen.push(s));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual(['connecting', 'reconnecting']);
    expect(warn).toHaveBeenCalled();
  });
});

describe('launch ticket', () => {
  it('reads #ticket=… and removes it from the address bar', () => {
    const replaceState = vi.fn();
    expect(takeLaunchTicket({ hash: '#ticket=abc-DEF_123', pathname: '/', search: '' }, { replaceState })).toBe('abc-DEF_123');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
  });

  it('keeps the path and query, and leaves the address alone without a ticket', () => {
    const replaceState = vi.fn();
    expect(takeLaunchTicket({ hash: '#ticket=t&x=1', pathname: '/index.html', search: '?a=b' }, { replaceState })).toBe('t');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/index.html?a=b');
    replaceState.mockClear();
    expect(takeLaunchTicket({ hash: '', pathname: '/', search: '' }, { replaceState })).toBeNull();
    expect(takeLaunchTicket({ hash: '#other=1', pathname: '/', search: '' }, { replaceState })).toBeNull();
    // The old session-token fragment is not a ticket.
    expect(takeLaunchTicket({ hash: '#token=abc', pathname: '/', search: '' }, { replaceState })).toBeNull();
    expect(replaceState).not.toHaveBeenCalled();
  });
});

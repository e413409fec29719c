import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { countDumps, RELAUNCH_EXIT_CODE, ScreenRecovery } from '../../../src/main/electron/screen-recovery-host.js';
import {
  decideRecovery, initialState, isCrash, MAX_GPU_CRASHES, MAX_RELAUNCHES, MAX_RELOADS, parseState, RECOVERY_FILE, WINDOW_MS, type RecoveryState,
} from '../../../src/main/electron/screen-recovery.js';

const T0 = 1_800_000_000_000;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ck-recovery-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Feeds deaths one after another, returning each action. */
function run(deaths: Array<['renderer' | 'gpu', number]>, state: RecoveryState = initialState('1.0.0')) {
  const actions = [];
  for (const [process, at] of deaths) {
    const next = decideRecovery(state, process, 'crashed', at);
    actions.push(next.action);
    state = next.state;
  }
  return { actions, state };
}

describe('decideRecovery: the renderer', () => {
  it('reloads up to MAX_RELOADS times in the window, waiting longer each time', () => {
    const { actions } = run(Array.from({ length: MAX_RELOADS }, (_, i) => ['renderer', T0 + i * 1_000] as ['renderer', number]));
    expect(actions).toEqual([{ kind: 'reload', delayMs: 1_000 }, { kind: 'reload', delayMs: 2_000 }, { kind: 'reload', delayMs: 4_000 }]);
  });

  it('past that, falls back to software rendering (persisted in the state) and relaunches', () => {
    const { actions, state } = run(Array.from({ length: MAX_RELOADS + 1 }, (_, i) => ['renderer', T0 + i * 1_000] as ['renderer', number]));
    expect(actions.at(-1)).toEqual({ kind: 'software-rendering' });
    expect(state.softwareRendering).toBe(true);
    expect(state.softwareSince).toBe(T0 + MAX_RELOADS * 1_000);
    expect(state.softwareReason).toMatch(/^renderer gone 4 times in 10 min \(last: crashed\)$/);
    expect(state.relaunches).toHaveLength(1);
  });

  it('already in software: relaunches at most MAX_RELAUNCHES times per window, then only reloads at a slow step', () => {
    let state: RecoveryState = { ...initialState('1.0.0'), softwareRendering: true };
    const kinds: string[] = [];
    for (let i = 0; i < (MAX_RELOADS + 1) * (MAX_RELAUNCHES + 1); i++) {
      const next = decideRecovery(state, 'renderer', 'crashed', T0 + i * 1_000);
      kinds.push(next.action.kind);
      state = next.state;
    }
    expect(kinds.filter((k) => k === 'relaunch')).toHaveLength(MAX_RELAUNCHES);
    expect(kinds.filter((k) => k === 'software-rendering')).toHaveLength(0);
    expect(kinds.at(-1)).toBe('reload');
    const last = decideRecovery(state, 'renderer', 'crashed', T0 + 60_000);
    expect(last.action).toEqual({ kind: 'reload', delayMs: 60_000 });
  });

  it('forgets crashes older than the window', () => {
    const { actions } = run(Array.from({ length: 8 }, (_, i) => ['renderer', T0 + i * (WINDOW_MS + 1)] as ['renderer', number]));
    expect(actions.every((a) => a.kind === 'reload' && a.delayMs === 1_000)).toBe(true);
  });
});

describe('decideRecovery: the GPU process', () => {
  it('leaves a GPU death to Chromium until MAX_GPU_CRASHES in the window, then software rendering', () => {
    const { actions, state } = run(Array.from({ length: MAX_GPU_CRASHES }, (_, i) => ['gpu', T0 + i * 60_000] as ['gpu', number]));
    expect(actions.slice(0, -1).every((a) => a.kind === 'none')).toBe(true);
    expect(actions.at(-1)).toEqual({ kind: 'software-rendering' });
    expect(state.softwareReason).toMatch(/^GPU process gone 3 times/);
    // In software there is no GPU to fall back from.
    expect(run([['gpu', T0 + 200_000], ['gpu', T0 + 201_000], ['gpu', T0 + 202_000]], state).actions.map((a) => a.kind)).toEqual(['none', 'none', 'none']);
  });

  it('spread-out GPU deaths never switch', () => {
    expect(run(Array.from({ length: 6 }, (_, i) => ['gpu', T0 + i * WINDOW_MS] as ['gpu', number])).state.softwareRendering).toBe(false);
  });
});

describe('state file and reasons', () => {
  it('reads back what it wrote, and starts fresh from garbage, a damaged file or another version', () => {
    const state = run([['gpu', T0], ['gpu', T0 + 1], ['gpu', T0 + 2]]).state;
    expect(parseState(JSON.stringify(state), '1.0.0')).toEqual(state);
    expect(parseState(JSON.stringify(state), '1.1.0')).toEqual(initialState('1.1.0'));
    expect(parseState('{"version":', '1.0.0')).toEqual(initialState('1.0.0'));
    expect(parseState(JSON.stringify({ ...state, gpu: 'x' }), '1.0.0')).toEqual(initialState('1.0.0'));
    expect(parseState(null, '1.0.0')).toEqual(initialState('1.0.0'));
  });

  it('counts only real crashes', () => {
    expect(isCrash('crashed')).toBe(true);
    expect(isCrash('oom')).toBe(true);
    expect(isCrash('launch-failed')).toBe(true);
    expect(isCrash('clean-exit')).toBe(false);
    expect(isCrash('killed')).toBe(false);
  });
});

describe('ScreenRecovery: the shell acts on the decisions', () => {
  function host(dir: string | undefined, env: NodeJS.ProcessEnv = {}, now = () => T0) {
    const app = { relaunch: vi.fn(), exit: vi.fn() };
    const link = { call: vi.fn(async (_envelope: unknown): Promise<unknown> => ({ ok: true, value: null })) };
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const recovery = new ScreenRecovery({ app, link, log: log as never, env, dir, crashDumpsDir: dir === undefined ? undefined : join(dir, 'Crashpad'), version: '1.0.0', now });
    return { app, link, recovery };
  }
  const settle = () => new Promise((r) => setTimeout(r, 10));

  it('reports every crash to the agent as a summary with the dump count, never the dump', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'Crashpad', 'completed'), { recursive: true });
    writeFileSync(join(dir, 'Crashpad', 'completed', 'a.dmp'), 'x');
    const { link, recovery } = host(dir);
    expect(recovery.processGone('renderer', 'crashed', 139)).toEqual({ delayMs: 1_000 });
    expect(link.call).toHaveBeenCalledWith({ id: 0, name: 'screen.reportCrash', input: { process: 'renderer', reason: 'crashed', exitCode: 139, recovery: 'reload', dumpFiles: 1 } });
    expect(recovery.processGone('renderer', 'clean-exit', 0)).toEqual({ delayMs: 1_000 });
    expect(link.call).toHaveBeenCalledTimes(1);
  });

  it('after GPU deaths, persists software rendering, relaunches itself, and the next start begins in software', async () => {
    const dir = tempDir();
    let t = T0;
    const first = host(dir, {}, () => (t += 1_000));
    for (let i = 0; i < MAX_GPU_CRASHES; i++) expect(first.recovery.processGone('gpu', 'crashed', 11)).toBeNull();
    await settle();
    expect(first.app.relaunch).toHaveBeenCalledTimes(1);
    expect(first.app.exit).toHaveBeenCalledWith(0);
    expect(first.link.call.mock.calls.at(-1)![0]).toMatchObject({ input: { process: 'gpu', recovery: 'software-rendering' } });
    expect(JSON.parse(readFileSync(join(dir, RECOVERY_FILE), 'utf8'))).toMatchObject({ softwareRendering: true, version: '1.0.0' });
    const next = host(dir);
    expect(next.recovery.softwareRendering).toBe(true);
    expect(next.recovery.softwareReason).toMatch(/^GPU process gone/);
  });

  it('under systemd, exits for the unit to restart it instead of relaunching itself', async () => {
    let t = T0;
    const { app, recovery } = host(undefined, { INVOCATION_ID: 'abc' }, () => (t += 1_000));
    for (let i = 0; i <= MAX_RELOADS; i++) recovery.processGone('renderer', 'crashed', 11);
    await settle();
    expect(app.relaunch).not.toHaveBeenCalled();
    expect(app.exit).toHaveBeenCalledWith(RELAUNCH_EXIT_CODE);
  });

  it('countDumps counts minidumps anywhere under the folder, and nothing when there is none', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'pending'), { recursive: true });
    writeFileSync(join(dir, 'pending', 'b.dmp'), '');
    writeFileSync(join(dir, 'settings.dat'), '');
    expect(countDumps(dir)).toBe(1);
    expect(countDumps(join(dir, 'missing'))).toBe(0);
    expect(countDumps(undefined)).toBe(0);
  });
});

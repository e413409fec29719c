import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MAX_RELOAD_DELAY_MS, nextReloadDelay } from './reload-backoff.js';

/**
 * What the kiosk shell does when one of its processes dies: pure decisions
 * over a small persisted history, so a crash loop is bounded across
 * relaunches too. The shell's wiring (kiosk-window.ts, main.ts) only acts.
 *
 *   renderer gone   reload, with a growing delay (reload-backoff.ts), up to
 *                   MAX_RELOADS in WINDOW_MS; past that, a relaunch of the
 *                   whole app (fresh GPU and network processes) while the GPU
 *                   is on: software rendering from then on; when already in
 *                   software, a relaunch at most MAX_RELAUNCHES times in the
 *                   window, and then reloads at the slowest step only.
 *   GPU gone        Chromium starts a new GPU process by itself; after
 *                   MAX_GPU_CRASHES in the window the shell persists
 *                   "software rendering" and relaunches with
 *                   app.disableHardwareAcceleration() (a driver that keeps
 *                   crashing does not get better by retrying).
 *
 * The software-rendering flag stays until a technician removes
 * RECOVERY_FILE (or the shell's version changes: a new build may carry a fixed GPU stack).
 */
export const WINDOW_MS = 10 * 60_000;
export const MAX_RELOADS = 3;
export const MAX_GPU_CRASHES = 3;
export const MAX_RELAUNCHES = 2;
/** In the screen user's userData folder. */
export const RECOVERY_FILE = 'screen-recovery.json';

const stateSchema = z.object({
  version: z.string(),
  softwareRendering: z.boolean(),
  /** When software rendering was chosen, and why. */
  softwareSince: z.number().nullable(),
  softwareReason: z.string().nullable(),
  renderer: z.array(z.number()),
  gpu: z.array(z.number()),
  relaunches: z.array(z.number()),
});

export type RecoveryState = z.infer<typeof stateSchema>;

export type ScreenProcess = 'renderer' | 'gpu';

export type RecoveryAction =
  | { kind: 'reload'; delayMs: number }
  | { kind: 'relaunch' }
  /** Persist the flag, then relaunch with hardware acceleration off. */
  | { kind: 'software-rendering' }
  /** Nothing to do: Chromium brings a GPU process back itself. */
  | { kind: 'none' };

export function initialState(version: string): RecoveryState {
  return { version, softwareRendering: false, softwareSince: null, softwareReason: null, renderer: [], gpu: [], relaunches: [] };
}

/** Reasons that are not a crash: the process ended because we (or the OS at shutdown) asked. */
export function isCrash(reason: string): boolean {
  return reason !== 'clean-exit' && reason !== 'killed';
}

const recent = (times: readonly number[], now: number) => times.filter((t) => now - t < WINDOW_MS);

/** The decision for one death of `process` at `now`, and the state to persist before acting. */
export function decideRecovery(state: RecoveryState, process: ScreenProcess, reason: string, now: number): { action: RecoveryAction; state: RecoveryState } {
  const relaunches = recent(state.relaunches, now);
  const software = (why: string): { action: RecoveryAction; state: RecoveryState } => ({
    action: { kind: 'software-rendering' },
    state: { ...state, softwareRendering: true, softwareSince: now, softwareReason: why, renderer: [], gpu: [], relaunches: [...relaunches, now] },
  });
  if (process === 'gpu') {
    const gpu = [...recent(state.gpu, now), now];
    if (!state.softwareRendering && gpu.length >= MAX_GPU_CRASHES) return software(`GPU process gone ${gpu.length} times in ${WINDOW_MS / 60_000} min (last: ${reason})`);
    return { action: { kind: 'none' }, state: { ...state, gpu, relaunches } };
  }
  const renderer = [...recent(state.renderer, now), now];
  if (renderer.length <= MAX_RELOADS) {
    return { action: { kind: 'reload', delayMs: nextReloadDelay(state.renderer, now).delayMs }, state: { ...state, renderer, relaunches } };
  }
  if (!state.softwareRendering) return software(`renderer gone ${renderer.length} times in ${WINDOW_MS / 60_000} min (last: ${reason})`);
  if (relaunches.length < MAX_RELAUNCHES) return { action: { kind: 'relaunch' }, state: { ...state, renderer: [], relaunches: [...relaunches, now] } };
  // Bounded: no more relaunches in this window, the slowest reload step only.
  return { action: { kind: 'reload', delayMs: MAX_RELOAD_DELAY_MS }, state: { ...state, renderer, relaunches } };
}

/** The persisted state, or a fresh one (none yet, unreadable, or written by another version of the shell). */
export function parseState(text: string | null, version: string): RecoveryState {
  if (text === null) return initialState(version);
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data.version !== version) return initialState(version);
    return parsed.data;
  } catch {
    return initialState(version);
  }
}

export function loadRecoveryState(userData: string, version: string): RecoveryState {
  let text: string | null = null;
  try {
    text = readFileSync(join(userData, RECOVERY_FILE), 'utf8');
  } catch {
    text = null;
  }
  return parseState(text, version);
}

/** Best effort: a full disk must not stop the screen from coming back. */
export function saveRecoveryState(userData: string, state: RecoveryState): void {
  try {
    writeFileSync(join(userData, RECOVERY_FILE), `${JSON.stringify(state)}\n`, { mode: 0o600 });
  } catch {
    // the decision still holds for this run
  }
}

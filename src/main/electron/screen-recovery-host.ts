import { readdirSync } from 'node:fs';
import type { App } from 'electron';
import { assertNever } from '../../shared/domain.js';
import type { ContractLink } from './ipc-bridge.js';
import { FIRST_RELOAD_DELAY_MS } from './reload-backoff.js';
import { decideRecovery, initialState, isCrash, loadRecoveryState, saveRecoveryState, type RecoveryAction, type RecoveryState, type ScreenProcess } from './screen-recovery.js';
import type { ShellLog } from './shell-log.js';

/** The shell's exit status when it wants systemd (Restart=always) to start it again rather than relaunching itself. */
export const RELAUNCH_EXIT_CODE = 75;
/** A relaunch waits this long at most for the agent to take the crash report. */
const REPORT_WAIT_MS = 2_000;

export interface ScreenRecoveryDeps {
  app: Pick<App, 'relaunch' | 'exit'>;
  link: Pick<ContractLink, 'call'>;
  log: ShellLog;
  env: NodeJS.ProcessEnv;
  /** The screen user's folder for the state file; undefined: memory only. */
  dir: string | undefined;
  crashDumpsDir: string | undefined;
  version: string;
  now?: () => number;
}

/**
 * Acts on screen-recovery.ts's decisions: persists the state, reports each
 * crash to the agent through the contract (`screen.reportCrash`: a summary,
 * never a dump: the dumps stay in the screen user's folder, which the agent
 * cannot and need not read, docs/security.md), and relaunches.
 */
export class ScreenRecovery {
  readonly #deps: ScreenRecoveryDeps;
  readonly #now: () => number;
  #state: RecoveryState;

  constructor(deps: ScreenRecoveryDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#state = deps.dir === undefined ? initialState(deps.version) : loadRecoveryState(deps.dir, deps.version);
  }

  get softwareRendering(): boolean {
    return this.#state.softwareRendering;
  }

  get softwareReason(): string | null {
    return this.#state.softwareReason;
  }

  /**
   * One process of the screen died. Returns the renderer's reload delay, or
   * null when the shell relaunches (or, for the GPU, Chromium recovers by itself).
   */
  processGone(process: ScreenProcess, reason: string, exitCode: number | null): { delayMs: number } | null {
    if (!isCrash(reason)) return process === 'renderer' ? { delayMs: FIRST_RELOAD_DELAY_MS } : null;
    const { action, state } = decideRecovery(this.#state, process, reason, this.#now());
    this.#state = state;
    if (this.#deps.dir !== undefined) saveRecoveryState(this.#deps.dir, state);
    const report = this.#report(process, reason, exitCode, action);
    switch (action.kind) {
      case 'reload':
        return { delayMs: action.delayMs };
      case 'none':
        return null;
      case 'relaunch':
      case 'software-rendering':
        this.#deps.log.error({ process, reason, action: action.kind }, 'screen crash loop: relaunching the shell');
        void report.finally(() => this.#relaunch());
        return null;
      default:
        return assertNever(action, 'recovery action');
    }
  }

  #report(process: ScreenProcess, reason: string, exitCode: number | null, action: RecoveryAction): Promise<unknown> {
    const recovery = action.kind === 'none' ? 'none' : action.kind;
    const input = { process, reason, exitCode, recovery, dumpFiles: countDumps(this.#deps.crashDumpsDir) };
    const sent = this.#deps.link.call({ id: 0, name: 'screen.reportCrash', input }).catch(() => undefined);
    return Promise.race([sent, new Promise((r) => setTimeout(r, REPORT_WAIT_MS).unref())]);
  }

  #relaunch(): void {
    // Under systemd the unit restarts the shell (Restart=always); a self-relaunch there would be killed with the old cgroup.
    if (this.#deps.env['INVOCATION_ID'] !== undefined) {
      this.#deps.app.exit(RELAUNCH_EXIT_CODE);
      return;
    }
    this.#deps.app.relaunch();
    this.#deps.app.exit(0);
  }
}

/** Crashpad's minidumps under the crash folder (`completed/`, `pending/`, …), counted, never read. */
export function countDumps(dir: string | undefined): number {
  if (dir === undefined) return 0;
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.dmp')).length;
  } catch {
    return 0;
  }
}



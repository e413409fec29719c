import { EXIT_NATIVE_MODULE_ABI, SQLITE_BINDING_ENV } from '../launch/electron-launch.js';

/** The CLI's `failure` code (src/main/cli/index.ts EXIT.failure): bad config, the port or database owned by another agent … */
export const EXIT_AGENT_FAILED = 3;

const CAUSE_DEPTH = 6;

/**
 * How the Electron main ends when the agent cannot start: one line for the
 * launcher's stderr, and an exit code it acts on (78 → fall back to browser
 * mode, since better-sqlite3 cannot load under Electron's ABI).
 */
export function startupFailure(err: unknown, electronVersion: string | undefined): { exitCode: number; line: string } {
  const native = nativeLoadError(err);
  if (native !== null) {
    return {
      exitCode: EXIT_NATIVE_MODULE_ABI,
      line: `cabinet-kiosk: better-sqlite3 will not load in Electron ${electronVersion ?? '?'} (it needs a build for Electron's ABI: set ${SQLITE_BINDING_ENV}, or use browser mode): ${messageOf(native)}`,
    };
  }
  return { exitCode: EXIT_AGENT_FAILED, line: `cabinet-kiosk: the agent could not start: ${messageOf(err)}` };
}

/**
 * The native-module load failure in `err` or its causes (the store wraps it in
 * StoreError('open-failed')), or null: Node's loader says ERR_DLOPEN_FAILED,
 * and an ABI mismatch names NODE_MODULE_VERSION.
 */
export function nativeLoadError(err: unknown): unknown {
  let current: unknown = err;
  for (let depth = 0; depth < CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const e = current as { message?: unknown; code?: unknown; cause?: unknown };
    if (e.code === 'ERR_DLOPEN_FAILED') return current;
    if (typeof e.message === 'string' && e.message.includes('NODE_MODULE_VERSION')) return current;
    current = e.cause;
  }
  return null;
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, '; ');
}

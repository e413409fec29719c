/**
 * One way for the custody cases to talk to an agent, whether it runs in the
 * test process (fault cases) or in a child that may SIGKILL itself
 * (test/helpers/custody/custody-worker.ts). Answers are plain data: a value,
 * or the KioskError code a screen would show.
 */
import { KioskError } from '../../../src/shared/errors.js';

/** The Kiosk methods the custody flows use (called by name: the harness drives the public API only). */
export const KIOSK_METHODS = [
  'pickup', 'startDropoff', 'whenStored', 'returnParcel', 'openCompartment', 'remotePickup', 'cancelParcel', 'needsCheck', 'answerCheck',
] as const;
export type KioskMethod = (typeof KIOSK_METHODS)[number];

/** Where a worker SIGKILLs itself (see custody-worker.ts). */
export const KILL_STEPS = ['after-intent', 'after-write', 'after-reply', 'after-commit'] as const;
export type KillStep = (typeof KILL_STEPS)[number];

export type CallResult = { ok: true; value: Record<string, unknown> | Array<Record<string, unknown>> | null } | { ok: false; code: string; message: string };

export interface AgentHandle {
  call(method: KioskMethod, args: unknown[], opts?: { killAt?: KillStep }): Promise<CallResult>;
}

interface KioskLike {
  [method: string]: unknown;
}

/** Calls a Kiosk method by name and turns its answer or refusal into plain data. */
export async function callKiosk(kiosk: object, method: KioskMethod, args: unknown[], afterResolve?: () => void): Promise<CallResult> {
  const fn = (kiosk as KioskLike)[method];
  if (typeof fn !== 'function') return { ok: false, code: 'harness:no-such-method', message: `Kiosk has no method ${method}` };
  try {
    const value: unknown = await (fn as (...a: unknown[]) => unknown).apply(kiosk, args);
    afterResolve?.();
    return { ok: true, value: plain(value) };
  } catch (err) {
    if (err instanceof KioskError) return { ok: false, code: err.code, message: err.message };
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, code: `internal:${e.name}`, message: e.stack ?? e.message };
  }
}

/** Drops what cannot cross a process boundary (a drop-off ticket's `stored` promise). */
function plain(value: unknown): Record<string, unknown> | Array<Record<string, unknown>> | null {
  if (value === undefined || value === null) return null;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Promise ? undefined : v))) as Record<string, unknown>;
}

/** An agent in this process. */
export function inProcessHandle(kiosk: object): AgentHandle {
  return { call: (method, args) => callKiosk(kiosk, method, args) };
}

import type { Logger as PinoLogger } from 'pino';
import { callEnvelope, calls, isCallName, type CallName, type PushedEvent, type StaffRole } from '../../shared/contract.js';
import { KioskError } from '../../shared/errors.js';
import type { Agent } from '../agent.js';
import { toErrorResult } from '../error-result.js';
import { handlers, type HandlerContext } from './contract-handlers.js';
import { cabinetOverview, healthOf } from './views.js';

export type Shell = 'electron' | 'browser';
export type EventSink = (event: PushedEvent) => void;

/** One reply: the caller's id and a `{ ok, value } | { ok: false, error }` result. */
export interface Reply {
  id: number;
  result: unknown;
}

/** Door changes arriving in a burst (open-all, a poll round) are pushed once. */
const PUSH_COALESCE_MS = 30;
/** Outbox depth changes without a kiosk event once the sync engine runs; refresh it now and then. */
const HEALTH_REFRESH_MS = 5_000;
const RECENT_ERRORS = 20;

/**
 * The main-process end of the contract for one agent, shared by every screen
 * (the Electron window, or browser tabs in browser mode). It pushes live
 * doors, outbox depth and connectivity to all of them; each connection gets
 * its own `ContractSession` holding its staff login.
 */
export class ContractHost {
  readonly #sinks = new Set<EventSink>();
  readonly #errors: Array<{ at: number; message: string }> = [];
  readonly #unwatch: Array<() => void> = [];
  #pushTimer: NodeJS.Timeout | undefined;
  readonly #healthTimer: NodeJS.Timeout;

  constructor(
    readonly agent: Agent,
    readonly shell: Shell,
    readonly log: PinoLogger,
  ) {
    const cabinet = agent.hardware.cabinet;
    const push = () => this.#schedulePush();
    const onFault = (fault: unknown) => this.#recordError(describeFault(fault));
    const onDisconnected = (e: unknown) => {
      this.#recordError(`lock bus disconnected: ${describeFault(e)}`);
      push();
    };
    agent.kiosk.on('changed', push);
    agent.kiosk.on('door', push);
    for (const event of ['door-opened', 'door-closed', 'reconnected'] as const) cabinet.on(event, push);
    cabinet.on('fault', onFault);
    cabinet.on('disconnected', onDisconnected);
    this.#unwatch.push(
      () => agent.kiosk.off('changed', push),
      () => agent.kiosk.off('door', push),
      () => cabinet.off('fault', onFault),
      () => cabinet.off('disconnected', onDisconnected),
      ...(['door-opened', 'door-closed', 'reconnected'] as const).map((event) => () => void cabinet.off(event, push)),
    );
    this.#healthTimer = setInterval(() => this.#broadcast({ type: 'health', health: healthOf(agent) }), HEALTH_REFRESH_MS).unref();
  }

  /** A new screen connected; `sink` receives the pushed events until the session closes. */
  openSession(sink: EventSink): ContractSession {
    const session = new ContractSession(this, sink);
    this.#sinks.add(sink);
    session.onClose(() => this.#sinks.delete(sink));
    return session;
  }

  recentErrors(): Array<{ at: number; message: string }> {
    return [...this.#errors];
  }

  close(): void {
    clearTimeout(this.#pushTimer);
    clearInterval(this.#healthTimer);
    for (const off of this.#unwatch) off();
    this.#sinks.clear();
  }

  #schedulePush(): void {
    this.#pushTimer ??= setTimeout(() => {
      this.#pushTimer = undefined;
      try {
        this.#broadcast({ type: 'cabinet', overview: cabinetOverview(this.agent) });
        this.#broadcast({ type: 'health', health: healthOf(this.agent) });
      } catch (err) {
        this.log.error({ err }, 'could not build the live cabinet view');
      }
    }, PUSH_COALESCE_MS);
  }

  #broadcast(event: PushedEvent): void {
    for (const sink of this.#sinks) sink(event);
  }

  #recordError(message: string): void {
    this.#errors.push({ at: Date.now(), message });
    if (this.#errors.length > RECENT_ERRORS) this.#errors.shift();
  }
}

/**
 * One connected screen. Parses every call (envelope, name, role, input)
 * before a handler runs and checks what the handler returns against the
 * contract before it leaves; a staff login lapses after the configured idle
 * time, and the screen is told so.
 */
export class ContractSession {
  #role: StaffRole | null = null;
  #roleTimer: NodeJS.Timeout | undefined;
  /** Calls not yet answered: a courier waiting on `dropoff.awaitStored` is not idle. */
  #inFlight = 0;
  readonly #closeListeners: Array<() => void> = [];
  #closed = false;

  constructor(
    readonly host: ContractHost,
    readonly sink: EventSink,
  ) {}

  get role(): StaffRole | null {
    return this.#role;
  }

  async handle(raw: unknown): Promise<Reply> {
    const envelope = callEnvelope.safeParse(raw);
    if (!envelope.success) {
      const id = typeof (raw as { id?: unknown } | null)?.id === 'number' ? (raw as { id: number }).id : -1;
      return { id, result: toErrorResult(new KioskError('bad-request', 'a call is { id, name, input }')) };
    }
    const { id, name, input } = envelope.data;
    const started = performance.now();
    this.#inFlight += 1;
    try {
      if (!isCallName(name)) throw new KioskError('bad-request', `no call named "${name}"`);
      const value = await this.#run(name, input);
      this.host.log.debug({ call: name, ms: +(performance.now() - started).toFixed(2) }, 'ui call');
      return { id, result: { ok: true, value } };
    } catch (err) {
      const result = toErrorResult(err);
      const level = result.error.code === 'internal' ? 'error' : 'info';
      // Inputs are never logged: they carry codes and PINs.
      this.host.log[level]({ call: name, code: result.error.code, err: level === 'error' ? err : undefined }, 'ui call refused');
      return { id, result };
    } finally {
      this.#inFlight -= 1;
      if (this.#role) this.#armRoleTimer();
    }
  }

  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#roleTimer);
    // The screen went away mid-setup: a reconnecting technician has the idle time to take it up again.
    if (this.#role === 'technician') this.host.agent.commissioning.abandonAfter(this.host.agent.config.staff.sessionIdleMs);
    for (const listener of this.#closeListeners) listener();
  }

  async #run(name: CallName, rawInput: unknown): Promise<unknown> {
    const call = calls[name];
    if (!mayCall(this.#role, call.role)) {
      throw new KioskError('not-authorised', `${name} needs a ${call.role} login`, { needs: call.role });
    }
    if (this.#role) this.#armRoleTimer();
    const parsed = call.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      throw new KioskError('bad-request', parsed.error.issues.map((i) => `${i.path.join('.') || name}: ${i.message}`).join('; '));
    }
    const ctx: HandlerContext = {
      agent: this.host.agent,
      shell: this.host.shell,
      role: this.#role,
      setRole: (role) => this.#setRole(role),
      recentErrors: () => this.host.recentErrors(),
      tell: (event) => {
        if (!this.#closed) this.sink(event);
      },
    };
    const value = await (handlers[name] as (c: HandlerContext, i: unknown) => unknown)(ctx, parsed.data);
    const checked = call.output.safeParse(value);
    if (!checked.success) throw new KioskError('internal', `reply to ${name} breaks the contract: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    return checked.data;
  }

  #setRole(role: StaffRole | null): void {
    if (this.#role === 'technician' && role !== 'technician') this.host.agent.commissioning.abandonAfter(0);
    this.#role = role;
    clearTimeout(this.#roleTimer);
    this.#roleTimer = undefined;
    if (role) this.#armRoleTimer();
  }

  #armRoleTimer(): void {
    clearTimeout(this.#roleTimer);
    this.#roleTimer = setTimeout(() => {
      if (this.#inFlight > 0) return this.#armRoleTimer();
      if (this.#role === 'technician') this.host.agent.commissioning.abandonAfter(0);
      this.#role = null;
      this.sink({ type: 'staff-ended' });
    }, this.host.agent.config.staff.sessionIdleMs).unref();
  }
}

/** A technician may do what a courier may; a courier may not service the cabinet. */
export function mayCall(role: StaffRole | null, needs: StaffRole | null): boolean {
  if (needs === null) return true;
  if (role === 'technician') return true;
  return role === needs;
}

function describeFault(fault: unknown): string {
  if (typeof fault !== 'object' || fault === null) return String(fault);
  const f = fault as Record<string, unknown>;
  const parts = [f.code, f.kind, f.reason, f.message, f.path].filter((v) => typeof v === 'string' || typeof v === 'number');
  return parts.length ? parts.join(' ') : JSON.stringify(fault);
}

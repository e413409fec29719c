/**
 * What the cabinet tells the fleet unasked (docs/fleet.md): the retained
 * state snapshot (republished, debounced, when it changes), telemetry every
 * heartbeat, and alarms, each sent at once and again every `alarmRepeatMs`
 * until the operator acknowledges its id.
 */
import { randomUUID } from 'node:crypto';
import { alarmPayloadSchema, type AlarmPayload, type FleetLink, type StatePayload } from '../../cloud/index.js';
import { compartmentStatuses, doorMap } from '../../core/cabinet-view.js';
import type { Logger } from '../../shared/logger.js';
import * as store from '../../store/index.js';
import type { Alarm, Alarms } from '../alarms.js';
import type { Config } from '../config/schema.js';
import type { Hardware } from '../hardware.js';
import { APP_VERSION } from '../version.js';
import { safeJson } from '../util/safe-json.js';
import { heartbeatFacts } from './channel-wiring.js';
import type { RuntimeSettings } from './fleet-settings.js';

export interface ReporterParts {
  config: Config;
  db: store.Db;
  hardware: Hardware;
  alarms: Alarms;
  quickCheck: { ok: boolean; detail: string[] };
  runtime: () => RuntimeSettings;
  configView: () => { version: number; settings: Record<string, unknown> };
  /** The health summary for the snapshot, when the agent has one. */
  health?: () => unknown;
  log: Logger;
}

/** The agent's alarm codes under their fleet names (the rest keep theirs). */
const FLEET_CODE: Partial<Record<Alarm['code'], string>> = { 'storage-low': 'disk-low' };

interface ActiveAlarm {
  id: string;
  code: string;
  since: number;
  detail: string | null;
}

export class FleetReporter {
  readonly #link: FleetLink;
  readonly #parts: ReporterParts;
  /** Up now, by key (code, or code and compartment). */
  readonly #active = new Map<string, ActiveAlarm>();
  /** Sent and not yet acknowledged, by id. */
  readonly #unacked = new Map<string, AlarmPayload>();
  readonly #off: Array<() => void> = [];
  /** Keys raised from the agent's own alarm list (cleared when it drops them). */
  readonly #fromAgent = new Set<string>();
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #repeat: ReturnType<typeof setInterval> | null = null;
  #debounce: ReturnType<typeof setTimeout> | null = null;
  #lockoutClear: ReturnType<typeof setTimeout> | null = null;
  #lastState = '';
  #stopped = false;

  constructor(link: FleetLink, parts: ReporterParts) {
    this.#link = link;
    this.#parts = parts;
  }

  start(): void {
    this.#loadUnacked();
    const { alarms, hardware } = this.#parts;
    const cabinet = hardware.cabinet;
    const onAlarms = (list: Alarm[]): void => this.#syncAgentAlarms(list);
    alarms.on('changed', onAlarms);
    this.#off.push(() => alarms.off('changed', onAlarms));
    const where = (e: { board: number; lock: number }): string =>
      this.#parts.config.compartments.find((c) => c.board === e.board && c.lock === e.lock)?.id ?? `${e.board}/${e.lock}`;
    const on = <A extends unknown[]>(event: string, fn: (...args: A) => void): void => {
      const emitter = cabinet as unknown as { on(e: string, f: (...a: A) => void): void; off(e: string, f: (...a: A) => void): void };
      emitter.on(event, fn);
      this.#off.push(() => emitter.off(event, fn));
    };
    on('door-forced', (e: { board: number; lock: number }) => this.#raise(`door-forced:${where(e)}`, 'door-forced', `compartment ${where(e)}`));
    on('door-left-open', (e: { board: number; lock: number; openMs: number }) => this.#raise(`door-left-open:${where(e)}`, 'door-left-open', `compartment ${where(e)}, open ${Math.round(e.openMs / 1000)} s`));
    on('door-closed', (e: { board: number; lock: number }) => {
      this.#clear(`door-forced:${where(e)}`);
      this.#clear(`door-left-open:${where(e)}`);
      this.markDirty();
    });
    on('door-opened', () => this.markDirty());
    on('disconnected', (e: { reason?: unknown }) => this.#raise('bus-down', 'bus-down', typeof e.reason === 'string' ? e.reason : 'lock bus disconnected'));
    on('reconnected', () => this.#clear('bus-down'));
    if (!hardware.cabinet.diagnostics().connected) this.#raise('bus-down', 'bus-down', 'lock bus not connected at start');
    this.#syncAgentAlarms(alarms.list());
    this.reconfigure();
  }

  stop(): void {
    this.#stopped = true;
    for (const off of this.#off.splice(0)) off();
    for (const t of [this.#heartbeat, this.#repeat]) if (t !== null) clearInterval(t);
    for (const t of [this.#debounce, this.#lockoutClear]) if (t !== null) clearTimeout(t);
  }

  /** The runtime settings changed: timers follow. */
  reconfigure(): void {
    if (this.#stopped) return;
    const r = this.#parts.runtime();
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    if (this.#repeat !== null) clearInterval(this.#repeat);
    this.#heartbeat = setInterval(() => {
      this.#telemetry();
      // The snapshot too (outbox depth, doors drift without an event); published only when it changed.
      this.#publishState(false);
    }, r['fleet.heartbeatMs']);
    this.#repeat = setInterval(() => this.#repeatUnacked(), r['fleet.alarmRepeatMs']);
  }

  /** Just connected: the snapshot and telemetry at once, and every unacknowledged alarm again. */
  connected(): void {
    this.#publishState(true);
    this.#telemetry();
    this.#repeatUnacked();
  }

  /** Something in the snapshot changed: publish after the debounce. */
  markDirty(): void {
    if (this.#stopped || this.#debounce !== null) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = null;
      this.#publishState(false);
    }, this.#parts.runtime()['fleet.stateDebounceMs']);
  }

  ack(id: string): void {
    if (!this.#unacked.delete(id)) return;
    this.#parts.log.info({ alarmId: id }, 'fleet alarm acknowledged');
    this.#saveUnacked();
  }

  /** A keypad lockout (seen as its event): an alarm until it ends. */
  lockout(until: number, detail: string): void {
    const left = until - Date.now();
    if (left <= 0) return;
    this.#raise('lockout', 'lockout', detail);
    if (this.#lockoutClear !== null) clearTimeout(this.#lockoutClear);
    this.#lockoutClear = setTimeout(() => this.#clear('lockout'), left);
  }

  /** The current state snapshot (also for tests). */
  snapshot(): StatePayload {
    const p = this.#parts;
    const now = Date.now();
    const doors = doorMap(p.hardware.cabinet.doorStates());
    const stats = store.outboxStats(p.db, now);
    const state: StatePayload = {
      cabinetId: p.config.cabinet.id,
      at: now,
      versions: { app: APP_VERSION, node: process.version, schema: store.schemaVersion(p.db) },
      compartments: compartmentStatuses(p.db, doors).map((c) => ({
        id: c.id,
        size: c.size,
        door: c.door,
        occupied: c.parcel !== null,
        outOfService: c.outOfService,
        needsCheck: c.needsCheck !== null,
      })),
      alarms: [...this.#active.values()].sort((a, b) => a.since - b.since).map((a) => ({ code: a.code, since: a.since, detail: a.detail })),
      outbox: { depth: stats.pending, dead: stats.dead, oldestPendingAgeMs: stats.oldestPendingAgeMs === null ? null : Math.round(stats.oldestPendingAgeMs) },
      config: p.configView(),
    };
    const health = p.health?.();
    if (health !== undefined) state.health = health;
    return state;
  }

  #publishState(force: boolean): void {
    if (this.#stopped || this.#link.state() !== 'connected') return;
    let state: StatePayload;
    try {
      state = this.snapshot();
    } catch (err) {
      this.#parts.log.error({ err: errText(err) }, 'fleet state snapshot failed');
      return;
    }
    const key = JSON.stringify({ ...state, at: 0 });
    if (!force && key === this.#lastState) return;
    let text = JSON.stringify(state);
    if (Buffer.byteLength(text) > this.#parts.config.cloud.fleet!.limits.maxPayloadBytes) {
      text = JSON.stringify({ ...state, compartments: [], truncated: true });
    }
    this.#lastState = key;
    this.#link.publish(this.#link.topics.state, text, { qos: 1, retain: true }).catch((err: unknown) => {
      this.#lastState = '';
      this.#parts.log.warn({ err: errText(err) }, 'fleet state not published; sent again at the next change or connect');
    });
  }

  #telemetry(): void {
    if (this.#stopped || this.#link.state() !== 'connected') return;
    let text: string;
    try {
      text = JSON.stringify({ type: 'heartbeat', at: Date.now(), ...heartbeatFacts(this.#parts) });
    } catch (err) {
      this.#parts.log.error({ err: errText(err) }, 'fleet telemetry facts failed');
      return;
    }
    this.#link.publish(this.#link.topics.telemetry, text, { qos: 0 }).catch(() => undefined);
  }

  #syncAgentAlarms(list: Alarm[]): void {
    const up = new Set<string>();
    for (const a of list) {
      const code = FLEET_CODE[a.code] ?? a.code;
      up.add(code);
      const current = this.#active.get(code);
      if (current === undefined || current.detail !== a.detail) this.#raise(code, code, a.detail, a.since);
    }
    for (const code of [...this.#fromAgent]) {
      if (up.has(code)) continue;
      this.#fromAgent.delete(code);
      this.#clear(code);
    }
    for (const code of up) this.#fromAgent.add(code);
  }

  #raise(key: string, code: string, detail: string | null, since: number = Date.now()): void {
    const current = this.#active.get(key);
    if (current !== undefined && current.detail === detail) return;
    // A new detail supersedes the message still waiting for its ack: one alarm, one repeat (#send saves).
    if (current !== undefined) this.#unacked.delete(current.id);
    const alarm: ActiveAlarm = { id: randomUUID(), code, since: current?.since ?? since, detail };
    this.#active.set(key, alarm);
    this.#send(alarm, 'raised');
  }

  #clear(key: string): void {
    const alarm = this.#active.get(key);
    if (alarm === undefined) return;
    this.#active.delete(key);
    this.#send({ ...alarm, id: randomUUID() }, 'cleared');
  }

  #send(alarm: ActiveAlarm, state: AlarmPayload['state']): void {
    const payload: AlarmPayload = { id: alarm.id, cabinetId: this.#parts.config.cabinet.id, code: alarm.code, state, since: alarm.since, at: Date.now(), detail: alarm.detail, repeat: 0 };
    this.#unacked.set(payload.id, payload);
    // An operator who never acknowledges must not grow this without end: the oldest go first.
    for (const oldest of [...this.#unacked.keys()].slice(0, Math.max(0, this.#unacked.size - MAX_UNACKED))) this.#unacked.delete(oldest);
    this.#saveUnacked();
    this.#publishAlarm(payload);
    this.markDirty();
  }

  /**
   * What the operator has not acknowledged survives a restart: a door forced
   * and closed again while the broker was away still reaches the operator,
   * under its first id. (Conditions still up are raised anew as well.)
   */
  #loadUnacked(): void {
    const text = store.getSetting(this.#parts.db, UNACKED_SETTING);
    if (text === undefined) return;
    const parsed = alarmPayloadSchema.array().safeParse(safeJson(text));
    if (!parsed.success) {
      this.#parts.log.warn({ reason: parsed.error.issues[0]?.message }, 'kept fleet alarms unreadable: dropped');
      return;
    }
    for (const alarm of parsed.data) this.#unacked.set(alarm.id, alarm);
    if (parsed.data.length) this.#parts.log.info({ alarms: parsed.data.length }, 'fleet alarms not yet acknowledged before the restart: sent again');
  }

  #saveUnacked(): void {
    try {
      store.setSetting(this.#parts.db, UNACKED_SETTING, JSON.stringify([...this.#unacked.values()]));
    } catch (err) {
      // A full disk: the alarm still goes out now; only its survival of a restart is lost.
      this.#parts.log.warn({ err: errText(err) }, 'fleet alarms not kept for after a restart');
    }
  }

  #repeatUnacked(): void {
    for (const [id, alarm] of this.#unacked) {
      const again = { ...alarm, repeat: alarm.repeat + 1, at: Date.now() };
      this.#unacked.set(id, again);
      this.#publishAlarm(again);
    }
  }

  #publishAlarm(alarm: AlarmPayload): void {
    if (this.#stopped || this.#link.state() !== 'connected') return; // repeated after the connect
    this.#link.publish(this.#link.topics.alarms, JSON.stringify(alarm), { qos: 1 }).catch((err: unknown) => this.#parts.log.warn({ err: errText(err), alarmId: alarm.id }, 'fleet alarm not published; repeated'));
  }
}

/** Raises and clears kept for the operator's acknowledgement; past this many the oldest are dropped. */
const MAX_UNACKED = 500;
/** The settings row that keeps them across restarts. */
const UNACKED_SETTING = 'fleet.unacked-alarms';

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * When the agent may tell systemd "still alive" (WATCHDOG=1): pure decisions,
 * no timers and no I/O, so every rule has a unit test. The service's unit
 * kills and restarts an agent that stops pinging for `WatchdogSec=`
 * (build/linux/cabinet-kiosk-agent.service); a ping from a process whose
 * event loop is stuck, whose database is gone or whose lock bus hangs would
 * keep a cabinet that opens no door alive forever. docs/architecture.md §7.
 */

/** Lag of the event loop past which the agent counts as stuck. Default 5 s: a PC under load still answers a keypad within that. */
export const DEFAULT_MAX_LOOP_LAG_MS = 5_000;
/** Slack over the worst legitimate supervision cycle before the bus counts as hung. */
const BUS_SLACK_MS = 5_000;

export type HealthProblemCode = 'event-loop-lag' | 'database-unavailable' | 'bus-hung';

export interface HealthProblem {
  code: HealthProblemCode;
  detail: string;
}

export interface HealthInputs {
  now: number;
  /** The worst lag of the event loop seen since the last decision, ms. */
  loopLagMs: number;
  /** The trivial read of the database: null when it answered, else its error. */
  databaseError: string | null;
  bus: {
    /** When door supervision last finished a cycle (it keeps cycling while the adapter is unplugged); null before the first. */
    lastCycleAt: number | null;
    connected: boolean;
    /** When supervision started: a first cycle is awaited for `busStaleMs` from here. */
    startedAt: number;
    /** The agent let go of the line for commissioning (it restarts after): no cycles are due. */
    released?: boolean;
  };
}

export interface HealthBounds {
  maxLoopLagMs: number;
  busStaleMs: number;
}

export interface HealthVerdict {
  healthy: boolean;
  problems: HealthProblem[];
}

/**
 * Healthy when the loop answers, the database answers and supervision
 * completes cycles. An unplugged adapter is not a hang: supervision keeps
 * cycling (it sleeps while the port reconnects), so only a cycle stuck inside
 * a bus call trips `bus-hung`.
 */
export function healthVerdict(inputs: HealthInputs, bounds: HealthBounds): HealthVerdict {
  const problems: HealthProblem[] = [];
  if (inputs.loopLagMs > bounds.maxLoopLagMs) problems.push({ code: 'event-loop-lag', detail: `event loop lagged ${Math.round(inputs.loopLagMs)} ms (bound ${bounds.maxLoopLagMs} ms)` });
  if (inputs.databaseError !== null) problems.push({ code: 'database-unavailable', detail: `database read failed: ${inputs.databaseError}` });
  const since = inputs.bus.lastCycleAt ?? inputs.bus.startedAt;
  const age = inputs.now - since;
  if (age > bounds.busStaleMs && inputs.bus.released !== true) {
    const what = inputs.bus.lastCycleAt === null ? 'no door supervision cycle yet' : 'no door supervision cycle completed';
    problems.push({ code: 'bus-hung', detail: `${what} for ${Math.round(age / 1000)} s (bound ${Math.round(bounds.busStaleMs / 1000)} s, bus ${inputs.bus.connected ? 'connected' : 'disconnected'})` });
  }
  return { healthy: problems.length === 0, problems };
}

export interface BusTimings {
  pollIntervalMs: number;
  replyTimeoutMs: number;
  readRetries: number;
  openAllTimeoutMs: number;
  boards: number;
}

/**
 * The longest a healthy supervision cycle can take: the idle sleep, one
 * read-all per board with every retry timing out, and waiting behind the
 * longest command (open-all) that holds the bus. Past it, the bus is hung.
 */
export function busStaleBoundMs(t: BusTimings): number {
  return t.pollIntervalMs + t.boards * t.replyTimeoutMs * (t.readRetries + 1) + t.openAllTimeoutMs + BUS_SLACK_MS;
}

/**
 * How often to ping, from the environment systemd gives a service with
 * `WatchdogSec=`: half of WATCHDOG_USEC (sd_watchdog_enabled(3)). Null when
 * the watchdog is off, or when WATCHDOG_PID names another process (the
 * variable was inherited, not meant for us).
 */
export function watchdogPingIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env['WATCHDOG_USEC']);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  const owner = env['WATCHDOG_PID'];
  if (owner !== undefined && owner !== '' && Number(owner) !== pid) return null;
  return Math.max(1, Math.floor(usec / 1000 / 2));
}

/** The STATUS= line `systemctl status` shows: a person reads it first when the cabinet misbehaves. */
export function statusText(verdict: HealthVerdict, facts: { busConnected: boolean; outboxPending: number }): string {
  if (!verdict.healthy) return `unhealthy: ${verdict.problems.map((p) => p.detail).join('; ')}`;
  return `serving; lock bus ${facts.busConnected ? 'connected' : 'disconnected, reconnecting'}; outbox ${facts.outboxPending} pending`;
}

/**
 * Lag of one timer tick: how late it fired against when it was due. The
 * sampler ticks every `periodMs`; a blocked loop shows as one very late tick.
 */
export function tickLag(previousAt: number, now: number, periodMs: number): number {
  return Math.max(0, now - previousAt - periodMs);
}

import { assertNever } from '../../shared/domain.js';
import type { AgentStatus } from '../status.js';
import type { UnsentRow, VendorResultRow } from '../../store/index.js';

type Printer = (value: unknown) => string;

type Outcome = 'opened' | 'not-opened' | 'unknown';

/**
 * A door answer in words: `unknown` is never "failed" (the lock may have been
 * pulsed), `not-opened` says the lock stayed shut. Answers from an agent
 * older than the outcome field read as opened.
 */
export function doorOutcomeLine(r: { compartmentId: string; outcome?: Outcome }, said: { opened: string; notOpened: string; unknown: string }): string {
  const outcome = r.outcome ?? 'opened';
  switch (outcome) {
    case 'opened':
      return said.opened;
    case 'not-opened':
      return `compartment ${r.compartmentId} did not open (the lock stayed shut): ${said.notOpened}`;
    case 'unknown':
      return `compartment ${r.compartmentId} may have opened: check it; ${said.unknown}`;
    default:
      return assertNever(outcome, 'door outcome');
  }
}

/** Human output per command; `--json` prints the raw value instead. */
export const PRINTERS: Record<string, Printer> = {
  status: (v) => formatStatus(v as AgentStatus),
  open: (v) => {
    const r = v as { compartmentId: string; board: number; lock: number; outcome?: Outcome };
    return doorOutcomeLine(r, {
      opened: `compartment ${r.compartmentId} is open (board ${r.board}, lock ${r.lock})`,
      notOpened: `check board ${r.board}, lock ${r.lock} and its wiring, then try again`,
      unknown: `it waits for "is a parcel inside?" at the next staff login on the screen`,
    });
  },
  pickup: (v) => {
    const r = v as { compartmentId: string; reopened: boolean; outcome?: Outcome; opensLeft?: number };
    const none = 'the code has no open left: staff must help (`cabinet-kiosk open <compartment>` after checking it)';
    return doorOutcomeLine(r, {
      opened: r.reopened ? `compartment ${r.compartmentId} re-opened (grace window)` : `compartment ${r.compartmentId} is open: take the parcel and close the door`,
      notOpened: r.opensLeft === 0 ? none : 'type the code again to try once more',
      unknown: r.opensLeft === 0 ? `if it did not open, ${none}` : 'typing the code again re-opens it once',
    });
  },
  deposit: (v) => {
    const r = v as { compartmentId: string; size: string; code: string; expiresAt: number | null };
    const until = r.expiresAt ? ` (valid until ${new Date(r.expiresAt).toISOString()})` : '';
    return `parcel stored in compartment ${r.compartmentId} (${r.size})\npickup code: ${r.code}${until}`;
  },
  return: (v) => {
    const r = v as { compartmentId: string; parcelId: string; outcome?: Outcome };
    return doorOutcomeLine(r, {
      opened: `compartment ${r.compartmentId} is open: take parcel ${r.parcelId} out`,
      notOpened: 'try again',
      unknown: `whether parcel ${r.parcelId} is still inside is asked at the next staff login on the screen`,
    });
  },
  service: (v) => {
    const r = v as { compartment: string; outOfService: boolean };
    return `compartment ${r.compartment} is ${r.outOfService ? 'out of service' : 'in service'}`;
  },
  outbox: (v) => {
    const o = v as AgentStatus['outbox'] & { unsent: UnsentRow[]; reported: VendorResultRow[] };
    return [formatOutbox(o), ...o.unsent.map(formatUnsent), ...o.reported.map((r) => `  reported ${r.destination} ${r.eventType} ${r.eventId} (ref ${r.vendorRef}): ${JSON.stringify(r.result)}`)].join('\n');
  },
  'codes-cancel': (v) => {
    const r = v as { cancelled: number; failed: number };
    return `${r.cancelled} vendor code(s) cancelled${r.failed ? `; ${r.failed} not confirmed by the vendor (still valid): try again when it is reachable` : ''}`;
  },
  'outbox-retry': (v) => `${(v as { retried: number }).retried} dead event(s) queued again`,
};

function formatOutbox(o: AgentStatus['outbox']): string {
  const age = o.oldestPendingAgeMs === null ? '-' : `${Math.round(o.oldestPendingAgeMs / 1000)} s`;
  const rows = Object.entries(o.byDestination).map(([d, s]) => `  ${d}: ${s.pending} pending, ${s.dead} dead, ${s.skipped} skipped`);
  return [`outbox: ${o.pending} pending, ${o.dead} dead, ${o.skipped} skipped (nothing to send), ${o.delivered} delivered; oldest pending ${age}`, ...rows].join('\n');
}

/** One dead or skipped row: what, where, how old, why. */
function formatUnsent(r: UnsentRow): string {
  return `  ${r.state} ${r.destination} ${r.eventType} ${r.eventId} (${Math.round(r.ageMs / 1000)} s old): ${r.reason ?? 'no reason recorded'}`;
}

function formatCloud(c: AgentStatus['cloud']): string {
  if (c.destinations.length === 0) return 'cloud: not configured';
  const rows = c.destinations.map((d) => {
    const last = d.lastDeliveredAt === null ? 'never delivered' : `last delivery ${new Date(d.lastDeliveredAt).toISOString()}`;
    const next = d.nextAttemptAt === null ? '' : `, next attempt ${new Date(d.nextAttemptAt).toISOString()}`;
    return `  ${d.name}: ${d.state}; ${last}${next}${d.lastError === null ? '' : `; last error: ${d.lastError}`}`;
  });
  return [`cloud: ${c.state}`, ...rows].join('\n');
}

/** Out of service, waiting for a check, kept for a vendor, or ok: what a technician must know first. */
function serviceText(c: AgentStatus['compartments'][number]): string {
  const notes: string[] = [];
  if (c.needsCheck) notes.push(`CHECK: ${c.needsCheck.kind} interrupted, is a parcel inside?`);
  if (c.outOfService) notes.push(`OUT: ${c.outOfServiceReason ?? ''}`);
  if (c.reservedFor) notes.push(`reserved for ${c.reservedFor}`);
  return notes.length ? notes.join('; ') : 'ok';
}

/** One line: restarts, last crashes, memory and its trend, the watchdog. */
export function formatHealth(h: AgentStatus['health']): string {
  const crash = (c: { at: number; what: string } | null) => (c ? `${new Date(c.at).toISOString()} ${c.what}` : 'none');
  const trend = h.rss.slopeMbPerHour === null ? 'trend after 3 min' : `${h.rss.slopeMbPerHour >= 0 ? '+' : ''}${h.rss.slopeMbPerHour} MB/h over ${h.rss.samples.length} min`;
  const watchdog = h.watchdog.enabled ? (h.watchdog.healthy ? 'watchdog ok' : `watchdog WITHHELD: ${h.watchdog.problems.join('; ')}`) : 'no watchdog (not under systemd)';
  return `health: ${h.restarts} restart(s) since first start; last agent crash: ${crash(h.lastAgentCrash)}; last screen crash: ${crash(h.lastScreenCrash)}; RSS ${h.rss.nowMb} MB (${trend}); ${watchdog}`;
}

function formatStatus(s: AgentStatus): string {
  const head = [
    `cabinet ${s.cabinet.id} (config: ${s.cabinet.config})`,
    `agent pid ${s.agent.pid}, version ${s.agent.version}, up ${Math.round(s.agent.uptimeMs / 1000)} s`,
    formatHealth(s.health),
    `database ${s.database.path}: quick_check ${s.database.quickCheck.ok ? 'ok' : 'FAILED ' + s.database.quickCheck.detail.join('; ')}`,
    `hardware: ${s.hardware.describe}; ${s.hardware.connected ? 'connected' : 'DISCONNECTED'}${s.hardware.doorsReadNow ? '' : ' (doors from the last poll)'}`,
    `free: ${Object.entries(s.freeBySize).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    formatOutbox(s.outbox),
    formatCloud(s.cloud),
    '',
    'id    board lock size door     parcel                service',
  ];
  const rows = s.compartments.map((c) =>
    [
      c.id.padEnd(5),
      String(c.board).padEnd(5),
      String(c.lock).padEnd(4),
      c.size.padEnd(4),
      c.door.padEnd(8),
      (c.parcel ? c.parcel.state : '-').padEnd(21),
      serviceText(c),
    ].join(' '),
  );
  const alarms = (s.alarms ?? []).map((a) => `ALARM ${a.code}${a.detail ? `: ${a.detail}` : ''}`);
  return [...alarms, ...head, ...rows].join('\n');
}

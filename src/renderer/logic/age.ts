import type { CompartmentView, HealthView } from '../../shared/contract.js';
import type { DoorState } from '../../shared/domain.js';
import { ageOf, fill } from './format.js';

/**
 * A door state a technician can trust, or how old the last one is. While the
 * lock bus is down or the screen has lost the agent, nothing reads the doors:
 * the last state seen is shown as unknown, with its age.
 */
export interface DoorReading {
  door: DoorState;
  /** Set when the shown state is not live: what was last seen and how long ago (ms). */
  stale: { lastSeen: DoorState; ageMs: number } | null;
}

export function doorReading(c: Pick<CompartmentView, 'door' | 'doorSince'>, lockBus: HealthView['lockBus'] | null, linkOpen: boolean, now: number): DoorReading {
  // Unknown health (not pushed yet) counts as live; a line down or released for setup does not.
  if ((lockBus === null || lockBus === 'connected') && linkOpen) return { door: c.door, stale: null };
  return { door: 'unknown', stale: { lastSeen: c.door, ageMs: Math.max(0, now - c.doorSince) } };
}

/** "3 min" in the catalogue's words. */
export function ageText(ms: number, words: { ageSeconds: string; ageMinutes: string; ageHours: string; ageDays: string }): string {
  const { n, unit } = ageOf(ms);
  const template = unit === 'seconds' ? words.ageSeconds : unit === 'minutes' ? words.ageMinutes : unit === 'hours' ? words.ageHours : words.ageDays;
  return fill(template, { n });
}

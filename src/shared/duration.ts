import { z } from 'zod';

/**
 * Durations in the configuration, bounded. Node's timers take a signed 32-bit
 * delay: anything above 2^31−1 ms (24.8 days) is replaced by 1 ms with a
 * TimeoutOverflowWarning, so a staff logout of "a year" fires at once and a
 * heartbeat of "forever" runs in a tight loop. No duration may go above it,
 * even one not used as a timer today; most have a far lower, sensible ceiling
 * chosen where they are declared.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export type DurationUnit = 'ms' | 'h';

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, h: 3_600_000 };

export interface DurationBounds {
  /** Smallest accepted value. Default 0. */
  min?: number;
  /** Largest accepted value, in the key's unit; at most MAX_TIMER_MS once in ms. */
  max: number;
}

/** Every bounded duration schema, with its unit and limits: the config tests walk the schema with it so no key escapes. */
export const durationRegistry = z.registry<{ unit: DurationUnit; min: number; max: number }>();

/** `12 h`, `15 min`, `90 s`, `250 ms`: the maximum in words a technician can compare. */
export function formatDuration(ms: number): string {
  const units: Array<[number, string]> = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1000, 's']];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} ms`;
}

function bounded(unit: DurationUnit, { min = 0, max }: DurationBounds): z.ZodNumber {
  if (!(max * UNIT_MS[unit] <= MAX_TIMER_MS) || min > max) throw new Error(`duration bounds ${min}–${max} ${unit} exceed the ${MAX_TIMER_MS} ms a Node timer can hold`);
  const words = unit === 'ms' ? `${max} ms${max >= 1000 ? ` (${formatDuration(max)})` : ''}` : `${max} hours`;
  const schema = (unit === 'ms' ? z.number().int({ error: 'must be a whole number of milliseconds' }) : z.number())
    .min(min, { error: `must be at least ${min} ${unit === 'ms' ? 'ms' : 'hours'}` })
    .max(max, { error: `must be at most ${words}` });
  return schema.register(durationRegistry, { unit, min, max });
}

/** Milliseconds, an integer in [min, max]. Without `default` the key stays required (or add `.optional()`/`.nullable()`). */
export function boundedMs(bounds: DurationBounds): z.ZodNumber {
  return bounded('ms', bounds);
}

/** Milliseconds with a default: `durationMs({ max: 60_000, default: 1500 })`. */
export function durationMs(opts: DurationBounds & { default: number }): z.ZodDefault<z.ZodNumber> {
  return bounded('ms', opts).default(opts.default);
}

/** Hours (fractions allowed), with a default. */
export function durationHours(opts: DurationBounds & { default: number }): z.ZodDefault<z.ZodNumber> {
  return bounded('h', opts).default(opts.default);
}

/**
 * Percentiles and small helpers shared by the benchmark modules. Figures are
 * printed, never asserted: the bench machine is a shared 2-core box.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bound a figure must meet: the p99, the value, or the median, against `limit`. */
export interface Target {
  on: 'p99' | 'value' | 'median';
  op: '<=' | '>=';
  limit: number;
}

/** One row of bench/results.json's `metrics`, as every bench subset writes it. */
export interface MetricRow {
  metric: string;
  variant: string;
  unit: string;
  p50: number | null;
  p99: number | null;
  value: number | null;
  target: Target | null;
  pass: boolean | null;
  /** Measured in the same run, printed beside the figure. */
  beside: string;
  measures: string;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The p-th percentile (0–100) of ascending `sorted`, linear between closest
 * ranks (numpy's default), so p50 of an even count is the mean of the middle two.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean,
  };
}

export function median(samples: readonly number[]): number {
  return percentile([...samples].sort((a, b) => a - b), 50);
}

/** Rounds for printing and for results.json (3 significant decimals is plenty). */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function roundSummary(s: Summary, digits = 3): Summary {
  return {
    n: s.n, min: round(s.min, digits), p50: round(s.p50, digits), p90: round(s.p90, digits), p99: round(s.p99, digits), max: round(s.max, digits), mean: round(s.mean, digits),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fresh directory under the OS temp dir; `remove()` deletes it. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `ck-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Prints progress to stderr so stdout stays the table. */
export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

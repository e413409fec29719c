import type { LedgerEntry, LedgerOrder, MockLedger } from './types.js';

/**
 * Per vendor: every application (in arrival order; a key applied again, by a
 * mock whose dedupe missed it, is listed again) and how many duplicates
 * arrived and were refused.
 */
export interface LedgerSummary {
  applied: LedgerEntry[];
  duplicates: number;
}

/** One applied entry without its body: what `GET /_mock/ledger/<vendor>` lists. */
export interface LedgerReportEntry {
  key: string;
  stream: string | null;
  kind: string;
  at: number;
  order?: LedgerOrder;
}

/** A stream (parcel) whose entries were applied in another order than their events occurred. */
export interface OutOfOrderStream {
  stream: string;
  /** The stream's keys and orders, both in arrival (application) order. */
  keys: string[];
  orders: (LedgerOrder | null)[];
  /** Entries applied after one with a later order. */
  inversions: number;
}

/**
 * What a test checks after a run: exactly once means `appliedTwice` is empty
 * and `applied` holds every event; order per parcel means `outOfOrder` is empty.
 */
export interface LedgerReport {
  applied: LedgerReportEntry[];
  /** Requests for a key already applied: counted, not applied again. */
  duplicates: number;
  /** Every application counted, refused duplicates not included: `applied.length`. */
  applications: number;
  /** Keys applied more than once (listed more than once in `applied`): the dedupe failed (must stay empty). */
  appliedTwice: string[];
  outOfOrder: OutOfOrderStream[];
}

/**
 * In memory: once per (vendor, key). `FileLedger` (ledger-file.ts) adds the
 * state file and uses the protected `restore…` methods to reload it.
 */
export class MemoryLedger implements MockLedger {
  readonly #seen = new Map<string, Set<string>>();
  readonly #summary = new Map<string, LedgerSummary>();
  readonly #listeners = new Set<(entry: LedgerEntry, verdict: 'fresh' | 'duplicate') => void>();

  apply(entry: LedgerEntry): 'fresh' | 'duplicate' {
    let verdict: 'fresh' | 'duplicate';
    if (this.has(entry.vendor, entry.key)) {
      this.#summaryOf(entry.vendor).duplicates += 1;
      verdict = 'duplicate';
    } else {
      this.#add(entry);
      verdict = 'fresh';
    }
    for (const listener of this.#listeners) listener(entry, verdict);
    return verdict;
  }

  /** Told of every apply after it counted (the CLI prints arrivals with it). Returns the unsubscribe. */
  onApply(listener: (entry: LedgerEntry, verdict: 'fresh' | 'duplicate') => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** True when `key` was applied for `vendor`. */
  has(vendor: string, key: string): boolean {
    return this.#seen.get(vendor)?.has(key) ?? false;
  }

  /**
   * Replays an application read back from a state file (no duplicate
   * counting). Each one counts, even for a key already replayed: two apply
   * lines for one key mean it was applied twice (by two mock processes on one
   * file, or a dedupe that lost its state), and the report must say so.
   */
  protected restore(entry: LedgerEntry, duplicates = 0): void {
    this.restoreDuplicates(entry.vendor, duplicates);
    this.#add(entry);
  }

  /** Replays duplicate counts read back from a state file. */
  protected restoreDuplicates(vendor: string, count: number): void {
    this.#summaryOf(vendor).duplicates += count;
  }

  /** The live summary of one vendor (empty for a vendor that applied nothing). */
  summary(vendor: string): LedgerSummary {
    return this.#summaryOf(vendor);
  }

  /** The summary of one vendor with the checks computed: see `LedgerReport`. */
  report(vendor: string): LedgerReport {
    return ledgerReport(this.#summaryOf(vendor));
  }

  vendors(): string[] {
    return [...this.#summary.keys()];
  }

  #add(entry: LedgerEntry): void {
    let keys = this.#seen.get(entry.vendor);
    if (keys === undefined) this.#seen.set(entry.vendor, (keys = new Set()));
    keys.add(entry.key);
    this.#summaryOf(entry.vendor).applied.push(entry);
  }

  #summaryOf(vendor: string): LedgerSummary {
    let summary = this.#summary.get(vendor);
    if (summary === undefined) this.#summary.set(vendor, (summary = { applied: [], duplicates: 0 }));
    return summary;
  }
}

/** Pure: the checks of a `LedgerReport` over one vendor's entries in arrival order. */
export function ledgerReport(summary: LedgerSummary): LedgerReport {
  const applied: LedgerReportEntry[] = [];
  const counts = new Map<string, number>();
  const streams = new Map<string, LedgerEntry[]>();
  for (const entry of summary.applied) {
    const { key, stream, kind, at, order } = entry;
    applied.push(order === undefined ? { key, stream, kind, at } : { key, stream, kind, at, order });
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (stream === null) continue;
    let list = streams.get(stream);
    if (list === undefined) streams.set(stream, (list = []));
    list.push(entry);
  }
  const outOfOrder: OutOfOrderStream[] = [];
  for (const [stream, entries] of streams) {
    const inversions = countInversions(entries);
    if (inversions > 0) {
      outOfOrder.push({ stream, keys: entries.map((e) => e.key), orders: entries.map((e) => e.order ?? null), inversions });
    }
  }
  const appliedTwice = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
  return { applied, duplicates: summary.duplicates, applications: applied.length, appliedTwice, outOfOrder };
}

/**
 * Entries that arrived after an entry of a later order. Equal orders are not
 * inversions: two events of one parcel in the same millisecond cannot be told
 * apart from a body that carries only the time.
 */
function countInversions(entries: readonly LedgerEntry[]): number {
  let latest: LedgerOrder | undefined;
  let inversions = 0;
  for (const { order } of entries) {
    if (order === undefined) continue;
    if (latest !== undefined && compareOrder(order, latest) < 0) inversions += 1;
    else latest = order;
  }
  return inversions;
}

/** Numbers numerically, strings lexicographically; a number sorts before a string (mixed kinds are a mock's bug, not an inversion to hide). */
export function compareOrder(a: LedgerOrder, b: LedgerOrder): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'number' ? -1 : 1;
}

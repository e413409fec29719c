import type { LedgerEntry, MockLedger } from './types.js';

/** Per vendor: what was applied (in arrival order) and how many duplicates arrived. */
export interface LedgerSummary {
  applied: LedgerEntry[];
  duplicates: number;
}

/** In memory; `PersistentLedger` (ledger-file.ts) adds the state file. */
export class MemoryLedger implements MockLedger {
  readonly #seen = new Map<string, Set<string>>();
  readonly #summary = new Map<string, LedgerSummary>();

  apply(entry: LedgerEntry): 'fresh' | 'duplicate' {
    const summary = this.#summaryOf(entry.vendor);
    let keys = this.#seen.get(entry.vendor);
    if (keys === undefined) this.#seen.set(entry.vendor, (keys = new Set()));
    if (keys.has(entry.key)) {
      summary.duplicates += 1;
      return 'duplicate';
    }
    keys.add(entry.key);
    summary.applied.push(entry);
    return 'fresh';
  }

  /** Replays an entry read back from a state file (no duplicate counting). */
  protected restore(entry: LedgerEntry, duplicates = 0): void {
    const summary = this.#summaryOf(entry.vendor);
    summary.duplicates += duplicates;
    let keys = this.#seen.get(entry.vendor);
    if (keys === undefined) this.#seen.set(entry.vendor, (keys = new Set()));
    if (!keys.has(entry.key)) {
      keys.add(entry.key);
      summary.applied.push(entry);
    }
  }

  summary(vendor: string): LedgerSummary {
    return this.#summaryOf(vendor);
  }

  vendors(): string[] {
    return [...this.#summary.keys()];
  }

  #summaryOf(vendor: string): LedgerSummary {
    let summary = this.#summary.get(vendor);
    if (summary === undefined) this.#summary.set(vendor, (summary = { applied: [], duplicates: 0 }));
    return summary;
  }
}

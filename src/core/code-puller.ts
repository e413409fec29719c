import type { CodeSource } from './ports.js';
import type { Logger } from '../shared/logger.js';
import * as store from '../store/index.js';

export interface PullReport {
  source: string;
  ok: boolean;
  result?: store.ReplaceCodesResult;
  error?: string;
  ms: number;
}

/**
 * Keeps the local code cache equal to what each vendor holds, so a customer
 * whose code was issued upstream can pick up while the cabinet is offline.
 * A pull fetches the whole set first and then applies it in one transaction
 * (store `replaceCodesFromSource`): a failure half-way changes nothing, and
 * codes removed upstream disappear locally. Pulls of one source never overlap.
 */
export class CodePuller {
  readonly #sources: readonly CodeSource[];
  readonly #db: store.Db;
  readonly #secret: Buffer;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #running = new Map<string, Promise<PullReport>>();
  readonly #stopping = new AbortController();
  #last = new Map<string, PullReport>();

  constructor(parts: { sources: readonly CodeSource[]; db: store.Db; secret: Buffer; log: Logger; timeoutMs: number; now?: () => number }) {
    this.#sources = parts.sources;
    this.#db = parts.db;
    this.#secret = parts.secret;
    this.#log = parts.log;
    this.#timeoutMs = parts.timeoutMs;
    this.#now = parts.now ?? Date.now;
  }

  get sourceNames(): string[] {
    return this.#sources.map((s) => s.name);
  }

  /** Pulls every source (those already pulling are joined, not restarted). Never throws: each report says how it went. */
  pullAll(): Promise<PullReport[]> {
    return Promise.all(this.#sources.map((source) => this.#pullOnce(source)));
  }

  /** Pulls the sources whose `destination` is `name` (its server answers again): none for a destination no source shares. Never throws. */
  pullLinkedTo(name: string): Promise<PullReport[]> {
    return Promise.all(this.#sources.filter((source) => source.destination === name).map((source) => this.#pullOnce(source)));
  }

  /** The names of the destinations some source shares a server with. */
  get linkedDestinations(): ReadonlySet<string> {
    return new Set(this.#sources.flatMap((s) => (s.destination === undefined ? [] : [s.destination])));
  }

  lastReports(): PullReport[] {
    return [...this.#last.values()];
  }

  /** Aborts pulls in flight; nothing of theirs is applied. */
  stop(): void {
    this.#stopping.abort(new DOMException('agent stopping', 'AbortError'));
  }

  #pullOnce(source: CodeSource): Promise<PullReport> {
    const running = this.#running.get(source.name);
    if (running) return running;
    const pull = this.#pull(source).finally(() => this.#running.delete(source.name));
    this.#running.set(source.name, pull);
    return pull;
  }

  async #pull(source: CodeSource): Promise<PullReport> {
    const started = performance.now();
    let report: PullReport;
    try {
      const pulled = await source.pullAll(AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(this.#timeoutMs)]));
      if (this.#stopping.signal.aborted) throw this.#stopping.signal.reason;
      const codes: store.SourceCode[] = pulled.map((c) => ({
        hash: store.hashPickupCode(this.#secret, c.code),
        externalId: c.externalId,
        compartmentId: c.compartmentId ?? null,
        parcelId: c.parcelId ?? null,
        validFrom: c.validFrom,
        validUntil: c.validUntil ?? null,
        userRef: c.userRef ?? null,
        orderRef: c.orderRef ?? null,
      }));
      const result = store.replaceCodesFromSource(this.#db, source.name, codes, this.#now());
      report = { source: source.name, ok: true, result, ms: Math.round(performance.now() - started) };
      const { rejected, ...counts } = result;
      this.#log[rejected.length ? 'warn' : 'info']({ source: source.name, ...counts, rejected, ms: report.ms }, 'pickup codes pulled');
    } catch (err) {
      // The message only: a vendor error never carries a code (the vendor clients keep them out), and never our key.
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      report = { source: source.name, ok: false, error, ms: Math.round(performance.now() - started) };
      this.#log.warn({ source: source.name, error }, 'pickup code pull failed; the cached codes stay as they were');
    }
    this.#last.set(source.name, report);
    return report;
  }
}

/**
 * The vendor's clock minus ours, measured from answers. Vendors that sign a
 * timestamp (Hongxun, Dingshang, Yopoint) judge it by their clock, and a
 * cabinet PC that was powered off for a week may be minutes off until NTP
 * catches up. The estimate keeps the sample with the shortest round trip
 * (its midpoint is the least uncertain), forgetting samples older than
 * `maxAgeMs` so a stepped clock is followed.
 */
export interface ClockSample {
  /** The server's time, epoch ms (a `Date` header has 1 s resolution: pass its value + 500). */
  serverTime: number;
  /** Our clock when the request left and when the answer arrived. */
  sentAt: number;
  receivedAt: number;
}

export class ClockOffset {
  readonly #maxAgeMs: number;
  #best: { offsetMs: number; rttMs: number; at: number } | null = null;

  constructor(options: { maxAgeMs?: number } = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 60 * 60_000;
  }

  observe(sample: ClockSample): void {
    const rttMs = sample.receivedAt - sample.sentAt;
    if (!Number.isFinite(sample.serverTime) || !(rttMs >= 0)) return;
    const offsetMs = sample.serverTime - (sample.sentAt + rttMs / 2);
    const best = this.#best;
    if (best === null || sample.receivedAt - best.at > this.#maxAgeMs || rttMs <= best.rttMs) {
      this.#best = { offsetMs, rttMs, at: sample.receivedAt };
    }
  }

  /** Reads an HTTP `Date` header (RFC 9110 §6.6.1); ignores a missing or unparsable one. */
  observeDateHeader(date: string | null, sentAt: number, receivedAt: number): void {
    if (date === null) return;
    const parsed = Date.parse(date);
    if (Number.isNaN(parsed)) return;
    this.observe({ serverTime: parsed + 500, sentAt, receivedAt });
  }

  /** Server time minus ours in ms; 0 until a sample arrived. */
  offsetMs(): number {
    return Math.round(this.#best?.offsetMs ?? 0);
  }

  /** Our `now` as the server's clock would read it. */
  serverNow(now: number): number {
    return now + this.offsetMs();
  }

  measured(): boolean {
    return this.#best !== null;
  }
}

import * as store from '../store/index.js';
import type { LockoutPolicy, LockoutState } from '../store/index.js';

/**
 * The lockout of each guess scope (customer codes, staff PINs), kept in
 * memory as a running fold of the persisted attempt log: seeded once from
 * the log (so a power cycle resets nothing), then fed each attempt after it
 * commits. A check is then O(1) however long the log has grown under a
 * brute-force attempt (README "Custody", invariant 6).
 */
export class GuessLedger {
  readonly #replays = new Map<string, store.LockoutReplay>();

  constructor(
    private readonly db: store.ReadDb,
    private readonly policy: Readonly<LockoutPolicy>,
  ) {}

  state(scope: string | undefined, now: number): LockoutState {
    return this.#replay(scope, now).at(now);
  }

  /** Whether a success now would change nothing (so it need not be logged). */
  settled(scope: string | undefined, now: number): boolean {
    return this.#replay(scope, now).settled;
  }

  /** Call after the attempt's transaction committed. */
  add(scope: string | undefined, attempt: store.Attempt): void {
    this.#replay(scope, attempt.at).add(attempt);
  }

  /** The state `attempt` would lead to, without recording it (so its consequences can commit with it). */
  after(scope: string | undefined, attempt: store.Attempt): LockoutState {
    const next = this.#replay(scope, attempt.at).clone();
    next.add(attempt);
    return next.at(attempt.at);
  }

  #replay(scope: string | undefined, now: number): store.LockoutReplay {
    const key = scope ?? '';
    let replay = this.#replays.get(key);
    if (!replay) {
      replay = new store.LockoutReplay(this.policy);
      for (const a of store.lockoutHistory(this.db, now, this.policy, scope)) replay.add(a);
      this.#replays.set(key, replay);
    }
    return replay;
  }
}

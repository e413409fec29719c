/**
 * Wrong-code lockout that survives a power cycle: every attempt is logged in
 * SQLite and the lockout is derived from the log with the policy passed at
 * read time, so pulling the plug never resets a brute-force counter and a
 * configured policy cannot disagree with a stored one.
 *
 * Policy: `maxFailures` failures within `windowMs` lock for `baseDelayMs`.
 * Each further failure during a lockout, or within `windowMs` after it ended,
 * locks again for `factor`× the previous delay (capped at `maxDelayMs`), so
 * the delay keeps growing while an attacker keeps trying. A success resets
 * everything, except during a lockout (ignored then; the caller checks the
 * lockout before looking a code up). A failure more than `windowMs` after the
 * last lockout ended starts a fresh count.
 */
import { z } from 'zod';
import type { Db, ReadDb } from './db.js';
import { bool01, epochMs, parseRow, parseRows } from './rows.js';

export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

export const DEFAULT_LOCKOUT_POLICY: Readonly<LockoutPolicy> = {
  maxFailures: 5,
  windowMs: 600_000,
  baseDelayMs: 30_000,
  factor: 2,
  maxDelayMs: 900_000,
};

/**
 * Staff PIN attempts share the log but not the customer's count: a technician
 * must be able to log in to a keypad that customers locked, and a courier's
 * typo must not lock customers out. "All sources" below means all but this one.
 */
export const STAFF_PIN_SOURCE = 'staff:pin';

export interface LockoutState {
  /** Locked until this instant; null when not locked at `now`. */
  lockedUntil: number | null;
  /** Failures in the last windowMs that count (after the last reset). */
  failures: number;
}

export interface Attempt {
  at: number;
  ok: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Logs one code attempt. Throws SqliteError (CHECK) for an empty source;
 * inside the caller's transaction that rolls the flow back.
 */
export function recordCodeAttempt(db: Db, a: { at: number; ok: boolean; source: string }): void {
  db.stmt('INSERT INTO code_attempts (at, ok, source) VALUES (?, ?, ?)').run(a.at, a.ok ? 1 : 0, a.source);
}

/** Failures after `since` (all customer sources, or one source). */
export function failedAttemptsSince(db: ReadDb, since: number, source?: string): number {
  const raw = db
    .stmt(`SELECT count(*) AS n FROM code_attempts WHERE at > @since AND ok = 0 AND ${SOURCE_FILTER}`)
    .get({ since, source: source ?? null, staff: STAFF_PIN_SOURCE });
  return parseRow(z.object({ n: z.number().int() }), raw, 'code_attempts').n;
}

const SOURCE_FILTER = '(CASE WHEN @source IS NULL THEN source <> @staff ELSE source = @source END)';

const AttemptRow = z.object({ at: epochMs, ok: bool01 }).transform((r): Attempt => ({ at: r.at, ok: r.ok }));

/**
 * Whether code entry is locked at `now` (all customer sources, or one `source`) and how
 * many failures count. Reads the attempts of the last 7 days at most (more
 * when the policy's window and delays are longer). Throws only
 * StoreError('corrupt-row').
 */
export function lockoutState(
  db: ReadDb,
  now: number,
  policy: Readonly<LockoutPolicy> = DEFAULT_LOCKOUT_POLICY,
  source?: string,
): LockoutState {
  return computeLockout(lockoutHistory(db, now, policy, source), now, policy);
}

/**
 * The lockout after replaying `attempts` (sorted by time) at `now`. Pure.
 * The same fold as `LockoutReplay`, run over a whole history.
 */
export function computeLockout(attempts: readonly Attempt[], now: number, p: Readonly<LockoutPolicy>): LockoutState {
  const replay = new LockoutReplay(p);
  for (const a of attempts) {
    if (a.at > now) break;
    replay.add(a);
  }
  return replay.at(now);
}

/**
 * The lockout policy as a fold over attempts in time order: `add` each
 * attempt, ask `at(now)`. Its state is a handful of numbers plus the failure
 * times inside one window, so keeping one in memory makes the lockout check
 * cost the same with 20,000 past attempts as with none. A quiet gap longer
 * than windowMs + maxDelayMs resets it: no lockout or count survives one.
 */
export class LockoutReplay {
  #level = 0;
  #lockedUntil: number | null = null;
  #resetAt = Number.NEGATIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;
  /** Failure times, ascending, pruned to those that can still count. */
  #failures: number[] = [];

  constructor(private readonly p: Readonly<LockoutPolicy>) {}

  add(a: Attempt): void {
    const p = this.p;
    if (a.at - this.#last > p.windowMs + p.maxDelayMs) this.#reset();
    this.#last = Math.max(this.#last, a.at);
    const locked = this.#lockedUntil !== null && a.at < this.#lockedUntil;
    if (a.ok) {
      if (!locked) [this.#level, this.#lockedUntil, this.#resetAt] = [0, null, a.at];
      return;
    }
    this.#failures.push(a.at);
    // Only failures inside the last window can count again, at this attempt or any later one.
    const drop = upperBound(this.#failures, a.at - p.windowMs);
    if (drop > 0) this.#failures.splice(0, drop);
    if (this.#lockedUntil !== null && a.at < this.#lockedUntil + p.windowMs) {
      this.#level += 1;
      this.#lockedUntil = Math.max(this.#lockedUntil, a.at + lockDelay(this.#level, p));
      return;
    }
    const recent = this.#countSince(Math.max(a.at - p.windowMs, this.#resetAt));
    this.#level = recent >= p.maxFailures ? recent - p.maxFailures + 1 : 0;
    this.#lockedUntil = this.#level > 0 ? a.at + lockDelay(this.#level, p) : null;
  }

  at(now: number): LockoutState {
    return {
      lockedUntil: this.#lockedUntil !== null && now < this.#lockedUntil ? this.#lockedUntil : null,
      failures: this.#countSince(Math.max(now - this.p.windowMs, this.#resetAt)),
    };
  }

  /** An independent copy: what the state would be after an attempt, before that attempt is committed. */
  clone(): LockoutReplay {
    const copy = new LockoutReplay(this.p);
    [copy.#level, copy.#lockedUntil, copy.#resetAt, copy.#last, copy.#failures] = [this.#level, this.#lockedUntil, this.#resetAt, this.#last, [...this.#failures]];
    return copy;
  }

  /** Nothing a success could reset: no failure in the window, no lockout level. */
  get settled(): boolean {
    return this.#level === 0 && this.#lockedUntil === null && this.#failures.length === 0;
  }

  #countSince(after: number): number {
    return this.#failures.length - upperBound(this.#failures, after);
  }

  #reset(): void {
    [this.#level, this.#lockedUntil, this.#resetAt, this.#failures] = [0, null, Number.NEGATIVE_INFINITY, []];
  }
}

/** Every attempt `lockoutState` would replay at `now`, oldest first (to seed a LockoutReplay once). */
export function lockoutHistory(db: ReadDb, now: number, policy: Readonly<LockoutPolicy> = DEFAULT_LOCKOUT_POLICY, source?: string): Attempt[] {
  const floor = now - Math.max(7 * DAY_MS, 20 * (policy.windowMs + policy.maxDelayMs));
  const raws = db
    .stmt(`SELECT at, ok FROM code_attempts
           WHERE at > @floor AND at <= @now AND ${SOURCE_FILTER} ORDER BY at, id`)
    .all({ floor, now, source: source ?? null, staff: STAFF_PIN_SOURCE });
  return parseRows(AttemptRow, raws, 'code_attempts');
}

/** Index of the first element > `value` in an ascending array. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Delay of the `level`-th lockout in a row: base · factor^(level−1), capped at maxDelayMs. */
export function lockDelay(level: number, p: Readonly<LockoutPolicy>): number {
  return Math.min(p.baseDelayMs * p.factor ** Math.max(0, level - 1), p.maxDelayMs);
}

/** Deletes attempts logged before `before`. Keep at least 7 days (lockoutState reads that far). Returns how many. */
export function pruneCodeAttempts(db: Db, before: number): number {
  return db.stmt('DELETE FROM code_attempts WHERE at < ?').run(before).changes;
}

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
  const floor = now - Math.max(7 * DAY_MS, 20 * (policy.windowMs + policy.maxDelayMs));
  const raws = db
    .stmt(`SELECT at, ok FROM code_attempts
           WHERE at > @floor AND at <= @now AND ${SOURCE_FILTER} ORDER BY at, id`)
    .all({ floor, now, source: source ?? null, staff: STAFF_PIN_SOURCE });
  return computeLockout(parseRows(AttemptRow, raws, 'code_attempts'), now, policy);
}

/**
 * The lockout after replaying `attempts` (sorted by time) at `now`. Pure.
 * Replay starts after the last quiet gap (> windowMs + maxDelayMs without an
 * attempt): no lockout or count can survive such a gap, so the state there is
 * known to be fresh however long the history is.
 */
export function computeLockout(attempts: readonly Attempt[], now: number, p: Readonly<LockoutPolicy>): LockoutState {
  let start = 0;
  for (let i = attempts.length - 1; i > 0; i -= 1) {
    if (attempts[i]!.at - attempts[i - 1]!.at > p.windowMs + p.maxDelayMs) {
      start = i;
      break;
    }
  }
  let level = 0;
  let lockedUntil: number | null = null;
  let resetAt = Number.NEGATIVE_INFINITY;
  const failures: number[] = [];
  const countSince = (after: number): number => failures.length - upperBound(failures, after);
  for (const a of attempts.slice(start)) {
    if (a.at > now) break;
    const locked = lockedUntil !== null && a.at < lockedUntil;
    if (a.ok) {
      if (!locked) [level, lockedUntil, resetAt] = [0, null, a.at];
      continue;
    }
    failures.push(a.at);
    if (lockedUntil !== null && a.at < lockedUntil + p.windowMs) {
      level += 1;
      lockedUntil = Math.max(lockedUntil, a.at + lockDelay(level, p));
      continue;
    }
    const recent = countSince(Math.max(a.at - p.windowMs, resetAt));
    level = recent >= p.maxFailures ? recent - p.maxFailures + 1 : 0;
    lockedUntil = level > 0 ? a.at + lockDelay(level, p) : null;
  }
  return {
    lockedUntil: lockedUntil !== null && now < lockedUntil ? lockedUntil : null,
    failures: countSince(Math.max(now - p.windowMs, resetAt)),
  };
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

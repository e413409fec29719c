import { z } from 'zod';
import { seededRandom } from '../../src/shared/seeded-random.js';

/**
 * Fault injection for the mock vendor clouds (issue 4 §5: latency, 5xx,
 * timeouts, dropped connections, duplicate callbacks; §6 chaos test). The
 * server asks `decide(vendor)` once per vendor request and acts on the answer;
 * `/_mock/*` never gets a fault. Every decision comes from a seeded PRNG, one
 * stream per vendor, so a run with the same seed and the same request order
 * fails the same requests, and one vendor's traffic does not shift another's.
 */

/** Every field has a default of "no fault". Rates are probabilities per request; their sum is at most 1. */
export interface FaultPlan {
  /** Delay before the request is handled, ms. Default 0. */
  latencyMs: number;
  /** Extra delay, uniform in [0, latencyJitterMs), ms. Default 0. */
  latencyJitterMs: number;
  /** Answer 500, 502 or 503 without applying. Default 0. */
  failRate: number;
  /** Answer 429 with `Retry-After: retryAfterSeconds` without applying. Default 0. */
  rate429: number;
  /** The Retry-After of a 429, whole seconds. Default 1. */
  retryAfterSeconds: number;
  /** Read the request, never answer, apply nothing: the sender's timeout fires. Held requests are released when the server closes. Default 0. */
  timeoutRate: number;
  /** Read the request, destroy the socket before answering, apply nothing: a network error for the sender. Default 0. */
  dropRate: number;
  /** Apply, then answer 500: the acknowledgement is lost and the sender must resend (a duplicate). Default 0. */
  applyThenFailRate: number;
  /** Extra copies of every vendor → agent callback, sent one after another after the first. Default 0. */
  duplicateCallbacks: number;
}

export const NO_FAULTS: Readonly<FaultPlan> = Object.freeze({
  latencyMs: 0,
  latencyJitterMs: 0,
  failRate: 0,
  rate429: 0,
  retryAfterSeconds: 1,
  timeoutRate: 0,
  dropRate: 0,
  applyThenFailRate: 0,
  duplicateCallbacks: 0,
});

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0).max(10 * 60_000);
const planSchema = z.strictObject({
  latencyMs: ms.optional(),
  latencyJitterMs: ms.optional(),
  failRate: rate.optional(),
  rate429: rate.optional(),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
  timeoutRate: rate.optional(),
  dropRate: rate.optional(),
  applyThenFailRate: rate.optional(),
  duplicateCallbacks: z.number().int().min(0).max(100).optional(),
});
const configSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
  all: planSchema.optional(),
  vendors: z.record(z.string(), planSchema).optional(),
});

/** Some fields of a plan; the rest come from `all`, then from `NO_FAULTS`. */
export type FaultPlanInput = Partial<FaultPlan>;

/**
 * The faults of a mock cloud: `all` applies to every vendor, `vendors[name]`
 * overrides it field by field for one vendor. `seed` (a uint32) makes the run
 * reproducible; without one a random seed is drawn and reported by `state()`.
 */
export interface FaultConfig {
  seed?: number;
  all?: FaultPlanInput;
  vendors?: Record<string, FaultPlanInput>;
}

export class FaultPlanError extends Error {
  override readonly name = 'FaultPlanError';
  readonly code = 'bad-fault-plan';
}

/** Validates a fault config (from options or a control request). Throws FaultPlanError naming the bad field. */
export function parseFaultConfig(value: unknown): FaultConfig {
  const result = configSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FaultPlanError(`fault config: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`);
  }
  const config = stripUndefined(result.data);
  checkRates('all', mergePlan(config.all));
  for (const [vendor, plan] of Object.entries(config.vendors ?? {})) checkRates(`vendors.${vendor}`, mergePlan(config.all, plan));
  return config;
}

function checkRates(where: string, plan: FaultPlan): void {
  const sum = plan.failRate + plan.rate429 + plan.timeoutRate + plan.dropRate + plan.applyThenFailRate;
  if (sum > 1 + 1e-9) throw new FaultPlanError(`fault config: ${where}: the rates add up to ${sum}, more than 1`);
}

export function mergePlan(all?: FaultPlanInput, vendor?: FaultPlanInput): FaultPlan {
  return { ...NO_FAULTS, ...all, ...vendor };
}

/** What the server does with one vendor request. `delayMs` comes first in every case. */
export type FaultDecision =
  | { kind: 'pass'; delayMs: number }
  | { kind: 'fail'; delayMs: number; status: 500 | 502 | 503 }
  | { kind: 'throttle'; delayMs: number; retryAfterSeconds: number }
  | { kind: 'timeout'; delayMs: number }
  | { kind: 'drop'; delayMs: number }
  | { kind: 'apply-then-fail'; delayMs: number };

export type FaultKind = FaultDecision['kind'];

const FAIL_STATUSES = [500, 502, 503] as const;

/**
 * Pure: the decision for one request from three uniform draws in [0, 1):
 * `pick` chooses the fault (drop, timeout, 429, 5xx, apply-then-fail, pass, in
 * that order along [0, 1)), `jitter` the extra latency, `status` the 5xx.
 */
export function decideFault(plan: FaultPlan, pick: number, jitter: number, status: number): FaultDecision {
  const delayMs = plan.latencyMs + Math.floor(jitter * plan.latencyJitterMs);
  let edge = plan.dropRate;
  if (pick < edge) return { kind: 'drop', delayMs };
  if (pick < (edge += plan.timeoutRate)) return { kind: 'timeout', delayMs };
  if (pick < (edge += plan.rate429)) return { kind: 'throttle', delayMs, retryAfterSeconds: plan.retryAfterSeconds };
  if (pick < (edge += plan.failRate)) return { kind: 'fail', delayMs, status: FAIL_STATUSES[Math.min(2, Math.floor(status * 3))] ?? 500 };
  if (pick < (edge += plan.applyThenFailRate)) return { kind: 'apply-then-fail', delayMs };
  return { kind: 'pass', delayMs };
}

export { seededRandom };

/** The seed of one vendor's stream: FNV-1a of the name, mixed with the run seed. */
function vendorSeed(seed: number, vendor: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < vendor.length; i++) hash = Math.imul(hash ^ vendor.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** How many requests got each decision, and how many extra callbacks went out. */
export type FaultStats = Record<FaultKind, number> & { requests: number; extraCallbacks: number };

export interface FaultState {
  seed: number;
  all: FaultPlanInput;
  vendors: Record<string, FaultPlanInput>;
  stats: Record<string, FaultStats>;
}

/** The mutable fault state of one mock cloud (runtime changes come through `configure`). */
export class FaultInjector {
  #seed: number;
  #config: FaultConfig = {};
  readonly #random = new Map<string, () => number>();
  readonly #stats = new Map<string, FaultStats>();

  /** Throws FaultPlanError for an invalid config. */
  constructor(config: FaultConfig = {}, randomSeed: () => number = () => Math.floor(Math.random() * 0x1_0000_0000)) {
    this.#seed = config.seed ?? randomSeed();
    this.configure(config);
  }

  /**
   * Replaces the plans. A `seed` restarts every vendor's random stream from
   * it; without one the streams carry on. Counters are kept. Throws
   * FaultPlanError (the current plans stay) for an invalid config.
   */
  configure(config: FaultConfig): void {
    const parsed = parseFaultConfig(config);
    this.#config = parsed;
    if (parsed.seed !== undefined) {
      this.#seed = parsed.seed;
      this.#random.clear();
    }
  }

  planFor(vendor: string): FaultPlan {
    return mergePlan(this.#config.all, this.#config.vendors?.[vendor]);
  }

  /** The decision for the next request to `vendor`; always three draws, so a plan change does not shift the stream. */
  decide(vendor: string): FaultDecision {
    const random = this.#randomOf(vendor);
    const decision = decideFault(this.planFor(vendor), random(), random(), random());
    const stats = this.#statsOf(vendor);
    stats.requests += 1;
    stats[decision.kind] += 1;
    return decision;
  }

  /** Extra copies for one vendor → agent callback (counted as sent). */
  extraCallbacks(vendor: string): number {
    const n = this.planFor(vendor).duplicateCallbacks;
    this.#statsOf(vendor).extraCallbacks += n;
    return n;
  }

  state(): FaultState {
    const stats: Record<string, FaultStats> = {};
    for (const [vendor, s] of this.#stats) stats[vendor] = { ...s };
    return { seed: this.#seed, all: { ...this.#config.all }, vendors: { ...this.#config.vendors }, stats };
  }

  #randomOf(vendor: string): () => number {
    let random = this.#random.get(vendor);
    if (random === undefined) this.#random.set(vendor, (random = seededRandom(vendorSeed(this.#seed, vendor))));
    return random;
  }

  #statsOf(vendor: string): FaultStats {
    let stats = this.#stats.get(vendor);
    if (stats === undefined) {
      stats = { requests: 0, pass: 0, fail: 0, throttle: 0, timeout: 0, drop: 0, 'apply-then-fail': 0, extraCallbacks: 0 };
      this.#stats.set(vendor, stats);
    }
    return stats;
  }
}

/** A caller in code may pass `{ failRate: undefined }`: dropped here, so the merge spread keeps the default. */
function stripUndefined(config: z.infer<typeof configSchema>): FaultConfig {
  const clean = (plan: Record<string, unknown> | undefined): FaultPlanInput | undefined =>
    plan === undefined ? undefined : (Object.fromEntries(Object.entries(plan).filter(([, v]) => v !== undefined)) as FaultPlanInput);
  const out: FaultConfig = {};
  if (config.seed !== undefined) out.seed = config.seed;
  const all = clean(config.all);
  if (all !== undefined) out.all = all;
  if (config.vendors !== undefined) out.vendors = Object.fromEntries(Object.entries(config.vendors).map(([k, v]) => [k, clean(v) ?? {}]));
  return out;
}

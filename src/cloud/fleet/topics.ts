/**
 * The fleet link's topics and payloads (docs/fleet.md). Pure: topic names,
 * zod schemas of every message, and the signature of a desired
 * configuration. The command messages themselves are the channel's
 * (src/cloud/channel/command.ts), byte for byte.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DOOR_STATES } from '../../shared/domain.js';
import { canonicalJson } from '../common/canonical-json.js';

/** Every leaf under `<prefix>/<thing>/`, with its direction, QoS and retain flag (docs/fleet.md §2). */
export const FLEET_LEAVES = {
  status: 'status',
  state: 'state',
  telemetry: 'telemetry',
  alarms: 'alarms',
  alarmAck: 'alarms/ack',
  events: 'events',
  commands: 'commands',
  results: 'results',
  desired: 'config/desired',
  reported: 'config/reported',
  jobs: 'jobs',
  jobStatus: 'jobs/status',
} as const;

export type FleetLeaf = keyof typeof FLEET_LEAVES;
export type FleetTopics = Record<FleetLeaf, string>;

/**
 * The topics of one cabinet: `<prefix>/<thing>/<leaf>`, or
 * `<prefix>/<thing>/<leafPrefix>/<leaf>` when a broker wants the device's
 * own topics under a fixed level after the device (docs/fleet.md §8).
 */
export function fleetTopics(prefix: string, thing: string, leafPrefix = ''): FleetTopics {
  const mid = leafPrefix === '' ? '' : `${leafPrefix}/`;
  return Object.fromEntries(Object.entries(FLEET_LEAVES).map(([k, leaf]) => [k, `${prefix}/${thing}/${mid}${leaf}`])) as FleetTopics;
}

/** The operator's subscription to one leaf of every cabinet (`+` in the thing level). */
export function fleetWildcard(prefix: string, leaf: FleetLeaf, leafPrefix = ''): string {
  return `${prefix}/+/${leafPrefix === '' ? '' : `${leafPrefix}/`}${FLEET_LEAVES[leaf]}`;
}

/** The thing level of a topic under `prefix`, or null when it is not one of ours. */
export function thingOf(prefix: string, topic: string, leafPrefix = ''): { thing: string; leaf: FleetLeaf } | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const rest = topic.slice(prefix.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const thing = rest.slice(0, slash);
  let tail = rest.slice(slash + 1);
  if (leafPrefix !== '') {
    if (!tail.startsWith(`${leafPrefix}/`)) return null;
    tail = tail.slice(leafPrefix.length + 1);
  }
  const leaf = (Object.keys(FLEET_LEAVES) as FleetLeaf[]).find((k) => FLEET_LEAVES[k] === tail);
  return leaf === undefined ? null : { thing, leaf };
}

/** Levels of the deepest topic we use under `prefix` (a leading `/` makes an empty first level, as MQTT counts it). */
export function deepestTopicLevels(prefix: string, leafPrefix = ''): number {
  const mid = leafPrefix === '' ? 0 : leafPrefix.split('/').length;
  return prefix.split('/').length + 1 + mid + Math.max(...Object.values(FLEET_LEAVES).map((l) => l.split('/').length));
}

const epochMs = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const id = z.string().min(1).max(128);

/** `status`, retained: the online message at connect, and the last will the broker publishes when the link dies. */
export const statusPayloadSchema = z
  .object({
    online: z.boolean(),
    /** Our clock when it was written; for the will, the connect it belongs to. */
    at: epochMs,
    /** `connected`, `last-will` (the broker's), or `stopped` (a clean shutdown). */
    reason: z.enum(['connected', 'last-will', 'stopped']),
  })
  .strict();
export type StatusPayload = z.output<typeof statusPayloadSchema>;

export const fleetAlarmCodeSchema = z.string().regex(/^[a-z][a-z0-9-]*$/).max(64);

const alarmSummary = z.object({ code: fleetAlarmCodeSchema, since: epochMs, detail: z.string().max(500).nullable() }).strict();

/** `state`, retained: the cabinet as the operator's table shows it, republished (debounced) when it changes. */
export const statePayloadSchema = z
  .object({
    cabinetId: z.string().min(1).max(128),
    at: epochMs,
    versions: z.object({ app: z.string().max(64), node: z.string().max(64), schema: z.number().int().nullable() }).strict(),
    compartments: z.array(
      z
        .object({
          id: z.string().min(1).max(32),
          size: z.string().max(8),
          door: z.enum(DOOR_STATES),
          occupied: z.boolean(),
          outOfService: z.boolean(),
          needsCheck: z.boolean(),
        })
        .strict(),
    ),
    /** Every condition up now, oldest first. */
    alarms: z.array(alarmSummary),
    outbox: z.object({ depth: z.number().int().min(0), dead: z.number().int().min(0), oldestPendingAgeMs: z.number().int().min(0).nullable() }).strict(),
    /** The health summary when the agent has one (free-form, small). */
    health: z.unknown().optional(),
    /** The runtime configuration in force and its version (0: as booted). */
    config: z.object({ version: z.number().int().min(0), settings: z.record(z.string(), z.unknown()) }).strict(),
    /** True when compartments were left out to fit `limits.maxPayloadBytes`. */
    truncated: z.boolean().optional(),
  })
  .strict();
export type StatePayload = z.output<typeof statePayloadSchema>;

/** `alarms`: one raise or clear, sent again every `alarmRepeatMs` until `alarms/ack` names its id. */
export const alarmPayloadSchema = z
  .object({
    id,
    cabinetId: z.string().min(1).max(128),
    code: fleetAlarmCodeSchema,
    state: z.enum(['raised', 'cleared']),
    since: epochMs,
    at: epochMs,
    detail: z.string().max(500).nullable(),
    /** 0 the first time, then 1, 2 … per repeat. */
    repeat: z.number().int().min(0),
  })
  .strict();
export type AlarmPayload = z.output<typeof alarmPayloadSchema>;

export const alarmAckSchema = z.object({ id }).strict();

/** `events`: one outbox row. `idempotencyKey` = the event id: a consumer applies each key once. */
export const eventPayloadSchema = z
  .object({
    idempotencyKey: id,
    type: z.string().min(1).max(64),
    cabinetId: z.string().min(1).max(128),
    parcelId: z.string().nullable(),
    compartmentId: z.string().nullable(),
    occurredAt: epochMs,
    payload: z.unknown(),
  })
  .strict();
export type FleetEventPayload = z.output<typeof eventPayloadSchema>;

/** A runtime setting's value: JSON scalars only. */
export const settingValueSchema = z.union([z.string().max(256), z.number(), z.boolean()]);
export type SettingValue = z.output<typeof settingValueSchema>;

/**
 * `config/desired`, retained, published by the operator: the whole desired
 * runtime configuration at `version`, signed (the cabinet's thing name is in
 * the signed text, so a desired document for one cabinet is refused by another).
 */
export const desiredPayloadSchema = z
  .object({
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    settings: z.record(z.string().min(1).max(64), settingValueSchema),
    signature: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex digits'),
  })
  .strict();
export type DesiredPayload = z.output<typeof desiredPayloadSchema>;

/** `config/reported`, retained: what the cabinet runs, and the outcome of the last desired version it saw. */
export const reportedPayloadSchema = z
  .object({
    /** The version in force (0: as booted). */
    version: z.number().int().min(0),
    settings: z.record(z.string(), z.unknown()),
    /** The last desired version handled and how it went. */
    last: z
      .object({
        version: z.number().int().min(0),
        outcome: z.enum(['applied', 'rejected', 'rolled-back']),
        error: z.object({ code: z.string().max(64), message: z.string().max(500), key: z.string().max(64).optional() }).strict().optional(),
      })
      .strict()
      .nullable(),
    at: epochMs,
  })
  .strict();
export type ReportedPayload = z.output<typeof reportedPayloadSchema>;

/** `jobs/status`: a job's progress; the job itself is a signed command on `jobs`. */
export const jobStatusSchema = z
  .object({
    id: id.nullable(),
    state: z.enum(['in-progress', 'succeeded', 'failed']),
    result: z.unknown().optional(),
    at: epochMs,
  })
  .strict();
export type JobStatus = z.output<typeof jobStatusSchema>;

/** The exact text a desired configuration's signature covers: RFC 8785 canonical JSON of thing, version and settings. */
export function desiredSigningText(thing: string, version: number, settings: Record<string, SettingValue>): string {
  return canonicalJson({ thing, version, settings });
}

export function signDesired(thing: string, version: number, settings: Record<string, SettingValue>, secret: string): DesiredPayload {
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(desiredSigningText(thing, version, settings), 'utf8').digest('hex');
  return { version, settings, signature };
}

export type DesiredVerdict = { ok: true; desired: DesiredPayload } | { ok: false; code: 'malformed' | 'bad-signature'; message: string };

/** Parses and checks a desired document. Never throws. */
export function verifyDesired(raw: string | Uint8Array, thing: string, secret: string): DesiredVerdict {
  let message: unknown;
  try {
    message = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch {
    return { ok: false, code: 'malformed', message: 'not JSON' };
  }
  const parsed = desiredPayloadSchema.safeParse(message);
  if (!parsed.success) return { ok: false, code: 'malformed', message: parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'} ${i.message}`).join('; ') };
  let expected: Buffer;
  try {
    expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(desiredSigningText(thing, parsed.data.version, parsed.data.settings), 'utf8').digest();
  } catch {
    return { ok: false, code: 'malformed', message: 'settings have no canonical form' };
  }
  if (!timingSafeEqual(expected, Buffer.from(parsed.data.signature, 'hex'))) return { ok: false, code: 'bad-signature', message: 'signature does not match' };
  return { ok: true, desired: parsed.data };
}

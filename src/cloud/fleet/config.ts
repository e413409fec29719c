import { z } from 'zod';
import { durationMs } from '../../shared/duration.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const ms = (def: number, max: number, min = 1) => durationMs({ min, max, default: def });

/** A topic prefix: MQTT levels without wildcards; may start with `/` (Aliyun's custom topics do). */
const topicPrefix = z
  .string()
  .min(1)
  .max(200)
  .regex(/^\/?[^#+/\s]+(\/[^#+/\s]+)*$/, 'levels separated by "/", no wildcards, spaces or empty levels');

/**
 * Broker limits (docs/fleet.md §8). The defaults fit the tightest of
 * the brokers the fleet link targets, AWS IoT Core: 128 KB a message, 7
 * levels after the prefix-free root, about 100 QoS 1 messages in flight.
 */
const limitsSchema = z
  .object({
    /** A message larger than this is never published: a state snapshot is trimmed, an event dead-lettered. */
    maxPayloadBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(128 * 1024),
    /** Levels of the longest topic we use; checked at start against the prefix. */
    maxTopicLevels: z.number().int().min(3).max(64).default(7),
    /** QoS 1 publishes awaiting PUBACK at once; more wait their turn. */
    maxInflight: z.number().int().min(1).max(65535).default(100),
  })
  .strict();

/**
 * `cloud.fleet`: the cabinet's link to the operator's MQTT broker
 * (docs/fleet.md). One connection, persistent session, QoS 1.
 */
export const fleetConfigSchema = z
  .object({
    /** mqtt:// or mqtts:// (TLS; give `ca` for a private CA). */
    url: z.string().regex(/^mqtts?:\/\/[^\s]+$/, 'an mqtt:// or mqtts:// URL'),
    /** The outbox destination name of the events topic; unique across `cloud`. */
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and hyphens, starting with a letter').default('fleet'),
    /** Default the cabinet id: one stable id per cabinet is what makes the broker keep its session. */
    clientId: z.string().min(1).max(128).optional(),
    /** The cabinet's id in topics; default the cabinet id. Aliyun: the deviceName. */
    thingName: z.string().min(1).max(128).regex(/^[^#+/\s]+$/, 'one topic level: no "/", wildcards or spaces').optional(),
    /** Topics are `<topicPrefix>/<thingName>/<leaf>`. */
    topicPrefix: topicPrefix.default('cabinets'),
    /** Levels between the thing and the leaf, for brokers that want them (Aliyun custom topics: `user`); default none. */
    topicLeafPrefix: z.string().max(100).regex(/^([^#+/\s]+(\/[^#+/\s]+)*)?$/, 'levels separated by "/", no wildcards or spaces').default(''),
    /**
     * QoS 1 publishes a second at most; 0 = no limit. AWS IoT Core allows 100
     * publishes a second per connection (docs/fleet.md §8): set 100 there.
     */
    maxPublishPerSecond: z.number().int().min(0).max(100_000).default(0),
    username: z.string().min(1).max(512).optional(),
    password: z.string().min(1).max(4096).optional(),
    /** PEM files, relative to the configuration file. */
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** 4 = MQTT 3.1.1 (every target broker), 5 = MQTT 5. */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
    /** Seconds; the broker declares the cabinet offline (last will) after about 1.5 × this without a packet. */
    keepaliveS: z.number().int().min(1).max(1200).default(30),
    connectTimeoutMs: ms(15 * SECOND, 5 * MINUTE),
    /** Reconnect: full jitter from reconnectBaseMs doubling up to reconnectCapMs, forever. */
    reconnectBaseMs: ms(1000, HOUR),
    reconnectCapMs: ms(60 * SECOND, HOUR),
    /** The HMAC key of commands, jobs and desired configuration (src/cloud/channel/README.md "Signature"). */
    secret: z.string().min(16),
    replayWindowMs: ms(5 * MINUTE, HOUR),
    /** Telemetry (heartbeat) period. */
    heartbeatMs: ms(60 * SECOND, HOUR),
    /** A change of state is published this long after the last change, at most. */
    stateDebounceMs: ms(1000, MINUTE, 0),
    /** An alarm is sent again this often until the operator acknowledges it. */
    alarmRepeatMs: ms(30 * SECOND, HOUR),
    /** Commands waiting beyond this are answered `busy`. */
    maxQueued: z.number().int().min(1).default(100),
    limits: limitsSchema.default(limitsSchema.parse({})),
  })
  .strict()
  .refine((f) => f.reconnectCapMs >= f.reconnectBaseMs, { message: 'reconnectCapMs must be at least reconnectBaseMs', path: ['reconnectCapMs'] })
  .refine((f) => (f.cert === undefined) === (f.key === undefined), { message: 'give both cert and key, or neither', path: ['key'] });

export type FleetSettings = z.output<typeof fleetConfigSchema>;

/** TLS material read from the files named in the configuration (src/main reads them). */
export interface FleetTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

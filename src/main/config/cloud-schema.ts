import { z } from 'zod';
import { claimedDestinationNames, fleetConfigSchema, VENDOR_CONFIG_SHAPE, type WebhookSettings } from '../../cloud/index.js';
import { durationMs } from '../../shared/duration.js';

/**
 * `cloud:` in the configuration: which integrations are active, with their
 * URLs and credentials. Every integration is off unless configured; the
 * cabinet works offline with none. Secrets here are redacted from logs
 * (logging.ts) and never echoed in errors.
 */

/**
 * A positive duration in ms with its default and ceiling, far below the
 * 2^31−1 ms a Node timer holds (src/shared/duration.ts): a typo is refused.
 */
const ms = (def: number, max: number) => durationMs({ min: 1, max, default: def });
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const syncSchema = z
  .object({
    /** Rows read per page: the most a drainer holds in memory. */
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** Longest idle sleep before a destination looks at its outbox again; an hour at most. */
    pollMs: ms(5000, HOUR),
    /** One delivery attempt; 5 minutes at most. */
    attemptTimeoutMs: ms(10_000, 5 * MINUTE),
    /** First retry delay; doubles per failed attempt with full jitter. */
    backoffBaseMs: ms(1000, HOUR),
    /** Longest retry delay (15 minutes); a day at most, or events sit unsent for days. */
    backoffCapMs: ms(15 * 60_000, DAY),
    /** Retry answers in a row after which a destination counts as offline and backs off as a whole. */
    offlineAfterFailures: z.number().int().min(1).default(3),
  })
  .strict();

const codePullSchema = z
  .object({
    /** node-cron expression; default every 5 minutes. A source is also pulled at start and when its own vendor's server answers again (the destination sharing it recovers). */
    cron: z.string().min(1).default('*/5 * * * *'),
    /** One whole pull of one source; an hour at most. */
    timeoutMs: ms(120_000, HOUR),
  })
  .strict();

const receiverSchema = z
  .object({
    /** Put a reverse proxy with TLS in front when vendors call over the internet. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8788),
    maxBodyBytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
    /** Slow senders are cut off (slowloris): headers within this, the whole request within requestTimeoutMs. */
    headersTimeoutMs: ms(10_000, 5 * MINUTE),
    requestTimeoutMs: ms(30_000, 10 * MINUTE),
    maxConnections: z.number().int().min(1).default(64),
    /**
     * The port taken at start: the agent runs on (pickups never need the
     * receiver), raises `receiver-down` and retries binding with full jitter
     * from retryBaseMs doubling up to retryCapMs, forever.
     */
    retryBaseMs: ms(1000, HOUR),
    retryCapMs: ms(60_000, HOUR),
  })
  .strict()
  .refine((r) => r.requestTimeoutMs >= r.headersTimeoutMs, { message: 'requestTimeoutMs must be at least headersTimeoutMs', path: ['requestTimeoutMs'] })
  .refine((r) => r.retryCapMs >= r.retryBaseMs, { message: 'retryCapMs must be at least retryBaseMs', path: ['retryCapMs'] });

const channelSchema = z
  .object({
    /** ws:// or wss:// URL of the operator's command endpoint. */
    url: z.string().regex(/^wss?:\/\//, 'a ws:// or wss:// URL'),
    /** The device token, sent as `Authorization: Bearer`. */
    token: z.string().min(8).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    /** HMAC key the commands are signed with. */
    secret: z.string().min(16),
    /** Commands issued further than this from our clock are refused (replays). */
    replayWindowMs: ms(5 * 60_000, HOUR),
    /** The operator's liveness view; an hour at most. */
    heartbeatMs: ms(60_000, HOUR),
    /** A ping this long after connect and after each pong; no pong within pongTimeoutMs drops the connection. */
    pingIntervalMs: ms(30_000, HOUR),
    pongTimeoutMs: ms(10_000, 5 * MINUTE),
    handshakeTimeoutMs: ms(10_000, 5 * MINUTE),
    /** Reconnect delay: full jitter from backoffBaseMs doubling up to backoffCapMs; reset once a connection stayed up stableAfterMs. */
    backoffBaseMs: ms(1000, HOUR),
    backoffCapMs: ms(60_000, HOUR),
    stableAfterMs: ms(30_000, HOUR),
    /** Not a duration: bytes. A command is a few hundred; 16 MiB at most. */
    maxMessageBytes: z.number().int().positive().max(16 * 1024 * 1024).default(64 * 1024),
    /** Commands waiting beyond this are answered `busy` and not stored. */
    maxQueued: z.number().int().min(1).default(100),
  })
  .strict();

export const cloudSchema = z
  .object({
    /**
     * The vendors (src/cloud/registry.ts): `webhooks`, `dingshang`, `aituo`,
     * `hongxun`, `yopoint`, each off unless configured; each vendor's README
     * lists its keys.
     */
    ...VENDOR_CONFIG_SHAPE,
    sync: syncSchema.default(syncSchema.parse({})),
    codePull: codePullSchema.default(codePullSchema.parse({})),
    /** Leave out to accept no vendor callbacks. */
    receiver: receiverSchema.optional(),
    /** Leave out for no remote commands. */
    channel: channelSchema.optional(),
    /** The MQTT fleet link (docs/fleet.md); leave out for none. */
    fleet: fleetConfigSchema.optional(),
  })
  .strict()
  .superRefine((cloud, ctx) => {
    const names = new Set<string>();
    const claim = (name: string, path: (string | number)[]) => {
      if (!/^[a-z][a-z0-9-]*$/.test(name)) ctx.addIssue({ code: 'custom', path, message: 'lower-case letters, digits and hyphens, starting with a letter' });
      if (names.has(name)) ctx.addIssue({ code: 'custom', path, message: `destination name "${name}" is used twice` });
      names.add(name);
    };
    for (const { name, path } of claimedDestinationNames(cloud)) claim(name, path);
    if (cloud.fleet !== undefined) claim(cloud.fleet.name, ['fleet', 'name']);
  });

export type CloudConfig = z.output<typeof cloudSchema>;
export type { WebhookSettings };

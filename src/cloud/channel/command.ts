/**
 * The command channel's wire format (README.md here): signed commands from
 * the cloud, results and heartbeats from the cabinet. Pure: the caller
 * passes the time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DOOR_STATES } from '../../shared/domain.js';
import { CanonicalJsonError, canonicalJson } from '../common/canonical-json.js';

export const COMMAND_TYPES = ['open', 'remote-pickup', 'cancel-parcel', 'set-code', 'sync-now', 'status', 'upload-logs', 'set-config'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** Issue 4 §3: commands issued further than this from our clock, either way, are refused. */
export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60_000;

const commandId = z.string().min(1).max(128);
/** Epoch milliseconds. */
const epochMs = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** As the UI contract's compartmentId (src/shared/contract.ts). */
const compartment = z.string().min(1).max(32);
const parcelId = z.string().min(1).max(128);
/** As the keypad's pickup input (src/shared/contract.ts `pickup`). */
const pickupCode = z.string().regex(/^\d{1,12}$/, '1 to 12 digits');

/**
 * `args` per type. Strict: an argument the cabinet does not know is refused
 * (`bad-args`) rather than ignored, so a newer cloud never believes an
 * option took effect. `remote-pickup` names the parcel, not a compartment:
 * it is the pickup flow of a known parcel (marks it picked up, reports it);
 * opening a compartment by number is `open`.
 */
export const commandArgsSchemas = {
  open: z.object({ compartment }).strict(),
  'remote-pickup': z.object({ parcelId }).strict(),
  'cancel-parcel': z.object({ parcelId, reason: z.string().min(1).max(200).optional() }).strict(),
  'set-code': z.object({ parcelId, code: pickupCode, validUntil: epochMs.optional() }).strict(),
  'sync-now': z.object({}).strict(),
  status: z.object({}).strict(),
  /** HTTP PUT of the newest log file to `url` (a pre-signed upload URL; https unless loopback). */
  'upload-logs': z.object({ url: z.string().url().max(4096) }).strict(),
  /** Runtime settings to change (docs/fleet.md §6); a link without runtime settings answers `not-supported`. */
  'set-config': z.object({ settings: z.record(z.string().min(1).max(64), z.union([z.string().max(256), z.number(), z.boolean()])) }).strict(),
} as const satisfies Record<CommandType, z.ZodType>;

export type CommandArgs<T extends CommandType> = z.output<(typeof commandArgsSchemas)[T]>;

/** A verified command, as the executor gets it (the signature stays behind). */
export type ChannelCommand = {
  [T in CommandType]: { id: string; type: T; args: CommandArgs<T>; issuedAt: number };
}[CommandType];

/** What the cloud signs: any type and any JSON object as args (the mock signs unknown types too). */
export interface UnsignedCommand {
  id: string;
  type: string;
  args: Record<string, unknown>;
  issuedAt: number;
}

export interface SignedCommand extends UnsignedCommand {
  /** Lower-case hex HMAC-SHA256, 64 characters. */
  signature: string;
}

/** The message as it arrives, before the signature is checked. Extra top-level members are refused: they would ride along unsigned. */
export const signedCommandSchema = z
  .object({
    id: commandId,
    type: z.string().min(1).max(64),
    args: z.record(z.string(), z.unknown()),
    issuedAt: epochMs,
    // Hex rather than base64: one spelling (no base64url/padding variants), and `openssl dgst -hex` prints it.
    signature: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex digits'),
  })
  .strict();

/** Why a command was refused; nothing of a refused command is stored. */
export type CommandRefusalCode = 'malformed' | 'bad-signature' | 'stale' | 'unknown-type' | 'bad-args';

export type CommandResult = CommandSuccess | CommandFailure;

export interface CommandSuccess {
  id: string;
  ok: true;
  /** JSON-safe; `null` when there is nothing to say. */
  data: unknown;
}

export interface CommandFailure {
  /** null only when a malformed message had no readable id. */
  id: string | null;
  ok: false;
  /**
   * A refusal code (CommandRefusalCode), `busy` (too many queued, not stored), `internal` (not recorded or the
   * executor failed without a code), `interrupted` (recorded before a restart, outcome unknown, not run again),
   * or the executor's code (a KioskErrorCode such as `compartment-not-found`).
   */
  code: string;
  /** For people and logs; never carries a secret, token or signature. */
  message: string;
}

const resultCode = z.string().regex(/^[a-z][a-z0-9-]*$/).max(64);

export const commandResultSchema: z.ZodType<CommandResult> = z.union([
  z.object({ id: commandId, ok: z.literal(true), data: z.unknown().default(null) }).strict(),
  z.object({ id: commandId.nullable(), ok: z.literal(false), code: resultCode, message: z.string().max(2000) }).strict(),
]);

/** Sent by the cabinet at connect and then every `heartbeatMs` (issue 4 §3). */
const lastCrash = z.object({ at: epochMs, what: z.string().max(500) }).strict().nullable();

/** The heartbeat's cut of the agent's health summary (no RSS samples: the slope says it). */
export const heartbeatHealthSchema = z
  .object({
    uptimeMs: z.number().int().min(0),
    starts: z.number().int().min(1),
    restarts: z.number().int().min(0),
    lastAgentCrash: lastCrash,
    lastScreenCrash: lastCrash,
    rssMb: z.number().min(0),
    /** Least-squares slope over the last hour; null before three samples. */
    rssSlopeMbPerHour: z.number().nullable(),
    watchdog: z.object({ enabled: z.boolean(), healthy: z.boolean(), problems: z.array(z.string()) }).strict(),
  })
  .strict();
export type HeartbeatHealth = z.output<typeof heartbeatHealthSchema>;

export const heartbeatSchema = z
  .object({
    type: z.literal('heartbeat'),
    /** Our clock, epoch ms. */
    at: epochMs,
    appVersion: z.string().min(1).max(64),
    doors: z.array(z.object({ compartment, door: z.enum(DOOR_STATES) }).strict()),
    outbox: z
      .object({
        /** Events not yet acknowledged by every destination (pending rows). */
        depth: z.number().int().min(0),
        /** Age of the oldest pending row; null when none waits. */
        oldestPendingAgeMs: z.number().int().min(0).nullable(),
      })
      .strict(),
    /** SQLite `PRAGMA quick_check` at start: ok, and its lines when not. */
    quickCheck: z.object({ ok: z.boolean(), detail: z.array(z.string()) }).strict(),
    /** The agent's own health: uptime, restarts, last crashes, memory trend, watchdog verdict. Absent from older agents. */
    health: heartbeatHealthSchema.optional(),
  })
  .strict();

export type Heartbeat = z.output<typeof heartbeatSchema>;
/** What src/main supplies; the channel adds `type` and `at`. */
export type HeartbeatFacts = Omit<Heartbeat, 'type' | 'at'>;

/** Everything the cabinet sends: a heartbeat (has `type`) or a result (has `ok`). */
export const cabinetMessageSchema = z.union([heartbeatSchema, commandResultSchema]);

/** The exact text the signature covers: RFC 8785 canonical JSON of the four signed members. Throws CanonicalJsonError. */
export function commandSigningText(command: UnsignedCommand): string {
  return canonicalJson({ id: command.id, type: command.type, args: command.args, issuedAt: command.issuedAt });
}

/** HMAC-SHA256 keyed with the UTF-8 bytes of `secret`, lower-case hex. Throws CanonicalJsonError for args JSON cannot carry. */
export function commandSignature(command: UnsignedCommand, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(commandSigningText(command), 'utf8').digest('hex');
}

/** The command with its signature, as the cloud sends it. Throws CanonicalJsonError for args JSON cannot carry. */
export function signCommand(command: UnsignedCommand, secret: string): SignedCommand {
  const { id, type, args, issuedAt } = command;
  return { id, type, args, issuedAt, signature: commandSignature(command, secret) };
}

export type CommandVerdict = { ok: true; command: ChannelCommand } | (CommandFailure & { code: CommandRefusalCode });

/**
 * Checks one message. Order matters: shape, then signature, then time, then
 * type and args. Only an authentic command learns why it was refused beyond
 * `bad-signature` (a forger gets nothing to probe), and an authentic one that
 * is merely old says `stale` so an operator looks at clocks, not keys.
 * Never throws; the refusal is the result to send back.
 */
export function verifyCommand(raw: string | Uint8Array, secret: string, now: number, windowMs: number = DEFAULT_REPLAY_WINDOW_MS): CommandVerdict {
  let message: unknown;
  try {
    message = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch {
    return refuse(null, 'malformed', 'not JSON');
  }
  const parsed = signedCommandSchema.safeParse(message);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => (i.path.length > 0 ? i.path.join('.') : i.message)).join(', ');
    return refuse(readableId(message), 'malformed', `not a command: ${where}`);
  }
  // Sign over what JSON.parse gave us, not zod's copy: the copy would turn a
  // `__proto__` member into a prototype and drop it from the canonical text.
  const wire = message as SignedCommand;
  const id = parsed.data.id;

  let expected: Buffer;
  try {
    expected = Buffer.from(commandSignature(wire, secret), 'hex');
  } catch (err) {
    if (err instanceof CanonicalJsonError) return refuse(id, 'malformed', `args have no canonical form (${err.code})`);
    throw err;
  }
  if (!timingSafeEqual(expected, Buffer.from(parsed.data.signature, 'hex'))) return refuse(id, 'bad-signature', 'signature does not match');

  const skew = now - parsed.data.issuedAt;
  if (skew > windowMs) return refuse(id, 'stale', `issued ${skew} ms before our clock; the window is ${windowMs} ms`);
  if (-skew > windowMs) return refuse(id, 'stale', `issued ${-skew} ms after our clock; the window is ${windowMs} ms`);

  const type = parsed.data.type;
  if (!isCommandType(type)) return refuse(id, 'unknown-type', `unknown command type ${JSON.stringify(type.slice(0, 64))}`);
  const args = commandArgsSchemas[type].safeParse(wire.args);
  if (!args.success) {
    return refuse(id, 'bad-args', `bad args for ${type}: ${args.error.issues.map((i) => `${i.path.join('.') || '(args)'} ${i.message}`).join('; ')}`);
  }
  return { ok: true, command: { id, type, args: args.data, issuedAt: parsed.data.issuedAt } as ChannelCommand };
}

export function isCommandType(type: string): type is CommandType {
  return (COMMAND_TYPES as readonly string[]).includes(type);
}

function refuse(id: string | null, code: CommandRefusalCode, message: string): CommandFailure & { code: CommandRefusalCode } {
  return { id, ok: false, code, message };
}

/** The id of a message that failed the shape check, when it has a usable one, so the cloud can match the refusal. */
function readableId(message: unknown): string | null {
  if (typeof message !== 'object' || message === null || !('id' in message)) return null;
  const parsed = commandId.safeParse(message.id);
  return parsed.success ? parsed.data : null;
}

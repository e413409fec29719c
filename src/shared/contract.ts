import { z } from 'zod';
import { ALARM_CODES, BOARD_PROTOCOLS, CHECK_KINDS, COMPARTMENT_SIZES, DOOR_OUTCOMES, DOOR_STATES, PARCEL_STATES } from './domain.js';
import { KIOSK_ERROR_CODES } from './errors.js';

/**
 * The one contract between the kiosk screen and the main process, whether it
 * travels over Electron IPC (preload) or a WebSocket (browser mode). Main
 * parses every call's input before acting; the renderer parses every result
 * and pushed event before showing it. Nothing else crosses.
 */

export const CONTRACT_VERSION = 1;

/** The Electron IPC channels; the preload hard-codes the same strings (a test holds them equal). */
export const IPC_CALL_CHANNEL = 'kiosk:call';
export const IPC_EVENT_CHANNEL = 'kiosk:event';
/** Whether the shell's link to the agent is up: pushed as a boolean on each change, and answered to an invoke. */
export const IPC_LINK_CHANNEL = 'kiosk:link';

export const STAFF_ROLES = ['courier', 'technician'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const compartmentId = z.string().min(1).max(32);
const empty = z.object({}).strict();
const nothing = z.null();

export const errorShape = z.object({
  code: z.enum(KIOSK_ERROR_CODES),
  /** For logs and the technician screen only; customers see the catalogue text for `code`. */
  message: z.string().optional(),
  /** e.g. `retryAfterMs` for `locked-out`, `compartmentId` for door errors. */
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type ContractError = z.infer<typeof errorShape>;

export const resultOf = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: errorShape })]);

const gridPlace = z.object({ column: z.number().int().min(1), row: z.number().int().min(1), columnSpan: z.number().int().min(1), rowSpan: z.number().int().min(1) });
export type GridPlace = z.infer<typeof gridPlace>;

/** The cabinet front as configured (`layout`): a grid, each compartment's place in it, and where the screen sits. */
export const cabinetMap = z.object({
  columns: z.number().int().min(1),
  rows: z.number().int().min(1),
  /** "You are here"; null when the screen is not on the cabinet front. */
  screen: gridPlace.nullable(),
  places: z.array(gridPlace.extend({ id: z.string() })),
});
export type CabinetMap = z.infer<typeof cabinetMap>;

const sessionInfo = z.object({
  contractVersion: z.number().int(),
  cabinetId: z.string(),
  cabinetName: z.string().nullable(),
  supportPhone: z.string().nullable(),
  /** Text to encode in the support QR code (usually a URL); null shows none. */
  supportQr: z.string().nullable(),
  codeLength: z.object({ min: z.number().int(), max: z.number().int() }),
  defaultLanguage: z.enum(LANGUAGES),
  idleResetMs: z.number().int().positive(),
  serviceIdleExitMs: z.number().int().positive(),
  /** How long the screen waits without the agent before it shows "temporarily out of service" and blocks input. */
  outageAfterMs: z.number().int().positive(),
  sound: z.boolean(),
  /** Spoken prompts (recorded clips) and the open door's locator chime; the screen may switch them for one customer. */
  voice: z.boolean(),
  /** The drawing follows this map; null draws one column per board. */
  cabinetMap: cabinetMap.nullable(),
  /** Electron kiosk window or a browser served by browser mode. */
  shell: z.enum(['electron', 'browser']),
});
export type SessionInfo = z.infer<typeof sessionInfo>;

export const compartmentView = z.object({
  id: z.string(),
  board: z.number().int(),
  lock: z.number().int(),
  size: z.enum(COMPARTMENT_SIZES),
  door: z.enum(DOOR_STATES),
  /** When supervision last saw `door` change (epoch ms): how old the door's state is. */
  doorSince: z.number().int(),
  outOfService: z.boolean(),
  occupied: z.boolean(),
  /** Kept for a vendor's code source (never offered to couriers). */
  reserved: z.boolean(),
  /** Waits for a person to say whether a parcel is inside. */
  needsCheck: z.boolean(),
});
export type CompartmentView = z.infer<typeof compartmentView>;

const sizeCounts = z.object(Object.fromEntries(COMPARTMENT_SIZES.map((s) => [s, z.number().int().nonnegative()])) as Record<(typeof COMPARTMENT_SIZES)[number], z.ZodNumber>);

export const cabinetOverview = z.object({
  compartments: z.array(compartmentView),
  freeBySize: sizeCounts,
});
export type CabinetOverview = z.infer<typeof cabinetOverview>;

export const healthView = z.object({
  /** `in-setup`: a technician is commissioning the cabinet (the agent let go of the line; it restarts after). */
  lockBus: z.enum(['connected', 'disconnected', 'in-setup']),
  /** `not-configured` until a vendor cloud is set up. */
  cloud: z.enum(['online', 'offline', 'not-configured']),
  outbox: z.object({ pending: z.number().int().nonnegative(), dead: z.number().int().nonnegative() }),
  /** What a technician must act on (src/shared/domain.ts ALARM_CODES), oldest first. */
  alarms: z.array(z.object({ code: z.enum(ALARM_CODES), since: z.number().int(), detail: z.string().nullable() })),
});
export type HealthView = z.infer<typeof healthView>;

/**
 * Every door open answers with how it ended (domain.ts DOOR_OUTCOMES). A
 * refusal before any pulse (wrong code, locked out, storage full…) is an
 * error instead; once an intent is recorded the answer is one of these three.
 */
const doorOpened = z.object({ compartmentId: z.string(), board: z.number().int(), lock: z.number().int(), outcome: z.enum(DOOR_OUTCOMES) });

/** A compartment waiting for "is a parcel inside?" (an interrupted drop-off, return or technician open). */
export const checkView = z.object({
  compartmentId: z.string(),
  board: z.number().int(),
  lock: z.number().int(),
  kind: z.enum(CHECK_KINDS),
  /** Whether our records say a parcel should be inside (the question is asked either way). */
  parcelExpected: z.boolean(),
  since: z.number().int(),
});
export type CheckView = z.infer<typeof checkView>;

/** The answer to a check: `stored` issues the drop-off's code (shown once, here), `freed` and `removed` empty the compartment, `kept` leaves the parcel where it is. */
const checkAnswered = z.object({
  compartmentId: z.string(),
  resolution: z.enum(['stored', 'freed', 'kept', 'removed']),
  code: z.string().nullable(),
  expiresAt: z.number().int().nullable(),
});

const returnable = z.object({
  compartmentId: z.string(),
  size: z.enum(COMPARTMENT_SIZES),
  state: z.enum(PARCEL_STATES),
  trackingNo: z.string().nullable(),
  storedAt: z.number().int().nullable(),
  expiresAt: z.number().int().nullable(),
});

const count = z.number().int().nonnegative();
export const DESTINATION_STATES = ['online', 'offline', 'paused', 'idle', 'queue-only'] as const;
/** An event a destination did not take: dead (a failure to judge and retry) or skipped (nothing to send), with why and how old. */
export const unsentView = z.object({
  eventId: z.string(),
  eventType: z.string(),
  destination: z.string(),
  state: z.enum(['dead', 'skipped']),
  reason: z.string().nullable(),
  ageMs: z.number().int().nonnegative(),
});
export type UnsentView = z.infer<typeof unsentView>;

const outboxView = z.object({
  pending: count,
  dead: count,
  delivered: count,
  skipped: count,
  /** How long the oldest undelivered event has waited; null when none waits. */
  oldestPendingAgeMs: z.number().int().nonnegative().nullable(),
  /** Every destination with rows or configured: its queue and its connection (`queue-only`: no sender in this agent). */
  destinations: z.array(
    z.object({ destination: z.string(), pending: count, dead: count, skipped: count, state: z.enum(DESTINATION_STATES), lastError: z.string().nullable() }),
  ),
  /** The newest dead and skipped rows (a bounded number of each), newest first. */
  unsent: z.array(unsentView),
  /**
   * Orders a vendor told the cabinet about (Yopoint order notifications),
   * newest first: `fetched` once the vendor's own record of the order was
   * read, else `fetchError` says why not yet.
   */
  vendorOrders: z.array(z.object({ source: z.string(), orderRef: z.string(), receivedAt: z.number().int(), paidAt: z.number().int().nullable(), fetched: z.boolean(), fetchError: z.string().nullable() })),
  /**
   * What a vendor later said about an event it had acknowledged (a Dingshang
   * delivery result), newest first: `outcome` and `reason` as the vendor
   * gave them, when it did.
   */
  vendorResults: z.array(z.object({ destination: z.string(), vendorRef: z.string(), eventType: z.string(), at: z.number().int(), outcome: z.string().nullable(), reason: z.string().nullable() })),
});

const diagnostics = z.object({
  port: z.string(),
  baudRate: z.number().int(),
  connected: z.boolean(),
  boards: z.array(z.object({ address: z.number().int(), protocol: z.string(), locks: z.number().int() })),
  stats: z.record(z.string(), z.number()),
  lastFrames: z.array(z.object({ at: z.number(), dir: z.enum(['tx', 'rx']), hex: z.string(), ok: z.boolean(), note: z.string().optional() })),
  recentErrors: z.array(z.object({ at: z.number(), message: z.string() })),
});
export type DiagnosticsView = z.infer<typeof diagnostics>;

/**
 * Commissioning from the touchscreen (service mode, Setup): the same three
 * steps as `cabinet-kiosk setup` (src/main/commission/): scan the line, pulse
 * each lock and say which compartment it is, write the configuration.
 */
const commissionBus = z.object({
  protocol: z.enum(BOARD_PROTOCOLS),
  baudRate: z.number().int().positive(),
  boards: z.array(z.object({ address: z.number().int().min(0), locks: z.number().int().min(1) })),
  /** Boards that answered only at another rate: left out (one line has one rate). */
  leftOut: z.array(z.object({ address: z.number().int(), baudRates: z.array(z.number().int()) })),
});
export type CommissionBus = z.infer<typeof commissionBus>;
const mappedDoor = z.object({ board: z.number().int().min(0), lock: z.number().int().min(1), compartment: compartmentId, size: z.enum(COMPARTMENT_SIZES) });
export type MappedDoorView = z.infer<typeof mappedDoor>;
/** What a pulse did, as the driver saw it (src/drivers/cabinet-hardware.ts `OpenOutcomeKind`). */
export const PULSE_OUTCOMES = ['opened', 'still-locked', 'no-reply-door-open', 'no-reply-door-closed', 'no-reply-unknown', 'not-sent'] as const;
const commissionStart = z.object({
  /** The serial device that will be scanned (the simulator's own line in the demo). */
  port: z.string(),
  simulator: z.boolean(),
  /** The file Save writes; null when the agent runs on its embedded defaults (then Save is refused). */
  configFile: z.string().nullable(),
  /** The door map in use now: its ids and sizes are offered again for the same board and lock. */
  current: z.array(mappedDoor),
});
const commissionSaved = z.object({
  file: z.string(),
  /** The previous file, kept; null when there was none (or the system service writes it). */
  backup: z.string().nullable(),
  /**
   * `written`: the agent wrote the file itself. `handed-over`: the agent may
   * not write /etc; it left the proposal for the root-run apply unit
   * (cabinet-kiosk-apply-config.path), which writes the file and restarts it.
   */
  applied: z.enum(['written', 'handed-over']),
});

/**
 * Every call: its input, its result value, and who may make it. `role: null`
 * is anyone at the screen; a staff role needs a PIN login on this connection
 * first (a technician may do what a courier may).
 */
export const calls = {
  'session.info': { role: null, input: empty, output: sessionInfo },
  /** The keypad calls this on each key: polls stay off the lock bus while a customer types. */
  'keypad.activity': { role: null, input: empty, output: nothing },
  pickup: { role: null, input: z.object({ code: z.string().regex(/^\d{1,12}$/) }).strict(), output: doorOpened.extend({ reopened: z.boolean(), opensLeft: z.number().int().min(0) }) },
  'cabinet.overview': { role: null, input: empty, output: cabinetOverview },
  'health.get': { role: null, input: empty, output: healthView },
  /**
   * The Electron shell says one of its processes died and what it did about
   * it (src/main/electron/screen-recovery.ts). A summary only: the dumps stay
   * in the screen user's folder. The agent records `screen.crashed`.
   */
  'screen.reportCrash': {
    role: null,
    input: z.object({
      process: z.enum(['renderer', 'gpu']), reason: z.string().min(1).max(64), exitCode: z.number().int().nullable(),
      recovery: z.enum(['reload', 'relaunch', 'software-rendering', 'none']), dumpFiles: z.number().int().min(0).max(100_000),
    }).strict(),
    output: nothing,
  },

  'staff.login': { role: null, input: z.object({ role: z.enum(STAFF_ROLES), pin: z.string().regex(/^\d{4,12}$/) }).strict(), output: z.object({ role: z.enum(STAFF_ROLES) }) },
  'staff.logout': { role: null, input: empty, output: nothing },

  'dropoff.start': {
    role: 'courier',
    input: z.object({ size: z.enum(COMPARTMENT_SIZES), trackingNo: z.string().max(64).optional() }).strict(),
    output: doorOpened.extend({ parcelId: z.string(), size: z.enum(COMPARTMENT_SIZES) }),
  },
  /** Resolves when the courier closes the door: the code to write on the parcel or hand over. */
  'dropoff.awaitStored': {
    role: 'courier',
    input: z.object({ parcelId: z.string().min(1).max(64) }).strict(),
    output: z.object({ parcelId: z.string(), compartmentId: z.string(), code: z.string(), expiresAt: z.number().int().nullable() }),
  },
  'return.list': { role: 'courier', input: empty, output: z.array(returnable) },
  /** Shown first after a staff login: compartments that wait for "is a parcel inside?". */
  'check.list': { role: 'courier', input: empty, output: z.array(checkView) },
  'check.answer': { role: 'courier', input: z.object({ compartmentId, parcelInside: z.boolean() }).strict(), output: checkAnswered },
  'return.open': { role: 'courier', input: z.object({ compartmentId }).strict(), output: doorOpened.extend({ parcelId: z.string() }) },

  'service.open': { role: 'technician', input: z.object({ compartmentId }).strict(), output: doorOpened },
  /** `confirm` must repeat the phrase: the screen asks twice before it sends this. */
  'service.openAll': { role: 'technician', input: z.object({ confirm: z.literal('open-all') }).strict(), output: z.object({ opened: z.array(z.string()), unknown: z.array(z.string()), failed: z.array(z.object({ compartmentId: z.string(), code: z.string() })) }) },
  'service.setOutOfService': {
    role: 'technician',
    input: z.object({ compartmentId, outOfService: z.boolean(), reason: z.string().max(200).nullable() }).strict(),
    output: nothing,
  },
  'service.outbox': { role: 'technician', input: empty, output: outboxView },
  /** Withdraw the vendor-issued pickup codes of one compartment, upstream first (needs the vendor online). */
  'service.cancelVendorCodes': { role: 'technician', input: z.object({ compartmentId }).strict(), output: z.object({ cancelled: count, failed: count }) },
  'service.retryDead': { role: 'technician', input: empty, output: z.object({ retried: z.number().int().nonnegative() }) },
  'service.diagnostics': { role: 'technician', input: empty, output: diagnostics },
  /** Closes the lock bus for setup: customer and courier flows answer `cabinet-in-setup` until the agent restarts (after Save or Cancel). */
  'commission.begin': { role: 'technician', input: empty, output: commissionStart },
  /** Status reads on every protocol, rate and address (no door moves); `commission-failed` says why the line cannot be used. */
  'commission.scan': { role: 'technician', input: empty, output: commissionBus },
  /** Pulses one lock of the scanned line, so the technician sees which door it is. */
  'commission.pulse': { role: 'technician', input: z.object({ board: z.number().int().min(0).max(255), lock: z.number().int().min(1).max(256) }).strict(), output: z.object({ outcome: z.enum(PULSE_OUTCOMES) }) },
  /** Writes the scanned line and this door map (validated; the previous file kept), then the agent restarts on it. */
  'commission.save': { role: 'technician', input: z.object({ doors: z.array(mappedDoor).min(1).max(512) }).strict(), output: commissionSaved },
  /** Leaves setup without writing; the agent restarts to take the line back. */
  'commission.cancel': { role: 'technician', input: empty, output: nothing },
  'service.logTail': { role: 'technician', input: z.object({ lines: z.number().int().min(1).max(500) }).strict(), output: z.object({ file: z.string().nullable(), lines: z.array(z.string()) }) },
} as const satisfies Record<string, { role: StaffRole | null; input: z.ZodType; output: z.ZodType }>;

export type CallName = keyof typeof calls;
export const CALL_NAMES = Object.keys(calls) as CallName[];
export type CallInput<N extends CallName> = z.input<(typeof calls)[N]['input']>;
export type CallOutput<N extends CallName> = z.output<(typeof calls)[N]['output']>;
export type CallResult<N extends CallName> = { ok: true; value: CallOutput<N> } | { ok: false; error: ContractError };

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}

/** What goes over the wire for one call (IPC argument or WebSocket message). */
export const callEnvelope = z.object({ id: z.number().int().nonnegative(), name: z.string().max(64), input: z.unknown() }).strict();
export type CallEnvelope = z.infer<typeof callEnvelope>;

/** Pushed by main without being asked: live doors, outbox depth, connectivity. */
export const pushedEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cabinet'), overview: cabinetOverview }),
  z.object({ type: z.literal('health'), health: healthView }),
  /** The staff session ended (idle, or another login): the screen returns to the start. */
  z.object({ type: z.literal('staff-ended') }),
  /**
   * To the screen whose `pickup` call is running only: its code was accepted and
   * this door is being pulsed ("Opening door N…" before the outcome).
   */
  z.object({ type: z.literal('door-opening'), compartmentId: z.string() }),
  /**
   * To the screen whose `commission.scan` is running only: the rate and
   * protocol being tried, and each board as it answers (`found`).
   */
  z.object({ type: z.literal('commission-scan'), baudRate: z.number().int(), protocol: z.enum(BOARD_PROTOCOLS), found: z.object({ address: z.number().int(), locks: z.number().int() }).nullable() }),
]);
export type PushedEvent = z.infer<typeof pushedEvent>;

/** Browser mode: the WebSocket path, and the subprotocol that names this contract. */
export const BROWSER_CONTRACT_PATH = '/contract';
export const BROWSER_SUBPROTOCOL = 'cabinet-kiosk.v1';
/**
 * Offered as a second subprotocol: `ticket.<t>`, the one-time ticket from the
 * launch URL's `#ticket=` fragment, or `token.<t>`, the session token a page
 * was handed for its reconnects (docs/security.md).
 */
export const TICKET_SUBPROTOCOL_PREFIX = 'ticket.';
export const SESSION_SUBPROTOCOL_PREFIX = 'token.';
export const LAUNCH_TICKET_PARAM = 'ticket';
/** Browser mode closes with this for a missing, spent or unknown credential: final, no reconnect. */
export const UNAUTHORISED_CLOSE_CODE = 4401;

/**
 * Browser mode frames: main → renderer is a call's reply, an event, or (first,
 * on a connection opened with a ticket) the session token for reconnects.
 */
export const serverFrame = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reply'), id: z.number().int(), result: z.unknown() }),
  z.object({ kind: z.literal('event'), event: z.unknown() }),
  z.object({ kind: z.literal('session'), token: z.string().min(16).max(128) }),
]);
export type ServerFrame = z.infer<typeof serverFrame>;

/** Parses a reply for `name`; a malformed reply becomes an `internal` error rather than a crash. */
export function parseResult<N extends CallName>(name: N, raw: unknown): CallResult<N> {
  const parsed = resultOf(calls[name].output).safeParse(raw);
  if (parsed.success) return parsed.data as CallResult<N>;
  return { ok: false, error: { code: 'internal', message: `malformed reply to ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}` } };
}

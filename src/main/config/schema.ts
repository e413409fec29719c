import { z } from 'zod';
import { LANGUAGES } from '../../shared/contract.js';
import { BOARD_PROTOCOLS, COMPARTMENT_SIZES } from '../../shared/domain.js';
import { boundedMs, durationHours, durationMs } from '../../shared/duration.js';
import { cabinetMapIssues, cabinetMapSchema } from './cabinet-map.js';
import { cloudSchema } from './cloud-schema.js';

/**
 * The one configuration file (JSON or YAML). Every key has a default so that
 * no file at all gives the demo cabinet on the embedded simulator.
 * `path` values are resolved against the config file's folder (or the working
 * directory when there is no file).
 */

/**
 * A duration in ms, 0 allowed, with its default and ceiling. Every ceiling is
 * far below the 2^31−1 ms a Node timer holds (src/shared/duration.ts), and
 * chosen so a typo (an extra zero or three) is refused, not obeyed.
 */
const ms = (def: number, max: number) => durationMs({ max, default: def });
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SIMULATOR_PATH = 'simulator';

const serialSchema = z
  .object({
    /** A device path (`/dev/ttyUSB0`, `/dev/serial/by-id/…`, `COM3`) or `simulator` for the embedded board simulator. */
    path: z.string().min(1).default(SIMULATOR_PATH),
    /** Default: the usual rate of the first board's protocol (xor-8a 9600, kerong-cu 19200, modbus-relay 9600; docs/lock-boards.md §A.1, §B.1, §C.1). */
    baudRate: z.number().int().positive().optional(),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    /** The RS-485 adapter echoes what it sends (docs/lock-boards.md §A.8.1). */
    echo: z.boolean().default(false),
    /** A board answers within milliseconds; the bus is held for every door meanwhile, so at most a minute. */
    replyTimeoutMs: ms(1500, MINUTE),
    /** Pulses every lock one after another: 10 minutes covers many boards of slow locks. */
    openAllTimeoutMs: ms(10_000, 10 * MINUTE),
    /** Fallback end-of-reply silence for variable-length replies only (docs/lock-boards.md §A.7); a gap of seconds is a lost reply. */
    quietMs: ms(25, 5 * SECOND),
    readRetries: z.number().int().min(0).max(5).default(2),
    /** Linux ASYNC_LOW_LATENCY on USB adapters; falls back silently where the driver refuses. */
    lowLatency: z.boolean().default(true),
  })
  .strict();

const boardSchema = z
  .object({
    address: z.number().int().min(0).max(247),
    protocol: z.enum(BOARD_PROTOCOLS),
    locks: z.number().int().min(1).max(64),
    feedbackPolarity: z.enum(['closed-when-active', 'open-when-active']).default('closed-when-active'),
    statusByteOrder: z.enum(['nearest-marker-first', 'first-byte-first']).default('nearest-marker-first'),
    /** kerong-cu: wait this long for an unlock reply that may never come (docs/lock-boards.md §B.5 UNKNOWN). Default 200. */
    unlockReplyWaitMs: boundedMs({ max: 5000 }).optional(),
    /** kerong-cu: read status when an unlock got no reply. Default true. */
    confirmUnlockWithStatus: z.boolean().optional(),
    /** modbus-relay: board-timed pulse in ms, sent in 100 ms steps (docs/lock-boards.md §C.2). Default 200. */
    pulseMs: boundedMs({ min: 100, max: 25_500 }).optional(),
  })
  .strict();

const compartmentSchema = z
  .object({
    id: z.string().min(1).max(32),
    board: z.number().int().min(0).max(247),
    lock: z.number().int().min(1).max(64),
    size: z.enum(COMPARTMENT_SIZES).default('M'),
  })
  .strict();

const simulatorSchema = z
  .object({
    /** `auto`: a socat PTY pair when socat is installed, else in-process behind @serialport/binding-mock. */
    transport: z.enum(['auto', 'pty', 'mock']).default('auto'),
    /** Simulated doors swing shut by themselves after this long; 0 = never. At most an hour. */
    autoCloseMs: ms(4000, HOUR),
  })
  .strict();

const supervisionSchema = z
  .object({
    /** Door-forced detection: a poll rarer than every 5 minutes would miss a forced door for too long. */
    pollIntervalMs: ms(1000, 5 * MINUTE),
    /** Fast poll of a door just opened, until it is seen open and closed. */
    activePollMs: ms(150, 10 * SECOND),
    /** `door-left-open` after this long; a day at most. */
    leftOpenAfterMs: ms(60_000, DAY),
    /** A door seen open this long after a command counts as commanded, later as forced. */
    openWindowMs: ms(10_000, 10 * MINUTE),
    /** How long to read a door whose open reply says nothing about it (modbus-relay, kerong-cu). */
    confirmOpenMs: ms(1000, MINUTE),
  })
  .strict();

const pickupSchema = z
  .object({
    /** The same code may re-open the same door once within this window (forgotten item); an hour at most. */
    graceMs: ms(60_000, HOUR),
    codeDigits: z.number().int().min(6).max(8).default(6),
    /** How long a locally issued code and its parcel stay valid: at most 576 h (24 days), the longest timer Node holds. */
    parcelTtlHours: durationHours({ min: 0.01, max: 576, default: 72 }),
  })
  .strict();

const lockoutSchema = z
  .object({
    maxFailures: z.number().int().min(1).default(5),
    /** Wrong codes counted within this window; a day at most. */
    windowMs: ms(600_000, DAY),
    /** Lockouts longer than a day shut a cabinet to its customers: refused. */
    baseDelayMs: ms(30_000, DAY),
    factor: z.number().min(1).default(2),
    maxDelayMs: ms(900_000, DAY),
    /**
     * Every refusal of a typed code (wrong, used, expired, cancelled, out of
     * service) is answered after at least this long, so the answer's timing
     * does not tell a miss from a hit; ten seconds at most.
     */
    refusalFloorMs: ms(300, 10_000),
  })
  .strict();

const storageSchema = z
  .object({
    /**
     * No door opens while less than this is free on the database's
     * filesystem: the result of an open must be recordable before the pulse.
     * 0 turns the check off.
     */
    reserveMb: z.number().min(0).max(100_000).default(64),
  })
  .strict();

const logSchema = z
  .object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** Rotating file in `<dataDir>/logs`. */
    file: z.boolean().default(true),
    maxFileMb: z.number().positive().default(10),
    keepFiles: z.number().int().min(1).default(5),
  })
  .strict();

const pin = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits');

const staffSchema = z
  .object({
    /**
     * Opens the courier screens (drop-off, return of expired parcels). Left out:
     * the simulator demo uses 2468; on a real port the courier screens stay shut.
     */
    courierPin: pin.optional(),
    /** Opens service mode (and everything a courier may do). Left out: 1357 on the simulator, shut on a real port. */
    technicianPin: pin.optional(),
    /** A staff screen ends after this long without a touch; an hour at most (a forgotten service screen opens every door). */
    sessionIdleMs: ms(120_000, HOUR),
  })
  .strict()
  .refine((s) => !s.courierPin || s.courierPin !== s.technicianPin, { message: 'courierPin and technicianPin must differ', path: ['technicianPin'] });

const uiSchema = z
  .object({
    /** `auto`: the Electron window when its binary is there, else browser mode; `none`: headless (CLI only). */
    shell: z.enum(['auto', 'electron', 'browser', 'none']).default('auto'),
    defaultLanguage: z.enum(LANGUAGES).default('zh'),
    /** The customer screens go back to the start, typed code cleared, after this long without a touch; 10 minutes at most (the next customer must not see a typed code). */
    idleResetMs: ms(45_000, 10 * MINUTE),
    /** The screen shows "temporarily out of service" (input blocked) after this long without the agent; it recovers by itself. */
    outageAfterMs: ms(3_000, MINUTE),
    sound: z.boolean().default(true),
    /** Spoken prompts in the screen's language (clips recorded by scripts/build-voice.ts) and a locator chime while a door is open. */
    voice: z.boolean().default(true),
    /** Browser mode listens on 127.0.0.1 at this port; 0 takes a free one. */
    port: z.number().int().min(0).max(65_535).default(0),
    /** Browser mode opens this Chromium in kiosk mode; default: the first of chromium, chromium-browser, google-chrome on PATH. */
    browserPath: z.string().min(1).optional(),
    /**
     * Local users (uids) whose connections browser mode serves, checked by the
     * kernel's TCP table on Linux. Default: the agent's own uid only; root is
     * never allowed unless listed (or the agent runs as root).
     */
    allowedUids: z.array(z.number().int().min(0).max(4_294_967_294)).min(1).optional(),
  })
  .strict();

export const DEMO_PINS = { courier: '2468', technician: '1357' } as const;

export const configSchema = z
  .object({
    cabinet: z
      .object({
        id: z.string().min(1).max(64).default('DEMO-0001'),
        name: z.string().optional(),
        /**
         * Per-cabinet secret for the pickup-code HMAC. Leave it out to have one
         * generated into `<dataDir>/cabinet.secret` (mode 0600) at first start;
         * it never goes into the database, so a copied database reveals no code.
         */
        secret: z.string().min(16).optional(),
        supportPhone: z.string().max(32).optional(),
        /** Shown as a QR code beside every error message (a support URL, say). */
        supportQr: z.string().max(512).optional(),
      })
      .strict()
      .default({ id: 'DEMO-0001' }),
    serial: serialSchema.default(serialSchema.parse({})),
    simulator: simulatorSchema.default(simulatorSchema.parse({})),
    boards: z.array(boardSchema).min(1).default([
      { address: 1, protocol: 'xor-8a', locks: 12, feedbackPolarity: 'closed-when-active', statusByteOrder: 'nearest-marker-first' },
      { address: 2, protocol: 'xor-8a', locks: 12, feedbackPolarity: 'closed-when-active', statusByteOrder: 'nearest-marker-first' },
    ]),
    /** Leave out to make every lock of every board a compartment (ids 1, 2, 3 …, sizes cycling S, M, L, XL). */
    compartments: z.array(compartmentSchema).optional(),
    /** The physical cabinet front: grid, each compartment's place, the screen's place (src/main/config/cabinet-map.ts). Left out: one drawn column per board. */
    layout: cabinetMapSchema.optional(),
    database: z.string().min(1).default('./data/kiosk.db'),
    /** Logs, the control socket and the generated secret live here. Default: the database's folder. */
    dataDir: z.string().min(1).optional(),
    supervision: supervisionSchema.default(supervisionSchema.parse({})),
    pickup: pickupSchema.default(pickupSchema.parse({})),
    lockout: lockoutSchema.default(lockoutSchema.parse({})),
    storage: storageSchema.default(storageSchema.parse({})),
    log: logSchema.default(logSchema.parse({})),
    staff: staffSchema.default(staffSchema.parse({})),
    ui: uiSchema.default(uiSchema.parse({})),
    outbox: z
      .object({
        /**
         * Extra queues that take every event without a sender in this agent
         * (an export another process drains). The integrations under `cloud`
         * add their own destinations; these rows stay pending until acknowledged.
         */
        destinations: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).default([]),
      })
      .strict()
      .default({ destinations: [] }),
    cloud: cloudSchema.default(cloudSchema.parse({})),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<number>();
    cfg.boards.forEach((b, i) => {
      if (seen.has(b.address)) ctx.addIssue({ code: 'custom', path: ['boards', i, 'address'], message: `board address ${b.address} is used twice` });
      seen.add(b.address);
    });
    const ids = new Set<string>();
    const slots = new Set<string>();
    (cfg.compartments ?? []).forEach((c, i) => {
      const board = cfg.boards.find((b) => b.address === c.board);
      if (!board) ctx.addIssue({ code: 'custom', path: ['compartments', i, 'board'], message: `no board with address ${c.board} in "boards"` });
      else if (c.lock > board.locks)
        ctx.addIssue({ code: 'custom', path: ['compartments', i, 'lock'], message: `board ${c.board} has only ${board.locks} locks` });
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['compartments', i, 'id'], message: `compartment id "${c.id}" is used twice` });
      const slot = `${c.board}/${c.lock}`;
      if (slots.has(slot)) ctx.addIssue({ code: 'custom', path: ['compartments', i, 'lock'], message: `board ${c.board} lock ${c.lock} is given to two compartments` });
      ids.add(c.id);
      slots.add(slot);
    });
    if (cfg.layout) {
      // Left out, the compartments are every lock numbered 1…n across the boards (load-config.ts compartmentsFromBoards).
      const known = cfg.compartments?.map((c) => c.id) ?? Array.from({ length: cfg.boards.reduce((n, b) => n + b.locks, 0) }, (_, i) => String(i + 1));
      for (const issue of cabinetMapIssues(cfg.layout, known)) ctx.addIssue({ code: 'custom', path: ['layout', ...issue.path], message: issue.message });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;
export type BoardSettings = Parsed['boards'][number];
export type CompartmentSettings = z.output<typeof compartmentSchema>;

/** The validated configuration with every path absolute and the compartments filled in. */
export type Config = Omit<Parsed, 'compartments' | 'dataDir' | 'serial' | 'staff'> & {
  serial: Parsed['serial'] & { baudRate: number };
  /** null: no PIN set on a real port, so that staff screen cannot be opened. */
  staff: Omit<Parsed['staff'], 'courierPin' | 'technicianPin'> & { courierPin: string | null; technicianPin: string | null; demoPins: boolean };
  compartments: CompartmentSettings[];
  dataDir: string;
  /** Where it came from, for `status` and error messages. */
  source: string;
};

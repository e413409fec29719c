/**
 * Pickup latency over the real serial stack: the board simulator on a socat
 * PTY pair, `CabinetHardware` (serialport, SerialBus, door supervision with
 * its production defaults) on the other end, a SQLite file store, and the
 * real `Kiosk` flows. The simulator runs in this process, so its `frame`
 * event (`at` = performance.now() when the last byte of a request was read)
 * shares a clock with the pickup call.
 *
 * A PTY has no wire time, so every run also measures the raw `serialport`
 * round trip over the same PTY (before the agent opens it) as the floor the
 * agent's figures sit on.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import {
  CabinetHardware, SUPERVISION_DEFAULTS, startSimulator, type BoardConfig, type SimFrameEvent, type SimulatorHandle,
} from '../src/drivers/index.js';
import type { Doors } from '../src/core/context.js';
import { Kiosk } from '../src/core/kiosk.js';
import { createFlowContext } from '../src/core/flow-context.js';
import { defaultFlowPolicy } from '../src/main/config/default-policy.js';
import { COMPARTMENT_SIZES } from '../src/shared/domain.js';
import { silentLogger } from '../src/shared/logger.js';
import * as store from '../src/store/index.js';
import { progress, sleep, summarize, tempDir, type Summary } from './stats.js';

/** The 5-byte protocol A open frame for board 1 lock 1 (8A 01 01 11 9B). */
export const OPEN_FRAME_1_1 = Buffer.from([0x8a, 0x01, 0x01, 0x11, 0x9b]);
const BAUD = 9600;
/** SerialBus inter-transaction silence at 9600 8N1: ceil(3.5 chars + 1 ms). */
const BUS_GAP_MS = Math.ceil((3.5 * 10 * 1000) / BAUD + 1);

export interface SerialPickupOptions {
  /** Simulator holds each reply byte for its character time at this baud; undefined = unpaced. */
  paceBaud?: number;
  warmup: number;
  pickups: number;
  rawWarmup: number;
  rawRoundTrips: number;
  /** Idle time between pickups, uniform in [min, max] ms, so pickups fall at random phases of the 1 s poll. */
  gapMs: readonly [number, number];
  /** Simulated doors swing shut this long after opening. */
  autoCloseMs: number;
  /** Model the keypad: `kiosk.customerActive()` when the next customer starts typing (the gap's start). */
  keypadHint?: boolean;
}

export interface SerialPickupResult {
  mode: string;
  paceBaud: number | null;
  /** serialport write of the open frame → 5 reply bytes back, same PTY, before the agent opened it. */
  rawRoundTripMs: Summary;
  /** kiosk.pickup() call → simulator read the last byte of the open frame. */
  pickupToOpenFrameMs: Summary;
  /** kiosk.pickup() call → CabinetHardware.open() resolved (board reply decoded, outcome known). */
  pickupAckMs: Summary;
  /** kiosk.pickup() call → kiosk.pickup() resolved (incl. the final commit). */
  pickupTotalMs: Summary;
  /** open resolved → kiosk.pickup() resolved: the completing transaction (synchronous=FULL). */
  commitAfterAckMs: Summary;
  /** open frame read by the simulator → open() resolved on the agent side. */
  frameToAckMs: Summary;
  /** kiosk.pickup() call → doors.open() called: lockout check, code lookup, intent committed (fsync). */
  pickupToDriverMs: Summary;
  /** doors.open() called → simulator read the open frame: driver, bus turn, serialport write, PTY. */
  driverToOpenFrameMs: Summary;
  overlap: {
    /** Pickups during which a supervision read (or its bus gap) was on the bus before the open frame. */
    pickupsOverlappingPoll: number;
    pickupToOpenFrameCleanMs: Summary;
    pickupToOpenFrameOverlappedMs: Summary;
    /** Pickups during which the kiosk committed a door.closed event (supervisor-driven transaction). */
    pickupsOverlappingDoorCommit: number;
    supervisionReads: number;
  };
  errors: number;
  busStats: Record<string, number>;
}

interface FrameRecord {
  at: number;
  kind: SimFrameEvent['kind'];
  board: number;
  lock: number | undefined;
  replyAt: number | undefined;
  replyBytes: number;
}

const BOARDS: BoardConfig[] = [
  { address: 1, protocol: 'xor-8a', locks: 12, feedbackPolarity: 'closed-when-active', statusByteOrder: 'nearest-marker-first' },
  { address: 2, protocol: 'xor-8a', locks: 12, feedbackPolarity: 'closed-when-active', statusByteOrder: 'nearest-marker-first' },
];

/** Every lock a compartment, ids 1…24, sizes cycling S M L XL (the config default). */
function compartments(): store.CompartmentInput[] {
  const out: store.CompartmentInput[] = [];
  for (const b of BOARDS) {
    for (let lock = 1; lock <= b.locks; lock++) {
      const n = out.length;
      out.push({ id: String(n + 1), board: b.address, lock, size: COMPARTMENT_SIZES[n % COMPARTMENT_SIZES.length]! });
    }
  }
  return out;
}

/** The raw serialport round trip: write the open frame, wait until 5 bytes came back. */
export async function rawRoundTrips(sim: SimulatorHandle, warmup: number, count: number): Promise<number[]> {
  const port = new SerialPort({ path: sim.agentPath, baudRate: BAUD, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  let got = 0;
  let wake: (() => void) | undefined;
  port.on('data', (chunk: Buffer) => {
    got += chunk.length;
    if (got >= OPEN_FRAME_1_1.length && wake) {
      const w = wake;
      wake = undefined;
      w();
    }
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < warmup + count; i++) {
      got = 0;
      const back = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('raw round trip: no 5-byte reply within 2 s')), 2000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const t0 = performance.now();
      port.write(OPEN_FRAME_1_1);
      await back;
      const t1 = performance.now();
      if (i >= warmup) samples.push(t1 - t0);
      sim.model.closeDoor(1, 1);
      await sleep(1);
    }
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
  return samples;
}

export async function runSerialPickup(o: SerialPickupOptions): Promise<SerialPickupResult> {
  const mode = (o.paceBaud ? `paced-${o.paceBaud}` : 'unpaced') + (o.keypadHint ? '+keypad' : '');
  const charMs = o.paceBaud ? 10_000 / o.paceBaud : 0;
  const dir = tempDir(`pickup-${mode}`);
  const sim = await startSimulator({ boards: BOARDS, transport: 'pty', autoCloseMs: o.autoCloseMs, ...(o.paceBaud ? { paceBaud: o.paceBaud } : {}), logger: silentLogger });
  let hw: CabinetHardware | undefined;
  let db: store.Db | undefined;
  try {
    progress(`${mode}: raw serialport round trips on ${sim.agentPath}`);
    const raw = await rawRoundTrips(sim, o.rawWarmup, o.rawRoundTrips);

    db = store.openDatabase(join(dir.path, 'kiosk.db'));
    store.syncCompartments(db, compartments());
    // As src/main/hardware.ts starts it, with the config's serial defaults and supervision defaults.
    hw = await CabinetHardware.start({
      serial: { path: sim.agentPath, binding: sim.binding, baudRate: BAUD, dataBits: 8, parity: 'none', stopBits: 1, lowLatency: true },
      boards: BOARDS,
      supervision: { ...SUPERVISION_DEFAULTS },
      logger: silentLogger,
    });
    const cabinet = hw;
    // The first idle poll is the baseline door state.
    for (let i = 0; i < 300 && cabinet.doorStates().some((d) => d.door === 'unknown'); i++) await sleep(10);

    // The agent's wiring (src/main/agent.ts), with one outbox destination and the real hardware.
    // `doors.open` is passed through unchanged; the wrapper only notes when it resolved.
    let ackAt = 0;
    let calledAt = 0;
    const doors: Doors = {
      open: async (board, lock) => {
        calledAt = performance.now();
        const outcome = await cabinet.open(board, lock);
        ackAt = performance.now();
        return outcome;
      },
      readDoor: (board, lock) => cabinet.readDoor(board, lock),
      holdPolls: (ms) => cabinet.holdPolls(ms),
    };
    const secret = randomBytes(32);
    const ctx = createFlowContext({ db, doors: doors, secret, destinations: () => ['cloud'], policy: defaultFlowPolicy() });
    const kiosk = new Kiosk(ctx, cabinet);
    await kiosk.recover();

    const frames: FrameRecord[] = [];
    sim.simulator.on('frame', (e) => frames.push({ at: e.at, kind: e.kind, board: e.board, lock: e.lock, replyAt: undefined, replyBytes: 0 }));
    // A read is answered synchronously after its frame event, so the reply belongs to the last frame.
    sim.simulator.on('reply', (r) => {
      const last = frames.at(-1);
      if (last && last.replyAt === undefined) {
        last.replyAt = r.at;
        last.replyBytes = (r.hex.length + 1) / 3;
      }
    });
    const doorCommits: number[] = [];
    kiosk.on('door', () => doorCommits.push(performance.now()));

    // Parcels go in through the store (state 'stored' + hashed code), outside the timed window.
    // One occupant per compartment is a schema rule, so each compartment gets its next parcel
    // right after the previous one was picked up; every parcel is picked exactly once.
    const all = store.listCompartments(db);
    const codes = new Map<string, string>();
    const used = new Set<string>();
    const provision = (compartmentId: string) => {
      let code: string;
      do code = String(randomInt(10_000_000, 100_000_000));
      while (used.has(code));
      used.add(code);
      const now = Date.now();
      store.inTransaction(db!, () => {
        const parcel = store.createParcel(db!, { compartmentId, state: 'stored', courier: 'bench', now });
        store.insertPickupCode(db!, { hash: store.hashPickupCode(secret, code), parcelId: parcel.id, compartmentId, source: 'local', validFrom: now - 1000, validUntil: now + 86_400_000, now });
      });
      codes.set(compartmentId, code);
    };
    for (const c of all) provision(c.id);

    const busBefore = { ...cabinet.diagnostics().stats };
    const toOpen: number[] = [];
    const ack: number[] = [];
    const total: number[] = [];
    const commit: number[] = [];
    const frameToAck: number[] = [];
    const toDriver: number[] = [];
    const driverToFrame: number[] = [];
    const clean: number[] = [];
    const overlapped: number[] = [];
    let doorCommitOverlaps = 0;
    let errors = 0;
    let frameIdx = 0;
    const readsBefore = frames.filter((f) => f.kind === 'read' || f.kind === 'read-all').length;
    progress(`${mode}: ${o.warmup} warm-up + ${o.pickups} pickups`);
    for (let k = 0; k < o.warmup + o.pickups; k++) {
      const c = all[k % all.length]!;
      if (o.keypadHint) kiosk.customerActive();
      await sleep(o.gapMs[0] + Math.random() * (o.gapMs[1] - o.gapMs[0]));
      ackAt = 0;
      calledAt = 0;
      const t0 = performance.now();
      let ok = true;
      try {
        const res = await kiosk.pickup(codes.get(c.id)!, 'keypad');
        if (res.compartmentId !== c.id || res.reopened) ok = false;
      } catch (err) {
        ok = false;
        progress(`${mode}: pickup ${k} failed: ${String(err)}`);
      }
      const tDone = performance.now();
      while (frameIdx < frames.length && frames[frameIdx]!.at < t0) frameIdx++;
      let openFrame: FrameRecord | undefined;
      for (let i = frameIdx; i < frames.length; i++) {
        const f = frames[i]!;
        if (f.kind === 'open' && f.board === c.board && f.lock === c.lock) {
          openFrame = f;
          break;
        }
      }
      if (!ok || !openFrame || ackAt === 0) {
        errors++;
      } else if (k >= o.warmup) {
        const openAt = openFrame.at;
        toOpen.push(openAt - t0);
        ack.push(ackAt - t0);
        total.push(tDone - t0);
        commit.push(tDone - ackAt);
        frameToAck.push(ackAt - openAt);
        toDriver.push(calledAt - t0);
        driverToFrame.push(openAt - calledAt);
        // A supervision read holds the bus from a little before the board sees it until its
        // (paced) reply is in plus the inter-frame gap: an open queued meanwhile waits.
        const busy = frames.some((f) => (f.kind === 'read' || f.kind === 'read-all')
          && f.at - 1 < openAt
          && (f.replyAt ?? f.at) + f.replyBytes * charMs + BUS_GAP_MS + 1 > t0);
        (busy ? overlapped : clean).push(openAt - t0);
        if (doorCommits.some((t) => t >= t0 && t <= tDone)) doorCommitOverlaps++;
      }
      if (ok) provision(c.id);
      else {
        // Leave the compartment usable: settle whatever is left and give it a fresh parcel.
        const occupant = store.occupantOf(db, c.id);
        if (!occupant) provision(c.id);
      }
    }
    const busAfter = cabinet.diagnostics().stats;
    const busStats: Record<string, number> = {};
    for (const [key, value] of Object.entries(busAfter)) busStats[key] = value - (busBefore[key as keyof typeof busBefore] ?? 0);
    const supervisionReads = frames.filter((f) => f.kind === 'read' || f.kind === 'read-all').length - readsBefore;
    kiosk.close();
    return {
      mode,
      paceBaud: o.paceBaud ?? null,
      rawRoundTripMs: summarize(raw),
      pickupToOpenFrameMs: summarize(toOpen),
      pickupAckMs: summarize(ack),
      pickupTotalMs: summarize(total),
      commitAfterAckMs: summarize(commit),
      frameToAckMs: summarize(frameToAck),
      pickupToDriverMs: summarize(toDriver),
      driverToOpenFrameMs: summarize(driverToFrame),
      overlap: {
        pickupsOverlappingPoll: overlapped.length,
        pickupToOpenFrameCleanMs: summarize(clean),
        pickupToOpenFrameOverlappedMs: summarize(overlapped),
        pickupsOverlappingDoorCommit: doorCommitOverlaps,
        supervisionReads,
      },
      errors,
      busStats,
    };
  } finally {
    await hw?.close();
    await sim.close();
    if (db) store.closeDatabase(db);
    dir.remove();
  }
}

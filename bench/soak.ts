/**
 * `npm run soak [-- --ops N --lanes L --warmup W]`: a compressed day of the
 * cabinet. A real agent (runAgent: the in-process board simulator with door
 * supervision polling, the SQLite file, the rotating log file, its cron jobs)
 * runs N operations (default 20,000: half drop-offs, half pickups) through
 * the Kiosk flows, L couriers/customers at once, while its outbox syncs to the
 * mock cloud (tools/mock-cloud, its own process so its ledger's memory is not
 * ours) with faults on: 5xx, 429 with Retry-After, dropped connections,
 * timeouts, acknowledgements lost after applying.
 *
 * After the warm-up it samples RSS, V8 heap, open descriptors
 * (/proc/self/fd), database, WAL and log folder sizes, and reports least-squares
 * slopes per 10,000 operations against the targets: RSS ≤ 1 MB / 10k ops,
 * descriptors and WAL flat, zero errors (an operation that did not end
 * `opened`, an error-level line in the agent's log, a dead outbox row).
 * Writes bench/soak-results.json and prints a table. Exit 1 when a target fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { loadConfig } from '../src/main/config/load-config.js';
import { createLogger } from '../src/main/logging.js';
import { runAgent, type RunningAgent } from '../src/main/run-agent.js';
import * as store from '../src/store/index.js';
import { progress, sleep, tempDir } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'soak-results.json');
const MB = 1024 * 1024;

/** The faults the mock cloud injects on every vendor request (tools/mock-cloud/faults.ts), seeded. */
const FAULTS = {
  seed: 20_261_207,
  all: { latencyMs: 1, latencyJitterMs: 5, failRate: 0.03, rate429: 0.005, retryAfterSeconds: 1, dropRate: 0.01, timeoutRate: 0.002, applyThenFailRate: 0.01 },
};

interface Sample {
  ops: number;
  at: number;
  rssMb: number;
  /** RSS split as the kernel counts it (/proc/self/status): malloc'd and V8 memory, mapped files, shared memory (SQLite's -shm). */
  rssAnonMb: number;
  rssFileMb: number;
  rssShmemMb: number;
  heapUsedMb: number;
  /** Memory V8 knows of outside its heap (Buffers). */
  externalMb: number;
  fds: number;
  dbMb: number;
  walMb: number;
  logMb: number;
  outboxPending: number;
}

interface Slope {
  metric: string;
  /** Per 10,000 operations. */
  slope: number;
  first: number;
  last: number;
  max: number;
  target: string;
  pass: boolean | null;
}

function parse() {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '20000' },
      lanes: { type: 'string', default: '6' },
      warmup: { type: 'string' },
      every: { type: 'string' },
      /** A folder: V8 heap snapshots after the warm-up and at the last operation, to diff when RSS or heap grows. */
      'heap-snapshots': { type: 'string' },
    },
  });
  const ops = Number(values.ops);
  const lanes = Number(values.lanes);
  const warmup = values.warmup === undefined ? Math.min(2_000, Math.floor(ops / 10)) : Number(values.warmup);
  const every = values.every === undefined ? Math.max(100, Math.floor(ops / 40)) : Number(values.every);
  for (const [k, v] of Object.entries({ ops, lanes, warmup, every })) if (!Number.isInteger(v) || v < 0) throw new Error(`--${k}: expected a whole number, got ${String(v)}`);
  return { ops, lanes: Math.max(1, lanes), warmup, every, heapSnapshots: values['heap-snapshots'] };
}

function fileMb(path: string): number {
  return existsSync(path) ? statSync(path).size / MB : 0;
}

function folderMb(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((s, f) => s + fileMb(join(dir, f)), 0);
}

/** Least squares of y over x. */
function slopeOf(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Counts error-level lines (pino level ≥ 50) in the rotating log files, reading each file's new bytes only. */
class LogErrors {
  readonly #seen = new Map<string, number>();
  readonly lines: string[] = [];
  constructor(private readonly dir: string) {}
  scan(): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) {
      const path = join(this.dir, f);
      const text = readFileSync(path, 'utf8');
      const from = this.#seen.get(path) ?? 0;
      // A file restarted by rotation is shorter than what we read of it.
      const start = text.length < from ? 0 : from;
      for (const line of text.slice(start).split('\n')) {
        if (!line) continue;
        try {
          const level = (JSON.parse(line) as { level?: number }).level ?? 0;
          if (level >= 50) this.lines.push(line);
        } catch {
          // A line cut by the read: the rest comes next scan.
        }
      }
      this.#seen.set(path, text.length);
    }
  }
}

async function startMockCloud(configFile: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/mock-cloud/main.ts'), '--config', configFile, '--port', String(port), '--faults', JSON.stringify(FAULTS)], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('mock cloud on')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mock cloud exited ${code}: ${out}`)));
  });
  return child;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function main(): Promise<number> {
  const opts = parse();
  const dir = tempDir('soak');
  const port = await freePort();
  const configFile = join(dir.path, 'config.json');
  writeFileSync(configFile, JSON.stringify({
    cabinet: { id: 'SOAK-0001' },
    database: join(dir.path, 'data', 'kiosk.db'),
    // Doors shut 60 ms after opening; supervision polls every board each second and an opened lock every 20 ms.
    // (At 20 ms a starved agent could read a door already shut again: a "not-opened" no real door gives.)
    simulator: { transport: 'mock', autoCloseMs: 60 },
    supervision: { activePollMs: 20 },
    // Rotation on, small files: at debug (every frame) the soak writes many.
    log: { level: 'debug', file: true, maxFileMb: 1, keepFiles: 3 },
    cloud: {
      webhooks: [{ name: 'soak-hook', url: `http://127.0.0.1:${port}/webhooks/soak`, secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}`, timeoutMs: 1000 }],
      sync: { pollMs: 100, backoffBaseMs: 50, backoffCapMs: 1000, attemptTimeoutMs: 1000, offlineAfterFailures: 3 },
    },
  }));
  const config = loadConfig({ file: configFile, env: {}, cwd: dir.path });
  const mock = await startMockCloud(configFile, port);
  const logger = await createLogger(config, { stdout: false });
  let running: RunningAgent | undefined;
  const started = Date.now();
  try {
    running = await runAgent(config, logger, { jobs: true });
    const { agent } = running;
    const logDir = join(config.dataDir, 'logs');
    const logErrors = new LogErrors(logDir);
    const failures: string[] = [];
    const samples: Sample[] = [];
    let done = 0;
    let nextSample = opts.warmup;
    const gc = (globalThis as { gc?: () => void }).gc;
    const sample = () => {
      gc?.();
      const mem = process.memoryUsage();
      const rss = rssParts();
      samples.push({
        ops: done, at: Date.now(), rssMb: mem.rss / MB, ...rss, heapUsedMb: mem.heapUsed / MB, externalMb: mem.external / MB, fds: readdirSync('/proc/self/fd').length,
        dbMb: fileMb(config.database), walMb: fileMb(`${config.database}-wal`), logMb: folderMb(logDir), outboxPending: store.outboxStats(agent.db, Date.now()).pending,
      });
      logErrors.scan();
      if (opts.heapSnapshots !== undefined && (samples.length === 1 || done >= opts.ops)) writeHeapSnapshot(join(opts.heapSnapshots, `soak-${done}.heapsnapshot`));
      const s = samples.at(-1)!;
      progress(`soak: ${done}/${opts.ops} ops, rss ${s.rssMb.toFixed(1)} MB, heap ${s.heapUsedMb.toFixed(1)} MB, fds ${s.fds}, wal ${s.walMb.toFixed(2)} MB, outbox ${s.outboxPending} pending, ${failures.length} failed`);
    };
    const count = (what: string) => {
      done += 1;
      if (done >= nextSample) {
        sample();
        nextSample += opts.every;
      }
      return what;
    };
    // One courier-then-customer after another per lane; a lane stops once the total is reached.
    const lane = async (id: number) => {
      while (done < opts.ops) {
        try {
          const ticket = await agent.kiosk.startDropoff({ courier: `soak-courier-${id}`, actor: `courier:soak-${id}` });
          if (ticket.outcome !== 'opened') throw new Error(`drop-off door ${ticket.outcome}`);
          const stored = await ticket.stored;
          count('dropoff');
          if (done >= opts.ops) break;
          const picked = await agent.kiosk.pickup(stored.code, 'keypad');
          if (picked.outcome !== 'opened') throw new Error(`pickup door ${picked.outcome}`);
          count('pickup');
          // The customer takes the parcel and the door swings shut before the compartment is offered again.
          await sleep(60);
        } catch (err) {
          failures.push(`lane ${id}: ${(err as Error).message}`);
          if (failures.length > 50) throw new Error(`soak: more than 50 failed operations, last: ${(err as Error).message}`);
          await sleep(200);
        }
      }
    };
    progress(`soak: ${opts.ops} operations in ${opts.lanes} lanes; warm-up ${opts.warmup}, a sample every ${opts.every}`);
    await Promise.all(Array.from({ length: opts.lanes }, (_, i) => lane(i + 1)));
    const opsMs = Date.now() - started;
    // Let the outbox drain against the faulty cloud, then take the last sample.
    const drainStart = Date.now();
    while (store.outboxStats(agent.db, Date.now()).pending > 0 && Date.now() - drainStart < 600_000) {
      agent.cloud.wake();
      await sleep(500);
    }
    const drainMs = Date.now() - drainStart;
    sample();
    const outbox = store.outboxStats(agent.db, Date.now());
    const result = report(opts, samples, { failures, logErrors: logErrors.lines, outbox, opsMs, drainMs });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    printTable(result);
    return result.pass ? 0 : 1;
  } finally {
    await running?.stop();
    logger.flush();
    mock.kill('SIGTERM');
    dir.remove();
  }
}

interface Outcome {
  failures: string[];
  logErrors: string[];
  outbox: store.OutboxStats;
  opsMs: number;
  drainMs: number;
}

function report(opts: ReturnType<typeof parse>, samples: Sample[], o: Outcome) {
  // Slopes over the samples taken while operations ran (the last one, after the drain, is reported but not fitted).
  const fit = samples.filter((s) => s.ops >= opts.warmup && s.ops < opts.ops).length >= 3 ? samples.slice(0, -1) : samples;
  const per10k = (pick: (s: Sample) => number, from = 0) => {
    const part = fit.filter((s) => s.ops >= from);
    return slopeOf(part.map((s) => s.ops), part.map(pick)) * 10_000;
  };
  // RSS settles (allocator arenas, SQLite's page cache) before it is flat: a leak still grows in the second half.
  const half = opts.warmup + (opts.ops - opts.warmup) / 2;
  const row = (metric: string, pick: (s: Sample) => number, target: string, pass: ((slope: number, s: Sample[]) => boolean) | null, from = 0): Slope => {
    const slope = per10k(pick, from);
    return { metric, slope: round(slope), first: round(pick(samples[0]!)), last: round(pick(samples.at(-1)!)), max: round(Math.max(...samples.map(pick))), target, pass: pass ? pass(slope, samples) : null };
  };
  const slopes: Slope[] = [
    row('rss MB', (s) => s.rssMb, 'reported (whole run after warm-up)', null),
    row('rss MB, 2nd half', (s) => s.rssMb, '≤ 1 MB / 10k ops', (slope) => slope <= 1, half),
    row('  anonymous', (s) => s.rssAnonMb, 'reported (2nd half)', null, half),
    row('  file-backed', (s) => s.rssFileMb, 'reported (2nd half)', null, half),
    row('  shared memory', (s) => s.rssShmemMb, 'reported (2nd half)', null, half),
    row('external MB', (s) => s.externalMb, 'reported (2nd half)', null, half),
    row('heap MB, 2nd half', (s) => s.heapUsedMb, '≤ 1 MB / 10k ops', (slope) => slope <= 1, half),
    row('heap used MB', (s) => s.heapUsedMb, 'reported', null),
    // Flat: descriptors do not grow with the work (a few come and go with HTTP connections).
    row('open descriptors', (s) => s.fds, 'flat (slope < 2 / 10k ops, max − first ≤ 10)', (slope, ss) => slope < 2 && Math.max(...ss.map((s) => s.fds)) - ss[0]!.fds <= 10),
    row('database MB', (s) => s.dbMb, 'reported (rows are kept)', null),
    // Flat: the WAL is checkpointed and stays bounded (store.WAL_AUTOCHECKPOINT_PAGES).
    row('WAL MB', (s) => s.walMb, 'flat (slope < 0.5 MB / 10k ops)', (slope) => slope < 0.5),
    row('log folder MB', (s) => s.logMb, 'reported (rotation: 1 MB × 3 files)', null),
  ];
  const errors = o.failures.length + o.logErrors.length + o.outbox.dead;
  const pass = slopes.every((s) => s.pass !== false) && errors === 0;
  return {
    generatedAt: new Date().toISOString(),
    ops: opts.ops,
    lanes: opts.lanes,
    warmupOps: opts.warmup,
    /** The glibc arena cap this run had (package.json "soak" and the agent unit set 2). */
    mallocArenaMax: process.env['MALLOC_ARENA_MAX'] ?? 'glibc default',
    durationS: round(o.opsMs / 1000),
    opsPerS: round(opts.ops / (o.opsMs / 1000)),
    drainS: round(o.drainMs / 1000),
    faults: FAULTS,
    slopes,
    errors: { total: errors, failedOps: o.failures.slice(0, 20), errorLogLines: o.logErrors.slice(0, 20), deadOutboxRows: o.outbox.dead },
    outboxAtEnd: { pending: o.outbox.pending, dead: o.outbox.dead },
    samples: samples.map((s) => ({ ...s, rssMb: round(s.rssMb), rssAnonMb: round(s.rssAnonMb), rssFileMb: round(s.rssFileMb), rssShmemMb: round(s.rssShmemMb), externalMb: round(s.externalMb), heapUsedMb: round(s.heapUsedMb), dbMb: round(s.dbMb), walMb: round(s.walMb), logMb: round(s.logMb) })),
    pass,
  };
}

/** RssAnon, RssFile and RssShmem of /proc/self/status, in MB (0 where the kernel does not report them). */
function rssParts(): { rssAnonMb: number; rssFileMb: number; rssShmemMb: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rssAnonMb: kb('RssAnon'), rssFileMb: kb('RssFile'), rssShmemMb: kb('RssShmem') };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function printTable(r: ReturnType<typeof report>): void {
  const out = process.stdout;
  out.write(`\nsoak: ${r.ops} operations (${r.lanes} lanes) in ${r.durationS} s (${r.opsPerS} ops/s), outbox drained in ${r.drainS} s; MALLOC_ARENA_MAX ${r.mallocArenaMax}\n\n`);
  out.write(`${'metric'.padEnd(18)}${'per 10k ops'.padStart(13)}${'first'.padStart(10)}${'last'.padStart(10)}${'max'.padStart(10)}  target\n`);
  for (const s of r.slopes) {
    const verdict = s.pass === null ? '' : s.pass ? '  ok' : '  FAIL';
    out.write(`${s.metric.padEnd(18)}${s.slope.toFixed(3).padStart(13)}${s.first.toFixed(2).padStart(10)}${s.last.toFixed(2).padStart(10)}${s.max.toFixed(2).padStart(10)}  ${s.target}${verdict}\n`);
  }
  out.write(`errors: ${r.errors.total} (failed ops ${r.errors.failedOps.length}, error log lines ${r.errors.errorLogLines.length}, dead outbox rows ${r.errors.deadOutboxRows}); outbox pending at end ${r.outboxAtEnd.pending}\n`);
  out.write(`${r.pass ? 'PASS' : 'FAIL'}; written to bench/soak-results.json\n`);
}

process.exitCode = await main();

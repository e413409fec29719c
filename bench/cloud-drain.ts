/**
 * Cloud sync drain (issue 4 §7): a backlog of N events in a fresh store,
 * drained by the agent's SyncEngine (StoreOutbox, one StandardWebhookDestination,
 * the configuration's defaults) into the webhooks mock, which verifies every
 * signature and dedupes in its ledger.
 *
 * Three kinds of child process (cloud-drain-worker.ts), so the mock and the
 * agent share the 2 cores as in real life and the agent's RSS is its own:
 * the webhooks mock (its ledger in memory: the figure is the agent's drain,
 * not the mock's state-file writes, which the chaos test exercises); a filler that writes the backlog (not timed) and exits; the
 * drainer, which opens that file as a rebooted agent would and runs until
 * every row was delivered (outboxStats().pending === 0). Beside it, in the
 * same run and against the same mock: a bare httpSend POST loop on one keep-alive socket (the
 * ceiling for one connection), the TCP connections the mock accepted during
 * the drain, and the ledger check: every event applied once, no duplicates,
 * no parcel out of order. A drain that lost or reordered anything fails
 * whatever its speed.
 *
 * Children run compiled code (dist/, as the agent does): the worker is
 * transpiled alone with its `../src/` imports pointed at dist/, because tsx's
 * loader thread adds ~45 MB of RSS that the agent does not have.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { median, progress, summarize, tempDir, type Summary } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER_TS = fileURLToPath(new URL('./cloud-drain-worker.ts', import.meta.url));
const CHILD_TIMEOUT_MS = 600_000;
const MB = 1024 * 1024;

export interface CloudDrainOptions {
  /** The backlog timed for drain_events_per_s. */
  drainEvents: number;
  /** The backlog whose drain RSS is drain_rss_mb. */
  rssEvents: number;
  /** Requests of the bare httpSend loop (after 200 of warm-up). */
  rawRequests: number;
}

export interface LedgerCheck {
  /** Entries the mock applied for this drain. */
  applied: number;
  /** Of those, event ids of this backlog (each counted once). */
  matching: number;
  missing: number;
  duplicates: number;
  appliedTwice: number;
  outOfOrderParcels: number;
  ok: boolean;
}

export interface DrainRun {
  events: number;
  parcels: number;
  fillS: number;
  drainS: number;
  eventsPerS: number;
  /** TCP connections the mock accepted while the drain ran. */
  connections: number;
  /** Delivery attempts (= events when nothing was retried) and the first errors seen. */
  attempts: number;
  failures: string[];
  outbox: { pending: number; dead: number; delivered: number };
  ledger: LedgerCheck;
  /** StoreOutbox.nextDeliverable per page, ms. */
  pageMs: Summary;
  pages: number;
  pageSize: number;
  /** Where the drain's time went, per event, ms: the destination's deliver(), markDelivered (a commit with fsync), the page reads. */
  perEventMs: { deliver: number; markDelivered: number; pageRead: number; other: number };
  rss: { idleMb: number; peakMb: number; medianMb: number; vmHwmMb: number; samples: number };
  heap: { peakUsedMb: number; medianUsedMb: number; peakTotalMb: number };
}

export interface CloudDrainResult {
  throughput: DrainRun;
  memory: DrainRun;
  raw: { requests: number; perS: number; connections: number };
  pageSize: number;
}

interface MemSample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

interface DrainReport {
  events: number;
  ms: number;
  perS: number;
  attempts: number;
  failures: string[];
  after: { pending: number; dead: number; delivered: number };
  pages: number;
  pageMs: number[];
  pageRows: number[];
  markMsTotal: number;
  deliverMsTotal: number;
  idle: MemSample;
  samples: MemSample[];
  vmHwmMb: number;
  pageSize: number;
}

/** What the worker loads from dist/ (directly or not). */
const DIST_SOURCES = ['src/store', 'src/cloud', 'src/shared', 'src/main/cloud/store-ports.ts', 'src/main/config'];

/** Throws unless every module the worker loads has a dist/ build at least as new (`npm run bench` builds first). */
function assertDistFresh(): void {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    if (!statSync(dir).isDirectory()) return check(dir);
    for (const entry of readdirSync(dir)) walk(join(dir, entry));
  };
  const check = (path: string): void => {
    if (!path.endsWith('.ts') || path.endsWith('.d.ts')) return;
    const out = join(ROOT, 'dist', relative(join(ROOT, 'src'), path).replace(/\.ts$/, '.js'));
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(path).mtimeMs) stale.push(relative(ROOT, path));
  };
  for (const source of DIST_SOURCES) walk(join(ROOT, source));
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ' …' : ''}: run npm run build (npm run bench does)`);
}

/** The worker as plain JS in `dir`, its `../src/x.js` imports turned into dist/ URLs. */
function buildWorker(dir: string): string {
  const { outputText } = ts.transpileModule(readFileSync(WORKER_TS, 'utf8'), {
    fileName: 'cloud-drain-worker.ts',
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
  });
  const dist = pathToFileURL(join(ROOT, 'dist')).href;
  const js = outputText.replaceAll("'../src/", `'${dist}/`);
  if (/(?:from|import\()\s*["']\.\.\/src\//.test(js)) throw new Error('cloud-drain-worker: an import of ../src/ was not rewritten');
  const path = join(dir, 'cloud-drain-worker.mjs');
  writeFileSync(path, js);
  return path;
}

interface Env {
  worker: string;
  secret: string;
}

/**
 * CK_BENCH_CPU_PROF=<dir>: the mock and drain children write V8 CPU profiles
 * there (open them in Chrome DevTools), for finding where a slow drain goes.
 */
function spawnWorker(env: Env, args: string[]): ChildProcess {
  const profDir = process.env['CK_BENCH_CPU_PROF'];
  const profile = profDir !== undefined && (args[0] === 'drain' || args[0] === 'mock');
  // The mock is a tool (tools/mock-cloud, never compiled into dist/): it runs from source under tsx.
  const mock = args[0] === 'mock';
  return fork(mock ? WORKER_TS : env.worker, args, {
    cwd: ROOT,
    // Not the parent's `--import tsx`: the agent's children run compiled code only.
    execArgv: [...(mock ? ['--import', 'tsx'] : []), ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${args[0]}-${Date.now()}.cpuprofile`] : [])],
    env: { ...process.env, CK_BENCH_WEBHOOK_SECRET: env.secret },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
}

/** Runs a worker role to its end and parses its one JSON line. */
function runWorker<T>(env: Env, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawnWorker(env, args);
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || line === undefined) return reject(new Error(`cloud-drain worker ${args[0]} exited ${code ?? signal}: ${err.slice(0, 1500)}`));
      resolve(JSON.parse(line) as T);
    });
  });
}

interface MockChild {
  url: string;
  connections(): Promise<{ accepted: number; open: number }>;
  stop(): Promise<void>;
}

function startMock(env: Env): Promise<MockChild> {
  return new Promise((resolve, reject) => {
    const child = spawnWorker(env, ['mock']);
    let out = '';
    let err = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mock cloud: no ready line; ${err.slice(0, 500)}`));
    }, 15_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock cloud exited ${code}: ${err.slice(0, 800)}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line === undefined) return;
      clearTimeout(timer);
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        connections: () =>
          new Promise((answer) => {
            child.once('message', (msg: { accepted: number; open: number }) => answer(msg));
            child.send({ type: 'connections' });
          }),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

interface LedgerReportJson {
  applied: Array<{ key: string }>;
  duplicates: number;
  appliedTwice: string[];
  outOfOrder: unknown[];
}

async function ledger(mock: MockChild): Promise<LedgerReportJson> {
  const res = await fetch(`${mock.url}/_mock/ledger/webhooks`);
  if (!res.ok) throw new Error(`mock ledger answered ${res.status}`);
  return (await res.json()) as LedgerReportJson;
}

/** The ledger entries since `before` against the backlog's event ids, read from the drained file. */
function checkLedger(dbPath: string, before: LedgerReportJson, after: LedgerReportJson): LedgerCheck {
  const db = new Database(dbPath, { readonly: true });
  const ids = new Set((db.prepare('SELECT id FROM events').pluck().all() as string[]));
  db.close();
  const fresh = after.applied.slice(before.applied.length);
  const seen = new Set<string>();
  for (const { key } of fresh) if (ids.has(key)) seen.add(key);
  const duplicates = after.duplicates - before.duplicates;
  const check = {
    applied: fresh.length,
    matching: seen.size,
    missing: ids.size - seen.size,
    duplicates,
    appliedTwice: after.appliedTwice.length,
    outOfOrderParcels: after.outOfOrder.length,
  };
  return { ...check, ok: check.applied === ids.size && check.missing === 0 && duplicates === 0 && check.appliedTwice === 0 && check.outOfOrderParcels === 0 };
}

async function drainOnce(env: Env, mock: MockChild, dbPath: string, events: number): Promise<DrainRun> {
  progress(`cloud drain: filling ${events.toLocaleString('en')} events`);
  const fill = await runWorker<{ events: number; parcels: number; fillMs: number }>(env, ['fill', dbPath, String(events)]);
  const ledgerBefore = await ledger(mock);
  const connBefore = await mock.connections();
  progress(`cloud drain: draining ${events.toLocaleString('en')} events`);
  const r = await runWorker<DrainReport>(env, ['drain', dbPath, `${mock.url}/webhooks/hooks`, String(events)]);
  const connAfter = await mock.connections();
  const check = checkLedger(dbPath, ledgerBefore, await ledger(mock));
  const rss = r.samples.map((s) => s.rss / MB);
  const used = r.samples.map((s) => s.heapUsed / MB);
  const pageReadMs = r.pageMs.reduce((a, b) => a + b, 0);
  const per = (x: number) => x / events;
  progress(`cloud drain: ${events.toLocaleString('en')} in ${(r.ms / 1000).toFixed(1)} s = ${Math.round(r.perS)}/s, peak RSS ${Math.max(...rss).toFixed(0)} MB, ledger ${check.ok ? 'ok' : 'FAIL'}`);
  return {
    events,
    parcels: fill.parcels,
    fillS: fill.fillMs / 1000,
    drainS: r.ms / 1000,
    eventsPerS: r.perS,
    connections: connAfter.accepted - connBefore.accepted,
    attempts: r.attempts,
    failures: r.failures,
    outbox: r.after,
    ledger: check,
    pageMs: summarize(r.pageMs),
    pages: r.pages,
    pageSize: r.pageSize,
    perEventMs: {
      deliver: per(r.deliverMsTotal),
      markDelivered: per(r.markMsTotal),
      pageRead: per(pageReadMs),
      other: per(r.ms - r.deliverMsTotal - r.markMsTotal - pageReadMs),
    },
    rss: { idleMb: r.idle.rss / MB, peakMb: Math.max(...rss), medianMb: median(rss), vmHwmMb: r.vmHwmMb, samples: rss.length },
    heap: { peakUsedMb: Math.max(...used), medianUsedMb: median(used), peakTotalMb: Math.max(...r.samples.map((s) => s.heapTotal / MB)) },
  };
}

export async function runCloudDrain(o: CloudDrainOptions): Promise<CloudDrainResult> {
  assertDistFresh();
  const dir = tempDir('cloud');
  try {
    const env: Env = { worker: buildWorker(dir.path), secret: `whsec_${randomBytes(32).toString('base64')}` };
    // One mock for the ceiling and the timed drain, a fresh one for the memory run (its ledger holds every body it applied).
    let mock = await startMock(env);
    let raw: CloudDrainResult['raw'];
    let throughput: DrainRun;
    try {
      progress(`cloud drain: bare httpSend loop, ${o.rawRequests.toLocaleString('en')} POSTs`);
      const c0 = await mock.connections();
      const r = await runWorker<{ requests: number; perS: number }>(env, ['raw', `${mock.url}/webhooks/hooks`, String(o.rawRequests)]);
      raw = { requests: r.requests, perS: r.perS, connections: (await mock.connections()).accepted - c0.accepted };
      throughput = await drainOnce(env, mock, join(dir.path, 'throughput.db'), o.drainEvents);
    } finally {
      await mock.stop();
    }
    mock = await startMock(env);
    let memory: DrainRun;
    try {
      memory = await drainOnce(env, mock, join(dir.path, 'memory.db'), o.rssEvents);
    } finally {
      await mock.stop();
    }
    return { throughput, memory, raw, pageSize: throughput.pageSize };
  } finally {
    dir.remove();
  }
}

/**
 * `npm run bench -- fleet` (issue 13 §5): 1,000 light simulated cabinets
 * (bench/fleet-sim.ts) and 3 real agents on one Mosquitto on loopback.
 * Measures `fleet status` over all, the command round trip to a real agent,
 * the events/s of a real agent's 10,000-event backlog, and a broker restart
 * in the middle of a second backlog: every event must arrive, none twice in
 * effect, every cabinet online again (a fresh status) within the target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { FleetOperator } from '../src/cloud/index.js';
import { JsonLineProcess, runCli } from '../test/helpers/cli.js';
import { EventConsumer, fillFleetBacklog } from '../test/helpers/fleet.js';
import { Mosquitto } from '../test/helpers/mosquitto.js';
import { progress, sleep, summarize, tempDir, type MetricRow, type Summary } from './stats.js';

const PREFIX = 'cabinets';
const SECRET = 'bench-fleet-command-key-0001';

export interface FleetBenchOptions {
  simulated: number;
  backlog: number;
  commands: number;
  statusRuns: number;
}

export interface FleetBenchResult {
  cabinets: number;
  /** The machine's load average at the start and the end (the box is shared). */
  load: { start: number[]; end: number[] };
  /** A bare QoS 1 publish → PUBACK loop, one at a time, from this process to the same broker: the ceiling of one sequential publisher here. */
  barePubackPerS: number;
  status: { ms: Summary; cliMs: number; rowsSeen: number; onlineSeen: number };
  commandRttMs: Summary;
  /** `duplicatesReceived`: raw redeliveries the consumer's key ledger skipped (at least once on the wire, once in effect). */
  backlog: { events: number; seconds: number; eventsPerS: number; missing: number; duplicatesReceived: number; outOfOrderParcels: number; depthAfter: number | null };
  restart: {
    events: number;
    receivedBeforeRestart: number;
    brokerDownMs: number;
    missing: number;
    duplicatesReceived: number;
    outOfOrderParcels: number;
    allOnlineAfterS: number | null;
    onlineAtEnd: number;
    drainAfterRestartS: number;
  };
}

function agentConfig(dir: string, id: string, broker: string): string {
  const file = join(dir, `${id}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      cabinet: { id },
      simulator: { transport: 'mock', autoCloseMs: 200 },
      database: `./${id}/kiosk.db`,
      log: { level: 'warn', file: false },
      cloud: {
        sync: { attemptTimeoutMs: 5000, backoffCapMs: 5000 },
        fleet: { url: broker, topicPrefix: PREFIX, secret: SECRET, keepaliveS: 5, reconnectBaseMs: 500, reconnectCapMs: 5000, stateDebounceMs: 200 },
      },
    }),
  );
  return file;
}

async function startAgent(dir: string, id: string, broker: string): Promise<JsonLineProcess> {
  const agent = new JsonLineProcess(['--config', agentConfig(dir, id, broker), 'start', '--json', '--ui', 'none']);
  await agent.next((l) => l['event'] === 'ready', 120_000);
  return agent;
}

function startSim(broker: string, count: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fleet-sim.ts', import.meta.url).pathname, broker, PREFIX, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('"ready"')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`fleet-sim exited with ${code}`)));
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`fleet bench: timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function barePubackLoop(op: FleetOperator, n: number): Promise<number> {
  const body = JSON.stringify({ idempotencyKey: 'x', pad: 'x'.repeat(400) });
  for (let i = 0; i < 200; i++) await op.client.publishAsync(`${PREFIX}-bare/loop`, body, { qos: 1 });
  const t = performance.now();
  for (let i = 0; i < n; i++) await op.client.publishAsync(`${PREFIX}-bare/loop`, body, { qos: 1 });
  return n / ((performance.now() - t) / 1000);
}

export async function runFleetBench(o: FleetBenchOptions): Promise<FleetBenchResult> {
  const loadStart = loadavg();
  const dir = tempDir('ck-bench-fleet-');
  const broker = await Mosquitto.start(join(dir.path, 'broker'), { extra: ['max_connections -1'] });
  const cabinets = o.simulated + 3;
  const agents: JsonLineProcess[] = [];
  let sim: ChildProcess | null = null;
  const consumer = await EventConsumer.connect(broker.url, PREFIX, 'bench-event-consumer');
  const op = await FleetOperator.connect({ url: broker.url, topicPrefix: PREFIX, secret: SECRET });
  try {
    const barePubackPerS = await barePubackLoop(op, 3000);
    progress(`fleet: ${o.simulated} simulated cabinets connecting`);
    sim = await startSim(broker.url, o.simulated);

    // Backlog: agent 1 starts with o.backlog events waiting for the fleet destination.
    const backlogIds = fillFleetBacklog(join(dir.path, 'AGENT-1', 'kiosk.db'), o.backlog, { parcels: 200, tag: 'a1-' });
    progress(`fleet: agents 1 and 3 starting (agent 1 with a backlog of ${o.backlog})`);
    const firstSeen = new Promise<number>((resolve) => consumer.client.once('message', () => resolve(performance.now())));
    const [a1, a3] = await Promise.all([startAgent(dir.path, 'AGENT-1', broker.url), startAgent(dir.path, 'AGENT-3', broker.url)]);
    agents.push(a1, a3);
    await waitFor('the backlog', () => (backlogIds.every((id) => consumer.applied.has(id)) ? true : undefined), 300_000, 20);
    const drainEnd = performance.now();
    const drainStart = await firstSeen;
    const backlogSeconds = (drainEnd - drainStart) / 1000;
    const depthAfter = await waitFor('agent 1 reporting an empty outbox', async () => {
      const row = (await op.snapshot({ settleMs: 500 })).find((r) => r.thing === 'AGENT-1');
      return row?.state?.outbox.depth === 0 ? 0 : undefined;
    }, 60_000, 500).catch(() => null);

    progress('fleet: agent 2 starting');
    agents.push(await startAgent(dir.path, 'AGENT-2', broker.url));

    progress(`fleet: fleet status × ${o.statusRuns} over ${cabinets} cabinets`);
    const statusMs: number[] = [];
    let rowsSeen = 0;
    let onlineSeen = 0;
    for (let i = 0; i < o.statusRuns; i++) {
      const t = performance.now();
      const rows = await op.snapshot();
      statusMs.push(performance.now() - t);
      rowsSeen = rows.length;
      onlineSeen = rows.filter((r) => r.online === true).length;
    }
    const operatorFile = join(dir.path, 'operator.json');
    writeFileSync(operatorFile, JSON.stringify({ url: broker.url, topicPrefix: PREFIX, secret: SECRET }));
    const cli = await runCli(['--json', 'fleet', '--fleet-config', operatorFile, 'status'], {}, { timeoutMs: 120_000 });
    const cliMs = (JSON.parse(cli.stdout) as { tookMs: number }).tookMs;

    progress(`fleet: ${o.commands} signed status commands to agent 3`);
    for (let i = 0; i < 20; i++) await op.command('AGENT-3', 'status', {});
    const rtt: number[] = [];
    for (let i = 0; i < o.commands; i++) {
      const t = performance.now();
      const r = await op.command('AGENT-3', 'status', {});
      rtt.push(performance.now() - t);
      if (!r.ok) throw new Error(`status command failed: ${r.code} ${r.message}`);
    }

    // The restart: a second backlog, the broker stopped (SIGTERM) and started again in the middle of it.
    progress('fleet: broker restart in the middle of a second backlog');
    for (const a of agents.splice(agents.indexOf(a3), 1)) await a.stop();
    const restartIds = fillFleetBacklog(join(dir.path, 'AGENT-3', 'kiosk.db'), o.backlog, { parcels: 200, tag: 'a3-' });
    const duplicatesBefore = consumer.duplicates;
    agents.push(await startAgent(dir.path, 'AGENT-3', broker.url));
    await waitFor('a quarter of the second backlog', () => (restartIds.filter((id) => consumer.applied.has(id)).length >= o.backlog / 4 ? true : undefined), 300_000, 5);
    const beforeRestart = restartIds.filter((id) => consumer.applied.has(id)).length;
    const downMs = 1000;
    await broker.restart(downMs);
    const upAt = Date.now();
    const upPerf = performance.now();
    const allOnlineAfterS = await waitFor(`all ${cabinets} cabinets announcing online again`, async () => {
      const rows = await op.snapshot({ settleMs: 500 }).catch(() => []);
      const fresh = rows.filter((r) => r.online === true && (r.statusAt ?? 0) >= upAt - 50);
      return fresh.length >= cabinets ? (performance.now() - upPerf) / 1000 : undefined;
    }, 120_000, 250).catch(() => null);
    await waitFor('the second backlog', () => (restartIds.every((id) => consumer.applied.has(id)) ? true : undefined), 300_000, 20).catch(() => undefined);
    const drainAfterRestartS = (performance.now() - upPerf) / 1000;
    const onlineAtEnd = (await op.snapshot()).filter((r) => r.online === true).length;
    const missing = (ids: string[]) => ids.filter((id) => !consumer.applied.has(id)).length;

    return {
      cabinets,
      load: { start: loadStart.map((x) => Math.round(x * 100) / 100), end: loadavg().map((x) => Math.round(x * 100) / 100) },
      barePubackPerS,
      status: { ms: summarize(statusMs), cliMs, rowsSeen, onlineSeen },
      commandRttMs: summarize(rtt),
      backlog: {
        events: o.backlog,
        seconds: backlogSeconds,
        eventsPerS: o.backlog / backlogSeconds,
        missing: missing(backlogIds),
        duplicatesReceived: duplicatesBefore,
        outOfOrderParcels: consumer.outOfOrderParcels().length,
        depthAfter,
      },
      restart: {
        events: o.backlog,
        receivedBeforeRestart: beforeRestart,
        brokerDownMs: downMs,
        missing: missing(restartIds),
        duplicatesReceived: consumer.duplicates - duplicatesBefore,
        outOfOrderParcels: consumer.outOfOrderParcels().length,
        allOnlineAfterS,
        onlineAtEnd,
        drainAfterRestartS,
      },
    };
  } finally {
    progress('fleet: stopping');
    await Promise.all(agents.map((a) => a.stop()));
    sim?.kill('SIGTERM');
    await op.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
    await broker.stop();
    dir.remove();
  }
}

/** bench/run.ts's row shape. */
export type FleetMetricRow = MetricRow;

const fmt = (x: number | null, d = 2): string => (x === null ? '—' : x.toFixed(d));

export function fleetRows(r: FleetBenchResult): FleetMetricRow[] {
  const b = r.backlog;
  const s = r.restart;
  const sound = b.missing === 0 && b.outOfOrderParcels === 0 && s.missing === 0 && s.outOfOrderParcels === 0;
  const rows: FleetMetricRow[] = [
    {
      metric: 'fleet_status_ms', variant: `${r.cabinets.toLocaleString('en')} cabinets`, unit: 'ms', p50: r.status.ms.p50, p99: r.status.ms.p99, value: null,
      target: { on: 'p99', op: '<=', limit: 2000 }, pass: r.status.ms.p99 <= 2000 && r.status.rowsSeen === r.cabinets,
      beside: `${r.status.ms.n} runs, max ${fmt(r.status.ms.max, 0)} ms; rows ${r.status.rowsSeen}, online ${r.status.onlineSeen}; the CLI as a process (\`fleet status --json\`, its own tookMs) ${r.status.cliMs} ms`,
      measures: 'FleetOperator.snapshot(): subscribe to <prefix>/+/status and <prefix>/+/state, read every retained message, done when the probe published after the SUBACK comes back; one operator connection to Mosquitto on loopback',
    },
    {
      metric: 'fleet_command_rtt_ms', variant: 'signed status → a real agent', unit: 'ms', p50: r.commandRttMs.p50, p99: r.commandRttMs.p99, value: null,
      target: { on: 'p99', op: '<=', limit: 100 }, pass: r.commandRttMs.p99 <= 100,
      beside: `${r.commandRttMs.n} commands one at a time after 20 warm-up, max ${fmt(r.commandRttMs.max)} ms`,
      measures: 'FleetOperator.command(): sign, publish QoS 1 on <thing>/commands → the agent verifies, records in its SQLite inbox (fsync), runs `status` through the channel executor, stores the result (fsync), publishes on <thing>/results → the operator has it',
    },
    {
      metric: 'fleet_backlog_events_per_s', variant: `${b.events.toLocaleString('en')} backlog, 1 agent`, unit: '/s', p50: null, p99: null, value: b.eventsPerS,
      target: { on: 'value', op: '>=', limit: 2000 }, pass: b.eventsPerS >= 2000 && b.missing === 0 && b.outOfOrderParcels === 0,
      beside: `${fmt(b.seconds)} s; bare PUBACK loop here ${fmt(r.barePubackPerS, 0)}/s (drain = ${fmt(b.eventsPerS / r.barePubackPerS)}× that); load ${r.load.start.join(' ')} → ${r.load.end.join(' ')}; missing ${b.missing}, raw redeliveries ${b.duplicatesReceived} (applied once by key), out of order ${b.outOfOrderParcels} parcels; outbox depth reported after ${b.depthAfter ?? '?'}`,
      measures: 'first event at the consumer → every backlog event applied by a persistent-session consumer deduping by idempotency key; the agent (child process, compiled dist/) drains its outbox to <thing>/events, each row marked delivered on its PUBACK (a window of maxInflight/2 = 50 publishes in flight, rows recorded in page order)',
    },
    {
      metric: 'fleet_all_online_after_restart_s', variant: `broker down ${s.brokerDownMs} ms, ${r.cabinets.toLocaleString('en')} cabinets`, unit: 's', p50: null, p99: null, value: s.allOnlineAfterS,
      target: { on: 'value', op: '<=', limit: 15 }, pass: s.allOnlineAfterS !== null && s.allOnlineAfterS <= 15 && sound,
      beside: `second backlog ${s.events.toLocaleString('en')} (${s.receivedBeforeRestart.toLocaleString('en')} through before the restart): missing ${s.missing}, raw redeliveries ${s.duplicatesReceived} (applied once), out of order ${s.outOfOrderParcels}; all through ${fmt(s.drainAfterRestartS, 1)} s after the broker was back; online at the end ${s.onlineAtEnd}/${r.cabinets}`,
      measures: 'Mosquitto stopped (SIGTERM, sessions persisted) and started on the same port in the middle of a backlog drain → every cabinet (1,000 light clients with 1–2 s reconnect, 3 agents with jittered reconnect from 500 ms) has published a fresh retained online status',
    },
  ];
  return rows;
}

/** Replaces the fleet rows in bench/results.json (others kept), adds the details. */
export function mergeFleetResults(path: string, rows: FleetMetricRow[], details: FleetBenchResult, parameters: FleetBenchOptions): void {
  let doc: { metrics?: Array<{ metric: string }>; details?: Record<string, unknown>; parameters?: Record<string, unknown>; fleetRunAt?: string } = {};
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as typeof doc;
  } catch {
    doc = {};
  }
  const names = new Set(rows.map((r) => r.metric));
  doc.metrics = [...(doc.metrics ?? []).filter((m) => !names.has(m.metric)), ...rows];
  doc.details = { ...(doc.details ?? {}), fleet: details };
  doc.parameters = { ...(doc.parameters ?? {}), fleet: parameters };
  doc.fleetRunAt = new Date().toISOString();
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
}

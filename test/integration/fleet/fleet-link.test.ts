import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetOperator, fleetTopics, signCommand, type AlarmPayload, type ReportedPayload } from '../../../src/cloud/index.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import * as store from '../../../src/store/index.js';
import { agentConfig, until } from '../../helpers/cloud.js';
import { assertBuilt, runCli, startHeadlessAgent } from '../../helpers/cli.js';
import { EventConsumer, fillFleetBacklog } from '../../helpers/fleet.js';
import { Mosquitto } from '../../helpers/mosquitto.js';

/**
 * The fleet link against a real Mosquitto on 127.0.0.1 (test/helpers/mosquitto.ts):
 * real agents (a child process for the last will, in-process for the rest),
 * the operator's client, and the fleet CLI as a separate process.
 */
const SECRET = 'fleet-test-command-key-0001';
const PREFIX = 'cabinets';

describe('fleet link on a real broker', () => {
  let broker: Mosquitto;
  let op: FleetOperator;
  const running: RunningAgent[] = [];

  const fleetSettings = (extra: Record<string, unknown> = {}) => ({
    url: broker.url,
    topicPrefix: PREFIX,
    secret: SECRET,
    keepaliveS: 1,
    reconnectBaseMs: 100,
    reconnectCapMs: 500,
    stateDebounceMs: 50,
    ...extra,
  });

  const startAgent = async (id: string, doc: Record<string, unknown> = {}, fleet: Record<string, unknown> = {}): Promise<RunningAgent> => {
    const config = agentConfig({ cabinet: { id }, cloud: { fleet: fleetSettings(fleet), sync: { attemptTimeoutMs: 2000, backoffCapMs: 2000 } }, ...doc });
    const agent = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
    running.push(agent);
    return agent;
  };

  beforeAll(async () => {
    broker = await Mosquitto.start(mkdtempSync(join(tmpdir(), 'ck-mqtt-')));
    op = await FleetOperator.connect({ url: broker.url, topicPrefix: PREFIX, secret: SECRET });
  }, 60_000);

  afterAll(async () => {
    await op?.close();
    for (const r of running) await r.stop().catch(() => undefined);
    await broker?.stop();
  }, 60_000);

  it('announces the cabinet online with a retained state, and the broker marks it offline by its last will after SIGKILL', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'ck-fleet-will-'));
    const { agent } = await startHeadlessAgent(dir, { cabinet: { id: 'WILL-1' }, cloud: { fleet: fleetSettings() } });
    try {
      const online = await until('WILL-1 online with a state snapshot', async () => {
        const row = (await op.snapshot({ settleMs: 500 })).find((r) => r.thing === 'WILL-1');
        return row?.online === true && row.state !== null ? row : undefined;
      }, 30_000);
      expect(online.state?.compartments).toHaveLength(24);
      expect(online.state?.versions.app).toMatch(/\d+\.\d+\.\d+/);
      await agent.stop('SIGKILL');
      // keepalive 1 s: the broker gives up after 1.5 × keepalive and publishes the will.
      const offline = await until('WILL-1 offline by its last will', async () => {
        const row = (await op.snapshot({ settleMs: 500 })).find((r) => r.thing === 'WILL-1');
        return row?.online === false ? row : undefined;
      }, 30_000);
      expect(offline.online).toBe(false);
    } finally {
      await agent.stop('SIGKILL');
    }
  }, 90_000);

  it('drains a backlog to the events topic acknowledged by PUBACK, across a broker restart: every event arrives, the consumer applies each once, in order per parcel', async () => {
    const consumer = await EventConsumer.connect(broker.url, PREFIX, `consumer-${randomUUID()}`);
    try {
      const config = agentConfig({ cabinet: { id: 'DRAIN-1' }, cloud: { fleet: fleetSettings(), sync: { attemptTimeoutMs: 2000, backoffCapMs: 2000 } } });
      const ids = fillFleetBacklog(config.database, 4000, { parcels: 40 });
      const agent = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
      running.push(agent);
      await consumer.until(300, 60_000);
      // Mid-drain: the broker goes away (SIGTERM: it saves its sessions) and comes back on the same port.
      await broker.restart(500);
      expect(consumer.applied.size, 'the broker went down before the backlog was through').toBeLessThan(ids.length);
      await consumer.until(ids.length, 120_000);
      expect(new Set(consumer.applied.keys())).toEqual(new Set(ids));
      expect(consumer.outOfOrderParcels()).toEqual([]);
      await until('every fleet row acknowledged', () => (store.outboxStats(agent.agent.db, Date.now()).pending === 0 ? true : undefined), 60_000);
      const rows = agent.agent.db.stmt(`SELECT state, count(*) AS n FROM outbox_settled WHERE destination = 'fleet' GROUP BY state`).all() as Array<{ state: string; n: number }>;
      expect(rows).toEqual([{ state: 'delivered', n: ids.length }]);
    } finally {
      await consumer.close();
    }
  }, 240_000);

  it('runs a signed command through the channel executor once: a redelivery gets the stored result, a stale or forged one is refused', async () => {
    const agent = await startAgent('CMD-1');
    await until('CMD-1 online', async () => ((await op.snapshot({ settleMs: 300 })).find((r) => r.thing === 'CMD-1')?.online === true ? true : undefined), 30_000);
    const opens = () => (agent.agent.db.stmt(`SELECT count(*) AS n FROM open_intents`).get() as { n: number }).n;
    const before = opens();
    const id = randomUUID();
    const first = await op.command('CMD-1', 'open', { compartment: '3' }, { id });
    expect(first).toMatchObject({ id, ok: true, data: { compartmentId: '3' } });
    const again = await op.command('CMD-1', 'open', { compartment: '3' }, { id });
    expect(again).toEqual(first);
    expect(opens()).toBe(before + 1);

    // Signed correctly but issued 10 minutes ago (the window is 5): refused, not run.
    const topics = fleetTopics(PREFIX, 'CMD-1');
    const stale = signCommand({ id: randomUUID(), type: 'open', args: { compartment: '4' }, issuedAt: Date.now() - 10 * 60_000 }, SECRET);
    const forged = signCommand({ id: randomUUID(), type: 'open', args: { compartment: '4' }, issuedAt: Date.now() }, 'not-the-key-of-this-cabinet');
    const answers = new Map<string, unknown>();
    op.client.on('message', (topic, payload) => {
      if (topic !== topics.results) return;
      const r = JSON.parse(payload.toString()) as { id: string };
      answers.set(r.id, r);
    });
    await op.client.publishAsync(topics.commands, JSON.stringify(stale), { qos: 1 });
    await op.client.publishAsync(topics.commands, JSON.stringify(forged), { qos: 1 });
    await until('both refusals', () => (answers.has(stale.id) && answers.has(forged.id) ? true : undefined), 30_000);
    expect(answers.get(stale.id)).toMatchObject({ ok: false, code: 'stale' });
    expect(answers.get(forged.id)).toMatchObject({ ok: false, code: 'bad-signature' });
    expect(opens()).toBe(before + 1);

    // A job is the same signed command on `jobs`, reported on `jobs/status`.
    const job = await op.command('CMD-1', 'status', {}, { via: 'jobs' });
    expect(job).toMatchObject({ ok: true, data: { appVersion: expect.any(String) } });
  }, 90_000);

  it('applies a desired configuration, reports it, keeps it over a restart, and rejects a bad one leaving the last good in force', async () => {
    const agent = await startAgent('CFG-1');
    await until('CFG-1 online', async () => ((await op.snapshot({ settleMs: 300 })).find((r) => r.thing === 'CFG-1')?.online === true ? true : undefined), 30_000);
    const good: ReportedPayload = await op.setConfig('CFG-1', { 'fleet.heartbeatMs': 5000 });
    expect(good.last).toEqual({ version: good.version, outcome: 'applied' });
    expect(good.settings['fleet.heartbeatMs']).toBe(5000);

    const bad = await op.setConfig('CFG-1', { 'fleet.heartbeatMs': 5 });
    expect(bad.last).toMatchObject({ outcome: 'rejected', error: { code: 'bad-setting', key: 'fleet.heartbeatMs' } });
    expect(bad.version).toBe(good.version);
    expect(bad.settings['fleet.heartbeatMs']).toBe(5000);
    // The operator's patch goes on top of what is in force, not on the rejected document.
    const unknown = await op.setConfig('CFG-1', { 'database': '/tmp/elsewhere.db' });
    expect(unknown.last).toMatchObject({ outcome: 'rejected', error: { key: 'database' } });

    // The applied version is stored: the same database after a restart runs it.
    const config = agent.agent.config;
    await agent.stop();
    const again = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
    running.push(again);
    const state = await until('CFG-1 state after restart', async () => {
      const row = (await op.snapshot({ settleMs: 300 })).find((r) => r.thing === 'CFG-1');
      return row?.online === true && row.state !== null && row.state.at > Date.now() - 5000 ? row.state : undefined;
    }, 30_000);
    expect(state.config).toMatchObject({ version: good.version, settings: { 'fleet.heartbeatMs': 5000 } });
  }, 90_000);

  it('sends an alarm at once and repeats it until the operator acknowledges its id', async () => {
    const seen: AlarmPayload[] = [];
    const stop = await op.followAlarms((thing, alarm) => {
      if (thing === 'ALARM-1') seen.push(alarm);
    });
    // A serial path with nothing behind it: the lock bus is down from the start.
    await startAgent('ALARM-1', { serial: { path: join(tmpdir(), `no-such-tty-${randomUUID()}`) } }, { alarmRepeatMs: 300 });
    const first = await until('a bus-down alarm repeated twice', () => {
      const busDown = seen.filter((a) => a.code === 'bus-down' && a.state === 'raised');
      const last = busDown.at(-1);
      return last !== undefined && busDown.filter((a) => a.id === last.id).length >= 3 ? last : undefined;
    }, 30_000);
    const ids = new Set(seen.filter((a) => a.code === 'bus-down').map((a) => a.id));
    for (const id of ids) await op.ackAlarm('ALARM-1', id);
    await new Promise((r) => setTimeout(r, 1500)); // five repeat periods
    const afterAck = seen.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen.slice(afterAck).filter((a) => ids.has(a.id))).toEqual([]);
    expect(first.repeat).toBeGreaterThanOrEqual(2);
    const row = (await op.snapshot({ settleMs: 300 })).find((r) => r.thing === 'ALARM-1');
    expect(row?.state?.alarms.map((a) => a.code)).toContain('bus-down');
    stop();
  }, 90_000);

  it('keeps the alarms the operator has not acknowledged across a restart: sent again under their first ids until acknowledged', async () => {
    const seen: AlarmPayload[] = [];
    const stop = await op.followAlarms((thing, alarm) => {
      if (thing === 'ALARM-2') seen.push(alarm);
    });
    const config = agentConfig({
      cabinet: { id: 'ALARM-2' },
      cloud: { fleet: fleetSettings({ alarmRepeatMs: 300 }), sync: { attemptTimeoutMs: 2000, backoffCapMs: 2000 } },
      serial: { path: join(tmpdir(), `no-such-tty-${randomUUID()}`) },
    });
    const boot = async () => {
      const agent = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
      running.push(agent);
      return agent;
    };
    const firstRun = await boot();
    const first = await until('a bus-down raise', () => seen.find((a) => a.code === 'bus-down' && a.state === 'raised'), 30_000);
    await firstRun.stop();
    const before = seen.length;
    const secondRun = await boot();
    const again = await until('the first raise sent again after the restart', () => seen.slice(before).find((a) => a.id === first.id), 30_000);
    expect(again).toMatchObject({ code: 'bus-down', state: 'raised', since: first.since });
    // Acknowledge every id seen (the new raise of the bus still down comes in the same burst) until none is kept.
    const acked = new Set<string>();
    await until('every acknowledgement recorded', async () => {
      for (const { id } of seen) if (!acked.has(id)) await op.ackAlarm('ALARM-2', id).then(() => acked.add(id));
      return store.getSetting(secondRun.agent.db, 'fleet.unacked-alarms') === '[]' ? true : undefined;
    }, 30_000);
    stop();
    await secondRun.stop();
  }, 90_000);

  it('runs a log-upload job: the newest log file is PUT to the URL in the job, and a plain-http URL off loopback is refused', async () => {
    const bodies: Array<{ method: string; text: string }> = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        bodies.push({ method: req.method ?? '', text });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      await startAgent('LOGS-1', { log: { level: 'info', file: true } });
      await until('LOGS-1 online', async () => ((await op.snapshot({ settleMs: 300 })).find((r) => r.thing === 'LOGS-1')?.online === true ? true : undefined), 30_000);
      const done = await op.command('LOGS-1', 'upload-logs', { url: `http://127.0.0.1:${port}/upload/LOGS-1.log` }, { via: 'jobs' });
      expect(done).toMatchObject({ ok: true, data: { status: 200, bytes: expect.any(Number) } });
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.method).toBe('PUT');
      expect(bodies[0]!.text).toContain('fleet broker connected');
      const refused = await op.command('LOGS-1', 'upload-logs', { url: 'http://logs.example.com/x' }, { via: 'jobs' });
      expect(refused).toMatchObject({ ok: false, code: 'bad-url' });
      expect(bodies).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 90_000);

  it('fleet CLI: status lists every cabinet from the broker, open sends a signed command and prints its result', async () => {
    assertBuilt();
    await startAgent('CLI-1');
    await until('CLI-1 online', async () => ((await op.snapshot({ settleMs: 300 })).find((r) => r.thing === 'CLI-1')?.online === true ? true : undefined), 30_000);
    const dir = mkdtempSync(join(tmpdir(), 'ck-fleet-op-'));
    const file = join(dir, 'operator.json');
    writeFileSync(file, JSON.stringify({ url: broker.url, topicPrefix: PREFIX, secret: SECRET }));
    type Table = { cabinets: Array<{ cabinet: string; online: boolean; outboxDepth: number | null }> };
    // Keepalive is 1 s here: a starved test machine can drop the agent for a moment (its will says offline, it is back at once), so the table is asked again until it shows the agent online.
    const { status, table } = await until('the CLI table shows CLI-1 online', async () => {
      const ran = await runCli(['--json', 'fleet', '--fleet-config', file, 'status'], {}, { timeoutMs: 60_000 });
      expect(ran.code, ran.stderr).toBe(0);
      const parsed = JSON.parse(ran.stdout) as Table;
      return parsed.cabinets.find((c) => c.cabinet === 'CLI-1')?.online === true ? { status: ran, table: parsed } : undefined;
    }, 60_000);
    expect(table.cabinets.find((c) => c.cabinet === 'CLI-1')).toMatchObject({ online: true, outboxDepth: expect.any(Number) });
    expect(table.cabinets.find((c) => c.cabinet === 'WILL-1'), status.stdout).toMatchObject({ online: false });

    const open = await runCli(['fleet', '--fleet-config', file, 'open', 'CLI-1', '5'], {}, { timeoutMs: 60_000 });
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toContain('"compartmentId":"5"');
    const missing = await runCli(['fleet', '--fleet-config', file, 'open', 'CLI-1', 'Z99'], {}, { timeoutMs: 60_000 });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('compartment-not-found');
  }, 120_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import { CommandChannel, type ChannelState, type ChannelTimers, type CommandChannelOptions } from '../../../../src/cloud/channel/channel-client.js';
import { signCommand, type HeartbeatFacts } from '../../../../src/cloud/channel/command.js';
import { ChannelError } from '../../../../src/cloud/channel/errors.js';
import type { Logger } from '../../../../src/shared/logger.js';
import { startMockChannel, type MockChannel, type MockChannelOptions } from '../../../../tools/mock-cloud/channel.js';
import { deferred, MemoryInbox, RecordingExecutor } from './fakes.js';

/** The channel over real `ws` on 127.0.0.1 against the mock operator (tools/mock-cloud/channel.ts). */

const SECRET = 'channel-client-secret-0001';
const TOKEN = 'device-token-abcdef123456';
const NOW = 1_750_000_000_000;

const FACTS: HeartbeatFacts = {
  appVersion: '0.1.0',
  doors: [
    { compartment: 'A01', door: 'closed' },
    { compartment: 'A02', door: 'open' },
  ],
  outbox: { depth: 4, oldestPendingAgeMs: 65_000 },
  quickCheck: { ok: true, detail: ['ok'] },
};

/** Every log line, to check that no token, secret or signature is ever written. */
function captureLogger(lines: string[]): Logger {
  const write = (obj: object | string, msg?: string) => lines.push(JSON.stringify([obj, msg]));
  const logger: Logger = { debug: write, info: write, warn: write, error: write, child: (b) => (write(b), logger) };
  return logger;
}

let mocks: MockChannel[] = [];
let channels: CommandChannel[] = [];
afterEach(async () => {
  await Promise.all(channels.map((c) => c.stop()));
  await Promise.all(mocks.map((m) => m.close()));
  mocks = [];
  channels = [];
});

async function mock(options: Partial<MockChannelOptions> = {}): Promise<MockChannel> {
  const m = await startMockChannel({ secret: SECRET, token: TOKEN, ...options });
  mocks.push(m);
  return m;
}

interface Rig {
  channel: CommandChannel;
  inbox: MemoryInbox;
  executor: RecordingExecutor;
  states: ChannelState[];
  logs: string[];
}

interface Extra {
  executor?: RecordingExecutor;
  facts?: () => HeartbeatFacts;
  now?: () => number;
  random?: () => number;
  timers?: ChannelTimers;
}

function connect(m: MockChannel, options: Partial<CommandChannelOptions> = {}, extra: Extra = {}): Rig {
  const inbox = new MemoryInbox();
  const executor = extra.executor ?? new RecordingExecutor();
  const logs: string[] = [];
  const channel = new CommandChannel(
    { url: m.url, token: TOKEN, secret: SECRET, backoffBaseMs: 20, backoffCapMs: 50, ...options },
    {
      inbox,
      executor,
      heartbeatFacts: extra.facts ?? (() => FACTS),
      logger: captureLogger(logs),
      now: extra.now ?? (() => NOW),
      ...(extra.random ? { random: extra.random } : {}),
      ...(extra.timers ? { timers: extra.timers } : {}),
    },
  );
  channels.push(channel);
  const states: ChannelState[] = [];
  channel.onStateChange((s) => states.push(s));
  channel.start();
  return { channel, inbox, executor, states, logs };
}

const open = (id: string) => ({ id, type: 'open', args: { compartment: 'A01' }, issuedAt: NOW });

function expectNoSecrets(logs: string[], ...more: string[]): void {
  for (const line of logs) {
    for (const secret of [TOKEN, SECRET, ...more]) expect(line).not.toContain(secret);
  }
}

describe('CommandChannel commands', () => {
  it('a valid command is executed once and answered', async () => {
    const m = await mock();
    const rig = connect(m);
    await m.waitForConnection(1);
    const sent = m.send(open('c1'));
    expect(await m.nextResult('c1')).toEqual({ id: 'c1', ok: true, data: { ran: 'open' } });
    expect(rig.executor.executed).toEqual([{ id: 'c1', type: 'open', args: { compartment: 'A01' }, issuedAt: NOW }]);
    expect(rig.inbox.rows.get('channel:c1')?.result).toEqual({ id: 'c1', ok: true, data: { ran: 'open' } });
    expect(rig.channel.state()).toBe('connected');
    expect(rig.states).toEqual(['connecting', 'connected']);
    expectNoSecrets(rig.logs, sent.signature);
  });

  it('the same command id again: the stored result, the executor not called', async () => {
    const m = await mock();
    const rig = connect(m);
    await m.waitForConnection(1);
    m.send(open('c1'));
    const first = await m.nextResult('c1');
    m.send(open('c1'));
    expect(await m.nextResult('c1')).toEqual(first);
    expect(rig.executor.executed).toHaveLength(1);
    expect(rig.inbox.calls.filter((c) => c.op === 'record')).toHaveLength(2);
    expect(rig.inbox.calls.filter((c) => c.op === 'setResult')).toHaveLength(1);
  });

  it('bad signature, stale, future and malformed: refused, nothing recorded, nothing run', async () => {
    const m = await mock();
    const rig = connect(m);
    await m.waitForConnection(1);
    const forged = signCommand(open('bad-sig'), 'another-secret-0000000');
    m.sendRaw(JSON.stringify(forged));
    m.send({ ...open('stale'), issuedAt: NOW - 5 * 60_000 - 1 });
    m.send({ ...open('future'), issuedAt: NOW + 5 * 60_000 + 1 });
    m.sendRaw('{"id":"malformed","type":"open"');
    m.sendRaw(JSON.stringify({ ...signCommand(open('no-sig'), SECRET), signature: undefined }));
    m.send({ id: 'unknown', type: 'self-destruct', args: {}, issuedAt: NOW });
    m.send({ id: 'bad-args', type: 'open', args: { compartment: 1 }, issuedAt: NOW });

    expect(await m.nextResult('bad-sig')).toMatchObject({ ok: false, code: 'bad-signature' });
    expect(await m.nextResult('stale')).toMatchObject({ ok: false, code: 'stale' });
    expect(await m.nextResult('future')).toMatchObject({ ok: false, code: 'stale' });
    expect(await m.nextResult(null)).toMatchObject({ ok: false, code: 'malformed' });
    expect(await m.nextResult('no-sig')).toMatchObject({ ok: false, code: 'malformed' });
    expect(await m.nextResult('unknown')).toMatchObject({ ok: false, code: 'unknown-type' });
    expect(await m.nextResult('bad-args')).toMatchObject({ ok: false, code: 'bad-args' });
    expect(rig.inbox.calls).toEqual([]);
    expect(rig.executor.executed).toEqual([]);
    expectNoSecrets(rig.logs, forged.signature);
    // The channel is still up and serves the next good command.
    m.send(open('good'));
    expect(await m.nextResult('good')).toMatchObject({ ok: true });
  });

  it('a result finished after a reconnect goes out on the new connection; the redelivery gets it stored', async () => {
    const m = await mock();
    const started = deferred();
    const gate = deferred();
    const executor = new RecordingExecutor(async (c) => {
      started.resolve();
      await gate.promise;
      return { id: c.id, ok: true, data: { opened: 'A01' } };
    });
    const rig = connect(m, {}, { executor });
    await m.waitForConnection(1);
    m.send(open('slow'));
    await started.promise;
    m.dropAll();
    await m.waitForConnection(2);
    await until(() => rig.channel.state() === 'connected');
    gate.resolve();
    expect(await m.nextResult('slow')).toEqual({ id: 'slow', ok: true, data: { opened: 'A01' } });
    m.send(open('slow'));
    expect(await m.nextResult('slow')).toEqual({ id: 'slow', ok: true, data: { opened: 'A01' } });
    expect(rig.executor.executed).toHaveLength(1);
  });
});

describe('CommandChannel connection', () => {
  it('reconnects after the server drops the connection', async () => {
    const m = await mock();
    const rig = connect(m);
    await m.waitForConnection(1);
    m.dropAll();
    await m.waitForConnection(2);
    await until(() => rig.channel.state() === 'connected');
    expect(rig.states).toEqual(['connecting', 'connected', 'offline', 'connecting', 'connected']);
    m.send(open('after'));
    expect(await m.nextResult('after')).toMatchObject({ id: 'after', ok: true });
  });

  it('backs off exponentially with jitter, and resets after a connection stayed up stableAfterMs', async () => {
    const m = await mock();
    let clock = NOW;
    const delays: number[] = [];
    // Real timers, recording each delay asked for; redials are the only short ones (ping and heartbeat keep their long defaults).
    const timers: ChannelTimers = {
      setTimeout: (callback, ms) => {
        if (ms < 1000) delays.push(ms);
        return setTimeout(callback, ms);
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const rig = connect(m, { backoffBaseMs: 20, backoffCapMs: 60, stableAfterMs: 5000 }, { now: () => clock, random: () => 0.5, timers });
    for (let n = 1; n <= 4; n++) {
      await m.waitForConnection(n);
      await until(() => rig.channel.state() === 'connected');
      m.dropAll();
    }
    await m.waitForConnection(5);
    await until(() => rig.channel.state() === 'connected');
    clock += 5000;
    m.dropAll();
    await m.waitForConnection(6);
    // Half of min(cap, base · 2^failures): 10, 20, 30 (capped at 60), 30, then back to 10 after the stable connection.
    expect(delays).toEqual([10, 20, 30, 30, 10]);
  });

  it('keeps redialling while the server is away, and connects when it is back', async () => {
    const first = await mock();
    const url = first.url;
    const port = Number(new URL(url).port);
    const rig = connect(first);
    await first.waitForConnection(1);
    await first.close();
    mocks = mocks.filter((m) => m !== first);
    await until(() => rig.states.filter((s) => s === 'connecting').length >= 3);
    expect(rig.channel.lastError()).toMatch(/ECONNREFUSED/);
    const second = await mock({ port });
    await second.waitForConnection(1);
    await until(() => rig.channel.state() === 'connected');
    expect(rig.channel.lastError()).toBeNull();
  });

  it('a wrong token gets 401, never connects, keeps trying with backoff, and logs no token', async () => {
    const m = await mock({ token: 'the-token-the-server-wants' });
    const rig = connect(m);
    await m.waitForUnauthorised(3);
    expect(m.accepted).toBe(0);
    expect(rig.states).not.toContain('connected');
    expect(rig.channel.lastError()).toMatch(/401/);
    expectNoSecrets(rig.logs);
  });

  it('sends a heartbeat at connect and then every heartbeatMs, with fresh facts', async () => {
    const m = await mock();
    let depth = 0;
    connect(m, { heartbeatMs: 30 }, { facts: () => ({ ...FACTS, outbox: { depth: ++depth, oldestPendingAgeMs: depth * 1000 } }) });
    const first = await m.nextHeartbeat();
    expect(first).toEqual({ type: 'heartbeat', at: NOW, ...FACTS, outbox: { depth: 1, oldestPendingAgeMs: 1000 } });
    const second = await m.nextHeartbeat();
    expect(second.outbox).toEqual({ depth: 2, oldestPendingAgeMs: 2000 });
    expect(m.invalid).toEqual([]);
  });

  it('a heartbeat whose facts throw or do not fit the schema is skipped; the next one goes out', async () => {
    const m = await mock();
    let calls = 0;
    const rig = connect(
      m,
      { heartbeatMs: 30 },
      {
        facts: () => {
          calls++;
          if (calls === 1) throw new Error('database is closed');
          if (calls === 2) return { ...FACTS, outbox: { depth: -1, oldestPendingAgeMs: null } };
          return FACTS;
        },
      },
    );
    expect(await m.nextHeartbeat()).toMatchObject({ type: 'heartbeat', outbox: FACTS.outbox });
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(m.invalid).toEqual([]);
    expect(rig.logs.filter((l) => l.includes('heartbeat skipped'))).toHaveLength(2);
  });

  it('pings; a live server keeps the connection', async () => {
    const m = await mock();
    const rig = connect(m, { pingIntervalMs: 10, pongTimeoutMs: 1000 });
    await m.waitForPings(3);
    expect(m.accepted).toBe(1);
    expect(rig.channel.state()).toBe('connected');
  });

  it('drops a connection whose server stops answering pings, and redials', async () => {
    const m = await mock({ answerPings: false });
    const rig = connect(m, { pingIntervalMs: 10, pongTimeoutMs: 30 });
    await m.waitForConnection(2);
    expect(rig.states.slice(0, 3)).toEqual(['connecting', 'connected', 'offline']);
    expect(rig.channel.lastError()).toMatch(/no pong/);
  });

  it('stop closes the connection, stays offline and does not redial', async () => {
    const m = await mock();
    const rig = connect(m);
    await m.waitForConnection(1);
    await until(() => rig.channel.state() === 'connected');
    await rig.channel.stop();
    expect(rig.channel.state()).toBe('offline');
    await until(() => m.openConnections() === 0);
    rig.channel.start();
    expect(rig.channel.state()).toBe('offline');
    expect(m.accepted).toBe(1);
  });

  it('refuses a configuration that cannot work, without quoting the token', () => {
    const base = { url: 'ws://127.0.0.1:1/', token: TOKEN, secret: SECRET };
    const deps = { inbox: new MemoryInbox(), executor: new RecordingExecutor(), heartbeatFacts: () => FACTS };
    const code = (options: CommandChannelOptions): string => {
      try {
        new CommandChannel(options, deps);
      } catch (err) {
        expect(err).toBeInstanceOf(ChannelError);
        expect((err as Error).message).not.toContain(TOKEN);
        return (err as ChannelError).code;
      }
      return 'accepted';
    };
    expect(code(base)).toBe('accepted');
    expect(code({ ...base, url: 'https://cloud.example/ch' })).toBe('bad-url');
    expect(code({ ...base, url: 'not a url' })).toBe('bad-url');
    expect(code({ ...base, token: '' })).toBe('bad-token');
    expect(code({ ...base, token: `${TOKEN} x` })).toBe('bad-token');
    expect(code({ ...base, secret: '' })).toBe('bad-secret');
    expect(code({ ...base, pingIntervalMs: 0 })).toBe('bad-option');
    expect(code({ ...base, backoffCapMs: 1.5 })).toBe('bad-option');
  });
});

/** Polls a condition on the event loop (no time budget of its own: the test timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCommand } from '../../../src/cloud/channel/command.js';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { startMockChannel, type MockChannel } from '../../../tools/mock-cloud/channel.js';
import * as store from '../../../src/store/index.js';
import { agentConfig, until } from '../../helpers/cloud.js';

/**
 * The operator's command channel against a real agent: the mock operator
 * server signs commands, the agent verifies them, dedupes them in its SQLite
 * inbox and runs them through the same flows as the keypad.
 */
describe('agent command channel', () => {
  const secret = 'channel-secret-for-the-demo-0001';
  const token = 'device-token-0001';
  let channel: MockChannel;
  let running: RunningAgent;

  beforeAll(async () => {
    channel = await startMockChannel({ secret, token });
    const config = agentConfig({ cloud: { channel: { url: channel.url, token, secret, backoffBaseMs: 50, backoffCapMs: 200 } } });
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
    await channel.waitForConnection(1);
  });
  afterAll(async () => {
    await running?.stop();
    await channel?.close();
  });

  const opens = () => (running.agent.db.stmt(`SELECT count(*) AS n FROM open_intents`).get() as { n: number }).n;
  const command = (type: string, args: Record<string, unknown>) => ({ id: randomUUID(), type, args, issuedAt: Date.now() });

  it('sends a heartbeat with every compartment door, the outbox depth and quick_check on connect', async () => {
    const beat = await channel.nextHeartbeat();
    expect(beat.doors).toHaveLength(24);
    expect(beat.quickCheck.ok).toBe(true);
    expect(beat.outbox).toMatchObject({ depth: expect.any(Number) });
  });

  it('opens a compartment once for a command delivered twice, answering the stored result the second time', async () => {
    const before = opens();
    const sent = channel.send(command('open', { compartment: '3' }));
    expect(await channel.nextResult(sent.id)).toMatchObject({ id: sent.id, ok: true, data: { compartmentId: '3' } });
    channel.sendRaw(JSON.stringify(sent));
    expect(await channel.nextResult(sent.id)).toMatchObject({ id: sent.id, ok: true, data: { compartmentId: '3' } });
    expect(opens()).toBe(before + 1);
    const audit = store.listAudit(running.agent.db, {}).filter((a) => a.actor === 'operator:channel');
    expect(audit.filter((a) => a.action === 'remote.opened')).toHaveLength(1);
  });

  it('runs a remote pickup of a stored parcel through the pickup flow', async () => {
    const deposit = await callAgent(running.socketPath, 'deposit', { size: 'S' });
    if (!deposit.reached || !deposit.result.ok) throw new Error('deposit failed');
    const { parcelId } = deposit.result.value as { parcelId: string };
    const sent = channel.send(command('remote-pickup', { parcelId }));
    expect(await channel.nextResult(sent.id)).toMatchObject({ ok: true, data: { parcelId } });
    expect(store.getParcel(running.agent.db, parcelId)?.state).toBe('picked-up');
    const again = channel.send(command('remote-pickup', { parcelId }));
    expect(await channel.nextResult(again.id)).toMatchObject({ ok: false, code: 'parcel-not-stored' });
  });

  it('refuses a forged, a replayed-too-late and a future command with nothing stored and no door opened', async () => {
    const before = { opens: opens(), inbox: (running.agent.db.stmt('SELECT count(*) AS n FROM inbox').get() as { n: number }).n };
    const forged = { ...command('open', { compartment: '4' }) };
    channel.sendRaw(JSON.stringify(signCommand(forged, 'not-the-secret-at-all-000000')));
    expect(await channel.nextResult(forged.id)).toMatchObject({ ok: false, code: 'bad-signature' });
    const stale = { ...command('open', { compartment: '4' }), issuedAt: Date.now() - 6 * 60_000 };
    channel.sendRaw(JSON.stringify(signCommand(stale, secret)));
    expect(await channel.nextResult(stale.id)).toMatchObject({ ok: false, code: 'stale' });
    const future = { ...command('open', { compartment: '4' }), issuedAt: Date.now() + 6 * 60_000 };
    channel.sendRaw(JSON.stringify(signCommand(future, secret)));
    expect(await channel.nextResult(future.id)).toMatchObject({ ok: false, code: 'stale' });
    expect(opens()).toBe(before.opens);
    expect((running.agent.db.stmt('SELECT count(*) AS n FROM inbox').get() as { n: number }).n).toBe(before.inbox);
  });

  it('reconnects after the connection drops and keeps taking commands', async () => {
    channel.dropAll();
    await channel.waitForConnection(2);
    const sent = channel.send(command('status', {}));
    expect(await channel.nextResult(sent.id)).toMatchObject({ ok: true, data: { appVersion: expect.any(String) } });
    const s = await until('channel connected in status', async () => {
      const answer = await callAgent(running.socketPath, 'status', {});
      return answer.reached && answer.result.ok ? answer.result.value : undefined;
    });
    expect(s).toMatchObject({ cloud: { channel: 'connected' } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import type { AgentStatus } from '../../../src/main/status.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import type { LedgerReport } from '../../../tools/mock-cloud/ledger.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { webhooksMock } from '../../../tools/mock-cloud/webhooks.js';
import { agentConfig, freePort, until, webhookSecret } from '../../helpers/cloud.js';

/**
 * The agent's events reach a merchant backend over Standard Webhooks: a real
 * agent (simulator in-process, real SQLite file) and the mock receiver on
 * 127.0.0.1, which verifies every signature and dedupes by webhook-id.
 */
describe('agent → webhook destination', () => {
  const secret = webhookSecret();
  let port: number;
  let mock: RunningMockCloud;
  let running: RunningAgent;

  const startMock = async (): Promise<RunningMockCloud> => (mock = await startMockCloud([webhooksMock({ secret })], { port, stateFile: stateFile }));
  let stateFile: string;

  beforeAll(async () => {
    port = await freePort();
    const config = agentConfig({
      cloud: {
        webhooks: [{ name: 'webhook-demo', url: `http://127.0.0.1:${port}/webhooks/demo`, secret, timeoutMs: 1000 }],
        sync: { pollMs: 200, backoffBaseMs: 50, backoffCapMs: 400, attemptTimeoutMs: 1000, offlineAfterFailures: 2 },
      },
    });
    stateFile = `${config.dataDir}/mock-ledger.jsonl`;
    await startMock();
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  const ledger = async (): Promise<LedgerReport> => (await (await fetch(`${mock.url}/_mock/ledger/webhooks`)).json()) as LedgerReport;
  const status = async (): Promise<AgentStatus> => {
    const answer = await callAgent(running.socketPath, 'status', {});
    if (!answer.reached || !answer.result.ok) throw new Error('status failed');
    return answer.result.value as AgentStatus;
  };
  const deposit = async (): Promise<{ parcelId: string; code: string }> => {
    const answer = await callAgent(running.socketPath, 'deposit', { size: 'M' });
    if (!answer.reached || !answer.result.ok) throw new Error(`deposit failed: ${JSON.stringify(answer)}`);
    return answer.result.value as { parcelId: string; code: string };
  };

  it('delivers a drop-off and its pickup in order as they happen, and status says online', async () => {
    const { parcelId, code } = await deposit();
    await callAgent(running.socketPath, 'pickup', { code });
    const report = await until('both parcel events at the mock', async () => {
      const r = await ledger();
      const kinds = r.applied.filter((a) => a.stream === parcelId).map((a) => a.kind);
      return kinds.includes('parcel.picked-up') ? r : undefined;
    });
    const kinds = report.applied.filter((a) => a.stream === parcelId).map((a) => a.kind);
    expect(kinds.indexOf('parcel.stored')).toBeLessThan(kinds.indexOf('parcel.picked-up'));
    expect(report.appliedTwice).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
    const s = await status();
    expect(s.cloud.state).toBe('online');
    expect(s.cloud.destinations).toEqual([expect.objectContaining({ name: 'webhook-demo', state: 'online' })]);
  });

  it('queues while the backend is down, shows offline, and delivers everything once it is back', async () => {
    await mock.close();
    const { parcelId, code } = await deposit();
    await callAgent(running.socketPath, 'pickup', { code });
    await until('destination offline', async () => ((await status()).cloud.destinations[0]?.state === 'offline' ? true : undefined));
    expect((await status()).outbox.pending).toBeGreaterThan(0);
    await startMock();
    await until('backlog delivered', async () => ((await status()).outbox.pending === 0 ? true : undefined));
    const r = await ledger();
    expect(r.applied.filter((a) => a.stream === parcelId).map((a) => a.kind)).toEqual(expect.arrayContaining(['parcel.stored', 'parcel.picked-up']));
    expect(r.appliedTwice).toEqual([]);
    expect(r.outOfOrder).toEqual([]);
    expect((await status()).cloud.state).toBe('online');
  });

  it('pauses on a refused signature (401) instead of retrying, keeping the events pending, until a technician retries', async () => {
    await fetch(`${mock.url}/_mock/webhooks/set-secret`, { method: 'POST', body: JSON.stringify({ secret: webhookSecret() }) });
    await deposit();
    const paused = await until('destination paused', async () => {
      const d = (await status()).cloud.destinations[0];
      return d?.state === 'paused' ? d : undefined;
    });
    expect(paused.lastError).toMatch(/401/);
    const s = await status();
    expect(s.outbox.pending).toBeGreaterThan(0);
    expect(s.outbox.dead).toBe(0);
    // The merchant puts the shared secret back; the technician's `outbox retry` resumes the destination.
    await fetch(`${mock.url}/_mock/webhooks/set-secret`, { method: 'POST', body: JSON.stringify({ secret }) });
    await callAgent(running.socketPath, 'outbox-retry', {});
    await until('delivered after the retry', async () => ((await status()).outbox.pending === 0 ? true : undefined));
    expect((await status()).cloud.destinations[0]?.state).toBe('online');
  });
});

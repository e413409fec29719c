import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import type { UnsentRow } from '../../../src/store/index.js';
import * as store from '../../../src/store/index.js';
import { HONGXUN_MOCK_SIGN_FOR_PATH, hongxunMock } from '../../../tools/mock-cloud/hongxun.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { agentConfig, freePort, until, webhookSecret } from '../../helpers/cloud.js';

/**
 * A destination with nothing to send settles the row as skipped with the
 * reason, never dead: a real agent (simulator, real SQLite file), the Hongxun
 * mock on 127.0.0.1 (no order number for our parcels: facts-only), and a
 * webhook whose URL answers 404 (a real dead letter beside it). `outbox`
 * (what `cabinet-kiosk outbox --json` prints) lists both with destination,
 * reason and age.
 */
describe('agent: skipped and dead rows, listed', () => {
  const sk = 'unsent-hongxun-sk';
  let mock: RunningMockCloud;
  let running: RunningAgent;

  beforeAll(async () => {
    const port = await freePort();
    mock = await startMockCloud([hongxunMock({ sk })], { port });
    const config = agentConfig({
      cloud: {
        hongxun: { url: `${mock.url}/hongxun${HONGXUN_MOCK_SIGN_FOR_PATH}`, createBy: 'ck', dataSource: 'CABINET', sk, customerNumberFrom: 'facts-only' },
        webhooks: [{ name: 'misrouted', url: `${mock.url}/no-such-vendor/hook`, secret: webhookSecret(), timeoutMs: 2000 }],
        sync: { pollMs: 100, backoffBaseMs: 20, backoffCapMs: 200, attemptTimeoutMs: 2000 },
      },
    });
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  const call = async <T>(command: 'deposit' | 'pickup' | 'outbox', input: Record<string, unknown>): Promise<T> => {
    const answer = await callAgent(running.socketPath, command, input);
    if (!answer.reached || !answer.result.ok) throw new Error(`${command} failed: ${JSON.stringify(answer)}`);
    return answer.result.value as T;
  };

  it('skips the sign-for of a parcel that is no Hongxun order, dead-letters the 404, and lists both with destination, reason and age', async () => {
    const { parcelId, code } = await call<{ parcelId: string; code: string }>('deposit', { size: 'M' });
    await call('pickup', { code });
    const pickup = store.eventsForParcel(running.agent.db, parcelId).find((e) => e.type === 'parcel.picked-up');
    expect(pickup).toBeDefined();
    const skipped = await until('the sign-for settled', () => {
      const row = store.getOutboxRow(running.agent.db, pickup!.id, 'hongxun');
      return row?.state === 'pending' ? undefined : row;
    });
    expect(skipped).toMatchObject({ state: 'skipped', lastError: expect.stringContaining('customerNumber') });
    // No request reached Hongxun.
    expect(((await (await fetch(`${mock.url}/_mock/ledger/hongxun`)).json()) as { applications: number }).applications).toBe(0);
    const stored = store.eventsForParcel(running.agent.db, parcelId).find((e) => e.type === 'parcel.stored')!;
    await until('the webhook dead-lettered', () => (store.getOutboxRow(running.agent.db, stored.id, 'misrouted')?.state === 'dead' ? true : undefined));

    const outbox = await call<store.OutboxStats & { unsent: UnsentRow[] }>('outbox', {});
    // The webhook takes every event type (door events too), each a 404.
    expect(outbox).toMatchObject({ skipped: 1, byDestination: { hongxun: { skipped: 1, dead: 0 } } });
    expect(outbox.byDestination.misrouted?.dead).toBeGreaterThanOrEqual(1);
    const mine = outbox.unsent.filter((r) => r.eventId === pickup!.id || r.eventId === stored.id);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventId: pickup!.id, destination: 'hongxun', state: 'skipped', eventType: 'parcel.picked-up', reason: expect.stringContaining('customerNumber'), ageMs: expect.any(Number) }),
        expect.objectContaining({ eventId: stored.id, destination: 'misrouted', state: 'dead', eventType: 'parcel.stored', reason: expect.stringContaining('404'), ageMs: expect.any(Number) }),
      ]),
    );
    // A retry requeues the dead row only: a skip has nothing to send.
    const retried = await callAgent(running.socketPath, 'outbox-retry', {});
    expect(retried).toMatchObject({ reached: true, result: { ok: true, value: { retried: expect.any(Number) } } });
    expect(store.getOutboxRow(running.agent.db, pickup!.id, 'hongxun')?.state).toBe('skipped');
  }, 60_000);
});

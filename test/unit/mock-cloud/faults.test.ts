import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decideFault, FaultInjector, FaultPlanError, mergePlan, NO_FAULTS, parseFaultConfig, seededRandom, type FaultConfig } from '../../../tools/mock-cloud/faults.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { postJson, recorderMock } from './recorder.js';

describe('decideFault', () => {
  const plan = mergePlan({ dropRate: 0.1, timeoutRate: 0.1, rate429: 0.1, failRate: 0.1, applyThenFailRate: 0.1, retryAfterSeconds: 7, latencyMs: 20, latencyJitterMs: 10 });

  it('lays the faults along [0, 1) in a fixed order and passes the rest', () => {
    expect(decideFault(plan, 0.05, 0, 0).kind).toBe('drop');
    expect(decideFault(plan, 0.15, 0, 0).kind).toBe('timeout');
    expect(decideFault(plan, 0.25, 0, 0)).toEqual({ kind: 'throttle', delayMs: 20, retryAfterSeconds: 7 });
    expect(decideFault(plan, 0.35, 0, 0)).toEqual({ kind: 'fail', delayMs: 20, status: 500 });
    expect(decideFault(plan, 0.45, 0, 0).kind).toBe('apply-then-fail');
    expect(decideFault(plan, 0.55, 0, 0).kind).toBe('pass');
    expect(decideFault(plan, 0.999, 0, 0).kind).toBe('pass');
  });

  it('picks the 5xx and the jitter from their own draws', () => {
    expect(decideFault(plan, 0.35, 0, 0.5)).toMatchObject({ status: 502 });
    expect(decideFault(plan, 0.35, 0, 0.99)).toMatchObject({ status: 503 });
    expect(decideFault(plan, 0.9, 0.5, 0).delayMs).toBe(25);
  });

  it('never faults with the default plan', () => {
    expect(decideFault(mergePlan(), 0, 0.9, 0.9)).toEqual({ kind: 'pass', delayMs: 0 });
    expect(NO_FAULTS.retryAfterSeconds).toBe(1);
  });
});

describe('seededRandom and FaultInjector', () => {
  it('repeats a stream for a seed and differs for another', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const seqA = Array.from({ length: 50 }, () => a());
    expect(Array.from({ length: 50 }, () => b())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('makes the same decisions for the same seed, at about the configured rate', () => {
    const config: FaultConfig = { seed: 7, all: { failRate: 0.3 } };
    const one = new FaultInjector(config);
    const two = new FaultInjector(config);
    const kinds = Array.from({ length: 1000 }, () => one.decide('webhooks').kind);
    expect(Array.from({ length: 1000 }, () => two.decide('webhooks').kind)).toEqual(kinds);
    const failed = kinds.filter((k) => k === 'fail').length;
    expect(failed).toBeGreaterThan(240);
    expect(failed).toBeLessThan(360);
    expect(one.state().stats.webhooks).toMatchObject({ requests: 1000, fail: failed, pass: 1000 - failed });
  });

  it('keeps one stream per vendor: another vendor’s traffic does not shift the decisions', () => {
    const config: FaultConfig = { seed: 9, all: { failRate: 0.5 } };
    const alone = new FaultInjector(config);
    const mixed = new FaultInjector(config);
    const expected = Array.from({ length: 100 }, () => alone.decide('a').kind);
    const got = Array.from({ length: 100 }, () => {
      mixed.decide('b');
      return mixed.decide('a').kind;
    });
    expect(got).toEqual(expected);
  });

  it('restarts the streams when a new seed is configured, and carries on without one', () => {
    const injector = new FaultInjector({ seed: 3, all: { failRate: 0.5 } });
    const first = Array.from({ length: 20 }, () => injector.decide('a').kind);
    injector.configure({ seed: 3, all: { failRate: 0.5 } });
    expect(Array.from({ length: 20 }, () => injector.decide('a').kind)).toEqual(first);
    injector.configure({ all: { failRate: 0.5 } });
    expect(injector.state().seed).toBe(3);
    expect(Array.from({ length: 20 }, () => injector.decide('a').kind)).not.toEqual(first);
  });

  it('draws a seed when none is given and reports it', () => {
    expect(new FaultInjector({}, () => 1234).state().seed).toBe(1234);
  });

  it('lets a vendor plan override the common one field by field', () => {
    const injector = new FaultInjector({ all: { failRate: 0.2, latencyMs: 5 }, vendors: { dingshang: { failRate: 0 } } });
    expect(injector.planFor('dingshang')).toMatchObject({ failRate: 0, latencyMs: 5 });
    expect(injector.planFor('webhooks')).toMatchObject({ failRate: 0.2, latencyMs: 5 });
  });
});

describe('parseFaultConfig', () => {
  it.each([
    [{ all: { failRate: 1.5 } }, 'all.failRate'],
    [{ all: { latencyMs: -1 } }, 'all.latencyMs'],
    [{ all: { failRat: 0.1 } }, 'failRat'],
    [{ seed: 1.5 }, 'seed'],
    [{ all: { failRate: 0.6, dropRate: 0.5 } }, 'more than 1'],
    [{ all: { failRate: 0.6 }, vendors: { webhooks: { timeoutRate: 0.5 } } }, 'vendors.webhooks'],
  ])('refuses %j naming %s', (config, words) => {
    expect(() => parseFaultConfig(config)).toThrow(FaultPlanError);
    expect(() => parseFaultConfig(config)).toThrow(words);
  });

  it('drops undefined fields so the defaults stay', () => {
    expect(mergePlan(parseFaultConfig({ all: { retryAfterSeconds: undefined } }).all).retryAfterSeconds).toBe(1);
  });
});

describe('faults over HTTP', () => {
  let clouds: RunningMockCloud[] = [];
  let servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(clouds.map((c) => c.close()));
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    clouds = [];
    servers = [];
  });

  async function cloud(faults: FaultConfig): Promise<RunningMockCloud> {
    const c = await startMockCloud([recorderMock()], { faults });
    clouds.push(c);
    return c;
  }
  const setFaults = (c: RunningMockCloud, faults: FaultConfig): Promise<Response> => postJson(`${c.url}/_mock/faults`, faults);
  const applied = (c: RunningMockCloud): string[] => c.ledger.summary('recorder').applied.map((e) => e.key);

  it('answers 5xx without applying, and never faults the control API', async () => {
    const c = await cloud({ seed: 1, all: { failRate: 1 } });
    const res = await postJson(`${c.url}/recorder/apply`, { key: 'k1' });
    expect([500, 502, 503]).toContain(res.status);
    await res.text();
    expect(applied(c)).toEqual([]);
    expect((await fetch(`${c.url}/_mock/state`)).status).toBe(200);
    expect((await fetch(`${c.url}/_mock/ledger/recorder`)).status).toBe(200);

    expect((await setFaults(c, {})).status).toBe(200);
    const ok = await postJson(`${c.url}/recorder/apply`, { key: 'k1' });
    expect(await ok.json()).toEqual({ outcome: 'fresh' });
    expect(applied(c)).toEqual(['k1']);
  });

  it('answers 429 with Retry-After in seconds', async () => {
    const c = await cloud({ all: { rate429: 1, retryAfterSeconds: 7 } });
    const res = await postJson(`${c.url}/recorder/apply`, { key: 'k1' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    await res.text();
    expect(applied(c)).toEqual([]);
  });

  it('holds a timed-out request without applying; the client aborts and close does not hang', async () => {
    const c = await cloud({ all: { timeoutRate: 1 } });
    await expect(postJson(`${c.url}/recorder/apply`, { key: 'k1' }, AbortSignal.timeout(200))).rejects.toThrow(/abort|timeout/i);
    // One more the client never gives up on: close must release it.
    const pending = postJson(`${c.url}/recorder/apply`, { key: 'k2' });
    await until(async () => c.faults.state().stats.recorder?.timeout === 2);
    await c.close();
    await expect(pending).rejects.toThrow();
    expect(applied(c)).toEqual([]);
  });

  it('drops the connection before answering: a network error, nothing applied', async () => {
    const c = await cloud({ all: { dropRate: 1 } });
    const err = await postJson(`${c.url}/recorder/apply`, { key: 'k1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(String((err as TypeError).cause)).toMatch(/other side closed|socket|ECONNRESET/i);
    expect(applied(c)).toEqual([]);
    expect(c.faults.state().stats.recorder).toMatchObject({ drop: 1 });
  });

  it('applies then answers 500: the resend is a counted duplicate, applied once', async () => {
    const c = await cloud({ all: { applyThenFailRate: 1 } });
    const res = await postJson(`${c.url}/recorder/apply`, { key: 'k1' });
    expect(res.status).toBe(500);
    await res.text();
    expect(applied(c)).toEqual(['k1']);

    await setFaults(c, {});
    const again = await postJson(`${c.url}/recorder/apply`, { key: 'k1' });
    expect(await again.json()).toEqual({ outcome: 'duplicate' });
    const report = (await (await fetch(`${c.url}/_mock/ledger/recorder`)).json()) as { applied: unknown[]; duplicates: number; appliedTwice: string[] };
    expect(report).toMatchObject({ duplicates: 1, appliedTwice: [] });
    expect(report.applied).toHaveLength(1);
  });

  it('a request delayed by latency and caught by close is not applied', async () => {
    const c = await cloud({ all: { latencyMs: 60_000 } });
    const pending = postJson(`${c.url}/recorder/apply`, { key: 'k1' });
    await until(async () => c.faults.state().stats.recorder?.pass === 1);
    await c.close();
    await expect(pending).rejects.toThrow();
    expect(applied(c)).toEqual([]);
  });

  it('sends every callback duplicateCallbacks extra times', async () => {
    let received = 0;
    const agent = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received += 1;
        res.end('ok');
      });
    });
    servers.push(agent);
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    const c = await cloud({ vendors: { recorder: { duplicateCallbacks: 2 } } });
    const res = await postJson(`${c.url}/recorder/callback`, { url: `http://127.0.0.1:${(agent.address() as AddressInfo).port}/cb` });
    expect(await res.json()).toEqual({ status: 200, text: 'ok' });
    expect(received).toBe(3);
    expect(c.faults.state().stats.recorder).toMatchObject({ extraCallbacks: 2 });
  });

  it('changes plans at runtime and refuses a bad one with 400, keeping the old', async () => {
    const c = await cloud({ seed: 5, all: { failRate: 0.2 } });
    const bad = await setFaults(c, { all: { failRate: 2 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('all.failRate');
    const state = (await (await fetch(`${c.url}/_mock/faults`)).json()) as { seed: number; all: unknown };
    expect(state).toMatchObject({ seed: 5, all: { failRate: 0.2 } });
  });

  it('fails the same requests on two runs with the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const c = await cloud({ seed: 42, all: { failRate: 0.5, rate429: 0.1 } });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await postJson(`${c.url}/recorder/apply`, { key: `k${i}` });
        await res.text();
        statuses.push(res.status);
      }
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });
});

/** Polls a condition on state the test cannot await directly (a held request); bounded, so a bug fails instead of hanging. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never held');
}

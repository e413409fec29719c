import { afterEach, describe, expect, it } from 'vitest';
import { ClockOffset } from '../../../../src/cloud/common/clock-offset.js';
import { hongxunSignForConfigSchema, type HongxunSignForConfigInput } from '../../../../src/cloud/hongxun/config.js';
import { HONGXUN_EVENT_TYPES, HongxunSignForDestination, type HongxunSignForDestinationDeps } from '../../../../src/cloud/hongxun/destination.js';
import { parseHongxunTime } from '../../../../src/cloud/hongxun/schemas.js';
import type { OutboundEvent } from '../../../../src/cloud/common/outbound-event.js';
import { HONGXUN_MOCK_CODES, HONGXUN_MOCK_SIGN_FOR_PATH, hongxunMock } from '../../../../tools/mock-cloud/hongxun.js';
import { startMockCloud, type RunningMockCloud } from '../../../../tools/mock-cloud/server.js';
import { CREDENTIALS, pickedUpEvent } from './fixtures.js';

/** HongxunSignForDestination against the Hongxun mock (Appendix 1 verified there), over real HTTP on 127.0.0.1. */

const HOUR = 3_600_000;

let clouds: RunningMockCloud[] = [];
afterEach(async () => {
  await Promise.all(clouds.map((c) => c.close()));
  clouds = [];
});

/** `skewMs`: how far the mock's clock (its checks and its Date header) is ahead of ours. */
async function cloud(skewMs = 0): Promise<RunningMockCloud> {
  const c = await startMockCloud([hongxunMock({ ...CREDENTIALS })], { now: () => Date.now() + skewMs });
  clouds.push(c);
  return c;
}

function destination(c: RunningMockCloud, over: Partial<HongxunSignForConfigInput> = {}, deps: Partial<HongxunSignForDestinationDeps> = {}) {
  const config = hongxunSignForConfigSchema.parse({
    ...CREDENTIALS,
    url: `${c.url}/hongxun${HONGXUN_MOCK_SIGN_FOR_PATH}`,
    signer: '快递柜',
    customerNumberFrom: 'parcel-id',
    signForDefaults: { actualQuantity: 1, productList: [] },
    signErrorCodes: [HONGXUN_MOCK_CODES.badSignature],
    ...over,
  });
  const clock = deps.clock ?? new ClockOffset();
  return { dest: new HongxunSignForDestination(config, { ...deps, clock }), clock };
}

function pickup(id: string, parcelId = 'SO-1'): OutboundEvent {
  const e = pickedUpEvent(Date.now() - 60_000);
  return { ...e, id, parcelId, payload: { ...e.payload, parcelId } };
}

async function snapshot(c: RunningMockCloud): Promise<{ received: number; accepted: number; stale: number; badSignature: number; timestamps: string[] }> {
  const all = (await (await fetch(`${c.url}/_mock/state`)).json()) as { hongxun: { snapshot: never } };
  return all.hongxun.snapshot;
}

const never = new AbortController().signal;

describe('HongxunSignForDestination → hongxun mock (docs/vendors/hongxun.md §2, §3, §7.8)', () => {
  it('delivers a signed sign-for the mock verifies, with only §7.8 fields', async () => {
    const c = await cloud();
    expect(await destination(c).dest.deliver(pickup('e-1'), never)).toEqual({ kind: 'delivered' });
    const { applied, duplicates } = c.ledger.summary('hongxun');
    expect(duplicates).toBe(0);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ key: 'SO-1', stream: 'SO-1', kind: 'sign-for' });
    expect(Object.keys(applied[0]!.body as object).sort()).toEqual(['actualQuantity', 'customerNumber', 'productList', 'signType', 'signedTime', 'signer', 'timestamp']);
    expect(applied[0]!.body).toMatchObject({ customerNumber: 'SO-1', signType: '10', signer: '快递柜', actualQuantity: 1, productList: [] });
  });

  it('lets the mock recognise a redelivery by customerNumber', async () => {
    const c = await cloud();
    const { dest } = destination(c);
    expect(await dest.deliver(pickup('e-1'), never)).toEqual({ kind: 'delivered' });
    expect(await dest.deliver(pickup('e-1'), never)).toEqual({ kind: 'delivered' });
    expect(c.ledger.summary('hongxun')).toMatchObject({ duplicates: 1, applied: [{ key: 'SO-1' }] });
  });

  it('is refused with a wrong SK: unauthorised with signErrorCodes, dead without, the SK never in the reason', async () => {
    const c = await cloud();
    const wrong = 'not-the-sk-4411';
    const paused = await destination(c, { sk: wrong }).dest.deliver(pickup('e-1'), never);
    expect(paused).toEqual({ kind: 'unauthorised', reason: 'Hongxun refused: code 401: 签名错误' });
    const dead = await destination(c, { sk: wrong, signErrorCodes: [] }).dest.deliver(pickup('e-1'), never);
    expect(dead).toEqual({ kind: 'dead', reason: 'Hongxun refused: code 401: 签名错误' });
    expect(await snapshot(c)).toMatchObject({ badSignature: 2, accepted: 0 });
    expect(c.ledger.summary('hongxun').applied).toEqual([]);
  });

  it("signs with Hongxun's clock as its Date header shows it: a refused skewed attempt is retried, the next one accepted", async () => {
    const c = await cloud(3 * HOUR);
    const { dest, clock } = destination(c);
    const first = await dest.deliver(pickup('e-1'), never);
    expect(first).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^Hongxun refused: code 408: .*re-signed with the measured offset/) });
    expect(Math.abs(clock.offsetMs() - 3 * HOUR)).toBeLessThan(60_000);

    expect(await dest.deliver(pickup('e-1'), never)).toEqual({ kind: 'delivered' });
    const [refused, accepted] = (await snapshot(c)).timestamps.map((t) => parseHongxunTime(t)!);
    expect(Math.abs(accepted! - refused! - 3 * HOUR)).toBeLessThan(60_000);
    // signedTime moved with the offset too.
    const body = c.ledger.summary('hongxun').applied[0]!.body as { signedTime: string };
    expect(Math.abs(parseHongxunTime(body.signedTime)! - (Date.now() - 60_000 + 3 * HOUR))).toBeLessThan(60_000);
  });

  it('uses an offset already measured by the first answer for every later event', async () => {
    const c = await cloud(-2 * HOUR);
    const clock = new ClockOffset();
    const { dest } = destination(c, {}, { clock });
    expect((await dest.deliver(pickup('e-1', 'SO-1'), never)).kind).toBe('retry');
    expect(await dest.deliver(pickup('e-2', 'SO-2'), never)).toEqual({ kind: 'delivered' });
    expect(await dest.deliver(pickup('e-3', 'SO-3'), never)).toEqual({ kind: 'delivered' });
    expect(await snapshot(c)).toMatchObject({ stale: 1, accepted: 2 });
  });

  it('skips a pickup without an order number (not a Hongxun order: nothing to sign for), naming what it lacks, without a request', async () => {
    const c = await cloud();
    const outcome = await destination(c, { customerNumberFrom: 'facts-only', signer: undefined, signForDefaults: {} }).dest.deliver(pickup('e-1'), never);
    expect(outcome).toEqual({ kind: 'skipped', reason: 'sign-for needs customerNumber, actualQuantity, productList, signer (§7.8 required; not in the event, the order facts or signForDefaults)' });
    expect(await snapshot(c)).toMatchObject({ received: 0 });
  });

  it('dead-letters a pickup with its order number whose configured facts are missing (every event would fail the same way)', async () => {
    const c = await cloud();
    const outcome = await destination(c, { signer: undefined, signForDefaults: {} }, { factsFor: () => ({ customerNumber: 'HX-1' }) }).dest.deliver(pickup('e-1'), never);
    expect(outcome).toEqual({ kind: 'dead', reason: 'sign-for needs actualQuantity, productList, signer (§7.8 required; not in the event, the order facts or signForDefaults)' });
    expect(await snapshot(c)).toMatchObject({ received: 0 });
  });

  it('takes facts from src/main over the event and the defaults', async () => {
    const c = await cloud();
    const factsFor = () => ({ customerNumber: 'HX-ORDER-9', actualQuantity: 2, mailno: 'SF123', signer: undefined });
    expect(await destination(c, {}, { factsFor }).dest.deliver(pickup('e-1'), never)).toEqual({ kind: 'delivered' });
    expect(c.ledger.summary('hongxun').applied[0]!.body).toMatchObject({ customerNumber: 'HX-ORDER-9', actualQuantity: 2, mailno: 'SF123', signer: '快递柜' });
  });

  it('dead-letters a business refusal with its code and message', async () => {
    const c = await cloud();
    await fetch(`${c.url}/_mock/hongxun/refuse`, { method: 'POST', body: JSON.stringify({ customerNumber: 'SO-7', code: 5001, message: '订单已签收' }) });
    expect(await destination(c).dest.deliver(pickup('e-7', 'SO-7'), never)).toEqual({ kind: 'dead', reason: 'Hongxun refused: code 5001: 订单已签收' });
  });

  it('classifies HTTP answers before reading the envelope', async () => {
    const c = await cloud();
    const { dest } = destination(c, { url: `${c.url}/hongxun/elsewhere` });
    expect(await dest.deliver(pickup('e-1'), never)).toEqual({ kind: 'dead', reason: expect.stringMatching(/^HTTP 404: /) });
  });

  it('skips the other event types, with the reason, without a request', async () => {
    const c = await cloud();
    expect(HONGXUN_EVENT_TYPES).toEqual(['parcel.picked-up']);
    const stored: OutboundEvent = {
      id: 'e-s', type: 'parcel.expired', parcelId: 'p', compartmentId: 'A', occurredAt: 1, cabinetId: 'c',
      payload: { parcelId: 'p', compartmentId: 'A', expiredAt: 1 },
    };
    expect(await destination(c).dest.deliver(stored, never)).toEqual({ kind: 'skipped', reason: 'Hongxun takes a sign-for after a pickup only (§7.8), not parcel.expired' });
    expect(await snapshot(c)).toMatchObject({ received: 0 });
  });

  it('requires a url; defaults timeoutMs, name, facts-only and no sign-error codes', () => {
    expect(hongxunSignForConfigSchema.safeParse({ ...CREDENTIALS }).success).toBe(false);
    expect(hongxunSignForConfigSchema.parse({ ...CREDENTIALS, url: 'https://uat.hongxunyun.cn/x' })).toMatchObject({
      name: 'hongxun', timeoutMs: 10_000, customerNumberFrom: 'facts-only', signForDefaults: {}, signErrorCodes: [],
    });
  });
});

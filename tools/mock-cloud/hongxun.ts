/**
 * Hongxun's side of the sign-for push 签收信息推送 (docs/vendors/hongxun.md §7.8):
 *
 *   POST /hongxun/sign-for   the §2 envelope, signed per Appendix 1 (§3)
 *
 * The path is the mock's own: §7.8 gives no URL. Each request is checked as
 * Hongxun documents it: the envelope and its `yyyy-MM-dd HH:mm:ss` timestamp
 * (§2), the Appendix 1 sign, the 10-minute tolerance against the mock's clock
 * (§2, §3), and the §7.8 fields (nothing undocumented). The answer is the §4
 * envelope `{code, message, flag}` with HTTP 200; the `code` of a failure is
 * the mock's own (`HONGXUN_MOCK_CODES`: the error-code table is not documented,
 * §9.1). Every answer carries a `Date` from the mock's clock (`ctx.now`), so a
 * test can skew it.
 *
 * The ledger key is `customerNumber`: §7.8 has no request id, and one order is
 * signed for once (hongxun README open question 6).
 *
 * Control: `refuse` `{ customerNumber, code?, message? }` (a business refusal
 * for that order), `reset`.
 */
import { z } from 'zod';
import { HONGXUN_DEFAULT_TIME_ZONE, hongxunSignForProductSchema, hongxunSignForRequestSchema, hongxunTimeSchema, type HongxunTimeZone, verifyHongxunEnvelope } from '../../src/cloud/index.js';
import type { VendorFactory } from './server.js';
import type { MockRequest, MockResponse, MockVendor, MockVendorContext } from './types.js';

export const HONGXUN_MOCK_SIGN_FOR_PATH = '/sign-for';

/** §4 `code` values: 200 is the documented success example; the others are the mock's choice. */
export const HONGXUN_MOCK_CODES = { ok: 200, malformed: 400, badSignature: 401, stale: 408, refused: 500 } as const;

export interface HongxunMockOptions {
  /** Appendix 1 `SK`. */
  sk: string;
  /** When set, a request from another `createBy` / `dataSource` is refused like a bad signature. */
  createBy?: string;
  dataSource?: string;
  /** As the agent's `jsonNulls` / `timeZone` (hongxun config.ts). Defaults `keep`, UTC+8. */
  jsonNulls?: 'keep' | 'omit';
  timeZone?: HongxunTimeZone;
  /** §2: 10 minutes. */
  maxSkewMs?: number;
}

/** §7.8 as the receiver sees it: a key the spec does not name is refused (the agent must never invent one). */
const strictSignForSchema = hongxunSignForRequestSchema
  .extend({
    // UNVERIFIED: docs/vendors/hongxun.md §7.8 (signedTime format not stated): the §2 format, as the agent sends it.
    signedTime: hongxunTimeSchema,
    productList: z.array(hongxunSignForProductSchema.strict()),
  })
  .strict();

const refuseSchema = z.object({ customerNumber: z.string().min(1), code: z.number().int().default(HONGXUN_MOCK_CODES.refused), message: z.string().default('订单不存在') });

export function hongxunMock(options: HongxunMockOptions): VendorFactory {
  return (ctx) => new HongxunMock(ctx, options);
}

class HongxunMock implements MockVendor {
  readonly name = 'hongxun';
  readonly #ctx: MockVendorContext;
  readonly #options: HongxunMockOptions;
  #refusals = new Map<string, { code: number; message: string }>();
  #counts = { received: 0, malformed: 0, badSignature: 0, stale: 0, refused: 0, accepted: 0 };
  /** The `timestamp` of every request that passed the signature check, in arrival order. */
  #timestamps: string[] = [];

  constructor(ctx: MockVendorContext, options: HongxunMockOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  handle(request: MockRequest): MockResponse {
    if (request.method !== 'POST' || request.path !== HONGXUN_MOCK_SIGN_FOR_PATH) return this.#answer(404, HONGXUN_MOCK_CODES.malformed, `no hongxun route ${request.method} ${request.path}`);
    this.#counts.received += 1;
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8')) as unknown;
    } catch {
      return this.#fail('malformed', HONGXUN_MOCK_CODES.malformed, '请求体不是JSON');
    }
    const o = this.#options;
    const verdict = verifyHongxunEnvelope(
      body,
      {
        createBy: o.createBy ?? '',
        dataSource: o.dataSource ?? '',
        sk: o.sk,
        signHexCase: 'lower', // compared case-insensitively (signer.ts hongxunSignMatches)
        jsonNulls: o.jsonNulls ?? 'keep',
        timeZone: o.timeZone ?? HONGXUN_DEFAULT_TIME_ZONE,
        maxSkewMs: o.maxSkewMs ?? 10 * 60_000,
      },
      { nowMs: this.#ctx.now(), clockOffsetMs: 0 }, // the mock is Hongxun: its clock is the reference
    );
    if (!verdict.ok) {
      if (verdict.reason === 'malformed') return this.#fail('malformed', HONGXUN_MOCK_CODES.malformed, `报文格式错误: ${verdict.detail}`);
      if (verdict.reason === 'bad-signature') return this.#fail('badSignature', HONGXUN_MOCK_CODES.badSignature, '签名错误');
      // 'stale': the sign was right, the timestamp too far from the mock's clock.
      this.#timestamps.push(timestampOf(body));
      return this.#fail('stale', HONGXUN_MOCK_CODES.stale, `时间戳超时: ${verdict.detail}`);
    }
    const envelope = verdict.envelope;
    this.#timestamps.push(envelope.timestamp);
    if ((o.createBy !== undefined && envelope.createBy !== o.createBy) || (o.dataSource !== undefined && envelope.dataSource !== o.dataSource)) {
      return this.#fail('badSignature', HONGXUN_MOCK_CODES.badSignature, '签名错误');
    }
    const parsed = strictSignForSchema.safeParse(envelope.request);
    if (!parsed.success) return this.#fail('malformed', HONGXUN_MOCK_CODES.malformed, `签收信息错误: ${z.prettifyError(parsed.error)}`);
    const signFor = parsed.data;
    const refusal = this.#refusals.get(signFor.customerNumber);
    if (refusal !== undefined) return this.#fail('refused', refusal.code, refusal.message);

    this.#ctx.ledger.apply({
      vendor: this.name,
      key: signFor.customerNumber,
      stream: signFor.customerNumber,
      kind: 'sign-for',
      body: { ...signFor, timestamp: envelope.timestamp },
      at: this.#ctx.now(),
      order: signFor.signedTime,
    });
    this.#counts.accepted += 1;
    // §4 example; a repeated sign-for is acknowledged the same way (its effect is already there).
    return this.#answer(200, HONGXUN_MOCK_CODES.ok, '响应成功', true);
  }

  #fail(kind: 'malformed' | 'badSignature' | 'stale' | 'refused', code: number, message: string): MockResponse {
    this.#counts[kind] += 1;
    return this.#answer(200, code, message, false);
  }

  #answer(status: number, code: number, message: string, flag = false): MockResponse {
    return {
      status,
      headers: { 'content-type': 'application/json', date: new Date(this.#ctx.now()).toUTCString() },
      body: JSON.stringify({ code, message, flag }),
    };
  }

  control(action: string, body: unknown): unknown {
    switch (action) {
      case 'refuse': {
        const parsed = refuseSchema.safeParse(body);
        if (!parsed.success) throw new RangeError(`hongxun refuse: ${z.prettifyError(parsed.error)}`);
        const { customerNumber, code, message } = parsed.data;
        this.#refusals.set(customerNumber, { code, message });
        return null;
      }
      case 'reset':
        this.#refusals.clear();
        this.#counts = { received: 0, malformed: 0, badSignature: 0, stale: 0, refused: 0, accepted: 0 };
        this.#timestamps = [];
        return null;
      default:
        throw new RangeError(`unknown hongxun control action ${action}`);
    }
  }

  snapshot(): unknown {
    return { ...this.#counts, timestamps: this.#timestamps, refusals: Object.fromEntries(this.#refusals) };
  }
}

function timestampOf(body: unknown): string {
  const t = (body as { timestamp?: unknown }).timestamp;
  return typeof t === 'string' ? t : '';
}

/**
 * The 3.1 calls (merchant → Aituo, docs/vendors/aituo.md §2) over HTTP, through the
 * pluggable envelope below. Everything about the wire is
 * UNVERIFIED (docs/vendors/aituo.md §1: URL, envelope, auth, signature and every field are
 * UNKNOWN; §2: titles only), so this client stays thin: it POSTs what the
 * envelope builds and hands back the answer as JSON, without guessing at a
 * response envelope.
 */
import { randomUUID } from 'node:crypto';
import type { ClockOffset } from '../common/clock-offset.js';
import { type HttpAnswer, httpSend, httpUrl } from '../common/http.js';
import { redactSecrets } from '../common/redact.js';
import { classifyError, classifyHttp } from '../sync/classify.js';
import type { AituoApiConfig } from './config.js';
import { AITUO_GET_WAIT_DROPOFF_ORDER, AITUO_GET_WAIT_PICKUP_ORDER, AITUO_METHODS, AITUO_OPEN_BOX, type AituoCallEnvelope, type AituoMethod, type AituoSigner, OTypeJsonEnvelope } from './schemas.js';

export type AituoClientErrorCode =
  /** 401/403: the credentials (`api.headers`, the signer) are wrong. Do not retry until the config changes. */
  | 'unauthorised'
  /** Network, timeout, 5xx, 429: try again later. */
  | 'unavailable'
  /** Any other answer: the call as built is refused; retrying it unchanged will not help. */
  | 'rejected';

export class AituoClientError extends Error {
  override readonly name = 'AituoClientError';
  constructor(
    readonly code: AituoClientErrorCode,
    message: string,
    readonly meta: { method: AituoMethod; status?: number; retryAfterMs?: number | undefined },
  ) {
    super(message);
  }

  /** True for `unavailable`: the same call may succeed later. */
  get retryable(): boolean {
    return this.code === 'unavailable';
  }
}

export interface AituoAnswer {
  method: AituoMethod;
  status: number;
  /** The body as JSON; `undefined` when it is empty or not JSON (the reply format is unknown, §1). */
  json: unknown;
  /** The body as received (bounded), for the audit. */
  text: string;
}

export interface AituoClientDeps {
  /** The whole request builder. Default `OTypeJsonEnvelope({ includeOType: api.includeOType, sign })`. */
  envelope?: AituoCallEnvelope;
  /** The signing hook for the default envelope. Default none (docs/vendors/aituo.md §1: no documented signature). */
  sign?: AituoSigner;
  /** Corrects the envelope's `nowMs` and learns from every answer's `Date` header. Default none. */
  clock?: ClockOffset;
  now?: () => number;
  /** A fresh id per attempt (`AituoCallContext.requestId`). Default randomUUID. */
  newRequestId?: () => string;
}

/** Read at most this much of an answer: a waiting-orders list of a large merchant fits. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export class AituoClient {
  readonly #api: AituoApiConfig;
  readonly #deviceNo: string;
  readonly #boxNumbers: Readonly<Record<string, string>>;
  readonly #base: URL;
  readonly #envelope: AituoCallEnvelope;
  readonly #clock: ClockOffset | undefined;
  readonly #now: () => number;
  readonly #newRequestId: () => string;

  /**
   * `api` is `AituoConfig.api`; `deviceNo` and `boxNumbers` the push config's
   * (one cabinet, one terminal number). Throws RangeError for a base URL or
   * path that does not make an http(s) URL.
   */
  constructor(
    api: AituoApiConfig,
    cabinet: { deviceNo: string; boxNumbers: Readonly<Record<string, string>> },
    deps: AituoClientDeps = {},
  ) {
    this.#base = httpUrl(api.baseUrl, 'aituo api.baseUrl');
    for (const method of Object.keys(api.paths) as AituoMethod[]) this.#urlOf(method, api); // fail at start, not on the first call
    this.#api = api;
    this.#deviceNo = cabinet.deviceNo;
    this.#boxNumbers = cabinet.boxNumbers;
    this.#envelope = deps.envelope ?? new OTypeJsonEnvelope({ includeOType: api.includeOType, ...(deps.sign === undefined ? {} : { sign: deps.sign }) });
    this.#clock = deps.clock;
    this.#now = deps.now ?? Date.now;
    this.#newRequestId = deps.newRequestId ?? randomUUID;
  }

  /**
   * 1009 Open box for one of this cabinet's compartments. UNVERIFIED:
   * docs/vendors/aituo.md §2.1 ("remotely open one compartment (deviceNo + boxNo)", an
   * inference from the title; the fields are not documented).
   * Throws AituoClientError, or AituoEnvelopeError from the envelope.
   */
  openBox(compartmentId: string, signal?: AbortSignal): Promise<AituoAnswer> {
    const boxNo = this.#boxNumbers[compartmentId] ?? compartmentId;
    return this.call(AITUO_OPEN_BOX, { deviceNo: this.#deviceNo, boxNo }, signal);
  }

  /** 1018 Get Wait Pickup Order (docs/vendors/aituo.md §2; §2.1 names no parameter). Throws like `call`. */
  waitingPickupOrders(params: Readonly<Record<string, string>> = {}, signal?: AbortSignal): Promise<AituoAnswer> {
    return this.call(AITUO_GET_WAIT_PICKUP_ORDER, params, signal);
  }

  /** 1019 Get Wait Dropoff Order (docs/vendors/aituo.md §2; §2.1 names no parameter). Throws like `call`. */
  waitingDropoffOrders(params: Readonly<Record<string, string>> = {}, signal?: AbortSignal): Promise<AituoAnswer> {
    return this.call(AITUO_GET_WAIT_DROPOFF_ORDER, params, signal);
  }

  /**
   * Any 3.1 interface: one POST, one attempt (the caller owns retries).
   * A 2xx is success. UNVERIFIED: docs/vendors/aituo.md §1 ("Common response envelope",
   * "Error codes" UNKNOWN): a refusal inside a 2xx body cannot be recognised
   * until Aituo documents one; the body is returned for the caller to judge.
   * Throws AituoClientError (`unauthorised`, `unavailable`, `rejected`), or
   * AituoEnvelopeError when the envelope cannot express the call.
   */
  async call(method: AituoMethod, params: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<AituoAnswer> {
    const now = this.#now();
    const ctx = { nowMs: this.#clock?.serverNow(now) ?? now, requestId: this.#newRequestId() };
    const wire = this.#envelope.wrap(method, params, ctx);
    let answer: HttpAnswer;
    try {
      answer = await httpSend(
        {
          url: this.#urlOf(method, this.#api),
          method: 'POST', // docs/vendors/aituo.md §2 table: every 3.1 interface is POST
          headers: { ...this.#api.headers, ...wire.headers },
          body: wire.body,
          ...(signal === undefined ? {} : { signal }),
          timeoutMs: this.#api.timeoutMs,
          maxResponseBytes: MAX_RESPONSE_BYTES,
        },
        this.#now,
      );
    } catch (err) {
      // classifyError calls every throw a retry (sync/classify.ts).
      const outcome = classifyError(err);
      const reason = outcome.kind === 'delivered' ? 'no answer' : outcome.reason;
      throw new AituoClientError('unavailable', `Aituo ${method} (${AITUO_METHODS[method].title}): ${this.#redact(reason)}`, { method });
    }
    this.#clock?.observeDateHeader(answer.headers.get('date'), answer.sentAt, answer.receivedAt);
    const outcome = classifyHttp(answer.status, answer.headers, answer.text, this.#now());
    switch (outcome.kind) {
      case 'delivered':
        return { method, status: answer.status, json: parseJson(answer.text), text: answer.text };
      case 'unauthorised':
        throw new AituoClientError('unauthorised', `Aituo ${method}: ${this.#redact(outcome.reason)}`, { method, status: answer.status });
      case 'retry':
        throw new AituoClientError('unavailable', `Aituo ${method}: ${this.#redact(outcome.reason)}`, { method, status: answer.status, retryAfterMs: outcome.retryAfterMs });
      case 'dead':
        throw new AituoClientError('rejected', `Aituo ${method}: ${this.#redact(outcome.reason)}`, { method, status: answer.status });
    }
  }

  #urlOf(method: AituoMethod, api: AituoApiConfig): URL {
    const path = api.paths[method];
    if (path === undefined) return this.#base;
    // UNVERIFIED: docs/vendors/aituo.md §6 Q1 (one endpoint, or one path per interface): the path is appended to baseUrl.
    const base = this.#base.href.endsWith('/') ? this.#base.href : `${this.#base.href}/`;
    return httpUrl(base + path.replace(/^\/+/, ''), `aituo api.paths.${method}`);
  }

  /** An answer may echo a request header: keep the credentials out of messages. */
  #redact(reason: string): string {
    return redactSecrets(reason, Object.values(this.#api.headers));
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * This cabinet's Dingshang pickup codes for the local cache (docs/vendors/README.md §1
 * "Role of each vendor"): §4.4 products, every page of every configured
 * cabinet, then §6.3 per product, read through `cacheCodesFromProducts`.
 * Also the service-mode cancels of §6.4.
 */
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { ClockOffset } from '../common/clock-offset.js';
import type { CodeSource, PulledCode } from '../sync/ports.js';
import type { DingshangClient } from './client.js';
import { DingshangError } from './errors.js';
import type { DingshangConfig } from './config.js';
import { cacheCodesFromProducts, DINGSHANG_CODE_SOURCE, parseCodeExternalId, type CodeSkipReason } from './mapper.js';
import type { DsPickupCode, DsProduct } from './schemas.js';

export type DingshangCodeClient = Pick<DingshangClient, 'allProducts' | 'codes' | 'cancelCode' | 'cancelAllCodes'>;

export interface DingshangCodeSourceDeps {
  client: DingshangCodeClient;
  /** The same tracker the client feeds: vendor times are moved onto our clock by its offset. */
  clock: ClockOffset;
  /** Default silent. Logs counts and ids, never a code. */
  logger?: Logger;
}

/**
 * The offset applied to vendor times, in whole minutes: the measured value
 * moves by a few hundred ms from pull to pull, and a code whose times changed
 * is rewritten in the cache, so only a real skew (a PC clock minutes off)
 * moves them. Vendor dates have 1 s resolution anyway (§6.3).
 */
const OFFSET_STEP_MS = 60_000;

/**
 * §6.3 calls in flight during a pull. §6.3 has no paging, so a cabinet with
 * many products means one call each; a few in parallel keep a 100,000-code
 * pull within seconds. Kept small: the vendor's rate limits are UNKNOWN (§1).
 */
const PULL_CONCURRENCY = 4;

export class DingshangCodeSource implements CodeSource {
  /** `parcel.picked-up.codeSource` of these codes, which the destination matches. */
  readonly name = DINGSHANG_CODE_SOURCE;
  /** The Dingshang destination shares this source's client and server (registry.ts). */
  readonly destination: string | undefined;
  readonly #options: Pick<DingshangConfig, 'utcOffsetMinutes' | 'omittedStatus' | 'lanes'>;
  readonly #client: DingshangCodeClient;
  readonly #clock: ClockOffset;
  readonly #log: Logger;

  constructor(options: Pick<DingshangConfig, 'utcOffsetMinutes' | 'omittedStatus' | 'lanes'> & { name?: string }, deps: DingshangCodeSourceDeps) {
    this.destination = options.name;
    this.#options = options;
    this.#client = deps.client;
    this.#clock = deps.clock;
    this.#log = (deps.logger ?? silentLogger).child({ module: 'cloud/dingshang', source: DINGSHANG_CODE_SOURCE });
  }

  /**
   * Every unused, unexpired code Dingshang holds for this cabinet (§6.3
   * returns only those). Throws DingshangError on any failure: a partial
   * list is never returned. A code's compartment is its product's lane as
   * mapped by the `lanes` setting; a code on an unmapped lane is left out
   * (it could not open any door) and counted in the log.
   */
  async pullAll(signal: AbortSignal): Promise<PulledCode[]> {
    const products = (await this.#client.allProducts(signal)).filter((p) => p.id > 0);
    const lists = await this.#codeLists(products, signal);
    const { codes, skipped } = cacheCodesFromProducts(lists, this.#options);
    if (skipped.length > 0) this.#log.warn({ skipped: countBy(skipped.map((s) => s.reason)), first: skipped.slice(0, 5) }, 'dingshang: codes left out of the cache');

    const shift = Math.round(this.#clock.offsetMs() / OFFSET_STEP_MS) * OFFSET_STEP_MS;
    const lanes = this.#options.lanes;
    const unmapped = codes.filter((c) => lanes[c.lane.name] === undefined);
    if (unmapped.length > 0) {
      this.#log.warn({ codes: unmapped.length, lanes: [...new Set(unmapped.map((c) => c.lane.name))].slice(0, 20) }, 'dingshang: codes on lanes with no compartment in `lanes` left out of the cache');
    }
    return codes.flatMap((c) => {
      const compartmentId = lanes[c.lane.name];
      if (compartmentId === undefined) return [];
      return [
        {
          externalId: c.externalId,
          code: c.code,
          compartmentId,
          parcelId: null,
          // §6.3 lists a code only while it is usable, so one without `created_at` is valid already.
          validFrom: c.validFrom === null ? 0 : c.validFrom - shift,
          validUntil: c.validUntil === null ? null : c.validUntil - shift,
        },
      ];
    });
  }

  /**
   * §6.3 for every product, `PULL_CONCURRENCY` calls in flight, results in
   * product order. The first failure stops the walk and is thrown.
   */
  async #codeLists(products: readonly DsProduct[], signal: AbortSignal): Promise<Array<{ product: DsProduct; codes: DsPickupCode[] }>> {
    const lists: Array<{ product: DsProduct; codes: DsPickupCode[] }> = new Array(products.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < products.length) {
        const index = next++;
        const product = products[index]!;
        try {
          lists[index] = { product, codes: await this.#client.codes(product.id, signal) };
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PULL_CONCURRENCY, products.length) }, worker));
    return lists;
  }

  /** Service mode: cancel one cached code by its external id (`{product_id}:{id}`, §6.4). Throws DingshangError. */
  async cancelCode(externalId: string, signal?: AbortSignal): Promise<void> {
    const ref = parseCodeExternalId(externalId);
    if (ref === null) {
      throw new DingshangError('invalid-request', `dingshang pickupCodeCancelOne: ${JSON.stringify(externalId)} is not a Dingshang code id ({product_id}:{id})`, {
        endpoint: 'pickupCodeCancelOne',
      });
    }
    await this.#client.cancelCode(ref.recordId, signal);
  }

  /** Service mode: cancel every code of this cabinet (§6.4). Throws DingshangError. */
  cancelAll(signal?: AbortSignal): Promise<void> {
    return this.#client.cancelAllCodes(signal);
  }
}

function countBy(reasons: readonly CodeSkipReason[]): Partial<Record<CodeSkipReason, number>> {
  const out: Partial<Record<CodeSkipReason, number>> = {};
  for (const r of reasons) out[r] = (out[r] ?? 0) + 1;
  return out;
}

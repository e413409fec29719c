/**
 * Pickup codes from Aituo's waiting-pickup orders (1018 Get Wait Pickup
 * Order, docs/vendors/aituo.md §2, §4 step 2: an order deposited and waiting, with the
 * recipient's PIN). The answer's shape is UNKNOWN (§1, §2), so every field it
 * is read from is a named config switch (config.ts `waitingOrders`), and the
 * source refuses to start without them.
 */
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { CodeSource, PulledCode } from '../sync/ports.js';
import type { AituoClient } from './client.js';
import type { AituoWaitingOrdersConfig } from './config.js';

/** The pickup-code source name of Aituo's codes (`parcel.picked-up.codeSource`), unless configured otherwise. */
export const AITUO_CODE_SOURCE = 'aituo';

export type AituoSourceErrorCode =
  /** `waitingOrders.enabled` is false: the operator did not ask for this source. */
  | 'not-enabled'
  /** A field-name switch is missing: fill it from Aituo's 1018 field table. */
  | 'missing-switch'
  /** The 1018 answer does not fit the configured field names (the whole pull is refused). */
  | 'malformed-answer';

export class AituoSourceError extends Error {
  override readonly name = 'AituoSourceError';
  constructor(
    readonly code: AituoSourceErrorCode,
    message: string,
    readonly meta: { field?: string; index?: number } = {},
  ) {
    super(message);
  }
}

export interface AituoWaitingOrdersSourceOptions {
  /** This cabinet's terminal number (`AituoConfig.deviceNo`), for `deviceField`. */
  deviceNo: string;
  /** compartment id → Aituo boxNo (`AituoConfig.boxNumbers`), read backwards for `boxField`. */
  boxNumbers: Readonly<Record<string, string>>;
  waitingOrders: AituoWaitingOrdersConfig;
  /** The pickup-code source name stored with each code. Default `aituo`. */
  name?: string;
  /** Default Date.now: `validFrom` of each code (1018 has no documented validity). */
  now?: () => number;
  logger?: Logger;
}

interface Fields {
  listPath: string;
  codeField: string;
  idField: string;
  boxField: string | undefined;
  deviceField: string | undefined;
  userField: string | undefined;
  orderField: string | undefined;
}

export class AituoWaitingOrdersSource implements CodeSource {
  readonly name: string;
  readonly #client: AituoClient;
  readonly #params: Readonly<Record<string, string>>;
  readonly #fields: Fields;
  readonly #deviceNo: string;
  readonly #compartmentOfBox: ReadonlyMap<string, string>;
  readonly #now: () => number;
  readonly #log: Logger;

  /** Throws AituoSourceError `not-enabled`, or `missing-switch` naming the first unset field switch. */
  constructor(client: AituoClient, options: AituoWaitingOrdersSourceOptions) {
    const w = options.waitingOrders;
    if (!w.enabled) throw new AituoSourceError('not-enabled', 'aituo waitingOrders.enabled is false');
    // UNVERIFIED: docs/vendors/aituo.md §2 (1018 request and answer fields UNKNOWN): no guessed default.
    for (const key of ['listPath', 'codeField', 'idField'] as const) {
      if (w[key] === undefined) {
        throw new AituoSourceError('missing-switch', `aituo waitingOrders.${key} is not set: docs/vendors/aituo.md §2 does not document 1018's answer`, { field: key });
      }
    }
    this.name = options.name ?? AITUO_CODE_SOURCE;
    this.#client = client;
    this.#params = w.params;
    this.#fields = { listPath: w.listPath ?? '', codeField: w.codeField ?? '', idField: w.idField ?? '', boxField: w.boxField, deviceField: w.deviceField, userField: w.userField, orderField: w.orderField };
    this.#deviceNo = options.deviceNo;
    this.#compartmentOfBox = new Map(Object.entries(options.boxNumbers).map(([compartment, box]) => [box, compartment]));
    this.#now = options.now ?? Date.now;
    this.#log = (options.logger ?? silentLogger).child({ module: 'cloud/aituo/code-source' });
  }

  /**
   * Every waiting-pickup order of this cabinet as a code. Throws
   * AituoClientError from the call, or AituoSourceError('malformed-answer')
   * when the list or any order lacks a configured field: a misnamed field
   * must fail the pull, not return an empty set that cancels every local code.
   */
  async pullAll(signal: AbortSignal): Promise<PulledCode[]> {
    const answer = await this.#client.waitingPickupOrders(this.#params, signal);
    const list = at(answer.json, this.#fields.listPath);
    if (!Array.isArray(list)) {
      throw new AituoSourceError('malformed-answer', `aituo 1018: no array at waitingOrders.listPath "${this.#fields.listPath}"`, { field: 'listPath' });
    }
    const now = this.#now();
    const codes: PulledCode[] = [];
    const seen = new Set<string>();
    let otherDevices = 0;
    list.forEach((item: unknown, index) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new AituoSourceError('malformed-answer', `aituo 1018: order ${index} is not an object`, { index });
      }
      const order = item as Record<string, unknown>;
      const { deviceField, boxField } = this.#fields;
      if (deviceField !== undefined && this.#required(order, deviceField, index) !== this.#deviceNo) {
        otherDevices += 1;
        return;
      }
      const externalId = this.#required(order, this.#fields.idField, index);
      if (seen.has(externalId)) throw new AituoSourceError('malformed-answer', `aituo 1018: order ${index} repeats an id`, { field: this.#fields.idField, index });
      seen.add(externalId);
      const box = boxField === undefined ? undefined : this.#required(order, boxField, index);
      codes.push({
        externalId,
        code: this.#required(order, this.#fields.codeField, index),
        compartmentId: box === undefined ? null : (this.#compartmentOfBox.get(box) ?? box),
        parcelId: null,
        // UNVERIFIED: docs/vendors/aituo.md §2 (no validity documented for 1018): valid from the pull, no end.
        validFrom: now,
        validUntil: null,
        // Optional per order: a value the order lacks stays empty in the push rather than failing the whole pull.
        userRef: this.#optional(order, this.#fields.userField),
        orderRef: this.#optional(order, this.#fields.orderField),
      });
    });
    if (otherDevices > 0) this.#log.debug({ otherDevices, kept: codes.length }, 'aituo 1018 orders of other terminals skipped');
    return codes;
  }

  /** An optional configured field of an order as a string; null when not configured or not a string or number. */
  #optional(order: Record<string, unknown>, field: string | undefined): string | null {
    if (field === undefined) return null;
    const value = order[field];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return null;
  }

  /**
   * A configured field of an order as a string. §3.3 notes: values are
   * strings, "accept number or string". The error names the field and the
   * index, never the value (it may be the PIN).
   */
  #required(order: Record<string, unknown>, field: string, index: number): string {
    const value = order[field];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new AituoSourceError('malformed-answer', `aituo 1018: order ${index} has no string or number "${field}"`, { field, index });
  }
}

/** The value at a dotted path (`''` = the value itself); undefined when a step is missing. */
function at(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current = value;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/**
 * Is this cabinet registered under the operator's appid? `cabinet.list`
 * (docs/vendors/yopoint.md §4.2) pages through the operator's cabinets; the
 * per-device fields of its answer are UNKNOWN, so the key a device is matched
 * on is a switch (`cabinet.matchField`, default `DeviceCode`: the cabinet
 * object Yopoint pushes in §5.4, UNVERIFIED for §4.2) and the value ours
 * (`cabinet.deviceCode`). An answer without a device list proves nothing
 * either way: `unknown`, never `not-registered`.
 */
import { ClockOffset } from '../common/clock-offset.js';
import { YopointClient } from './client.js';
import type { YopointOptions } from './config.js';
import { YopointError } from './errors.js';
import type { YopointOrder } from './schemas.js';

export type YopointRegistrationState =
  /** A `cabinet.list` device carries our device code. */
  | 'registered'
  /** The whole list was read and no device carries it. */
  | 'not-registered'
  /** No answer, or an answer that cannot say (no device list, a refusal other than credentials). */
  | 'unknown'
  /** The gateway refused our appid / appSecret. */
  | 'refused'
  /** `cabinet.deviceCode` is not configured: nothing to check. */
  | 'not-configured';

export interface YopointRegistration {
  state: YopointRegistrationState;
  /** What was seen, for a log line and `doctor`; never the secret or a sign. */
  detail: string;
  checkedAt: number;
}

/** Pages read at most before the answer is `unknown` (a gateway that ignores `Page`). */
const MAX_PAGES = 100;
const PAGE_SIZE = 50;

/** Walks `cabinet.list` until our device is found or the list ends. Never throws (the abort of `signal` included: `unknown`). */
export async function checkYopointRegistration(
  client: Pick<YopointClient, 'cabinetList'>,
  cabinet: YopointOptions['cabinet'],
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<YopointRegistration> {
  const done = (state: YopointRegistrationState, detail: string): YopointRegistration => ({ state, detail, checkedAt: now() });
  if (cabinet === undefined) return done('not-configured', 'yopoint.cabinet.deviceCode is not set');
  let seen = 0;
  try {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = await client.cabinetList({ Page: page, PageSize: PAGE_SIZE }, signal);
      // UNVERIFIED: docs/vendors/yopoint.md §4.2 (only `total` is documented; the device list is inferred)
      if (data.data === undefined) return done('unknown', `cabinet.list answered total ${data.total} without a device list`);
      if (data.data.some((d) => String(d[cabinet.matchField] ?? '') === cabinet.deviceCode)) {
        return done('registered', `device ${cabinet.deviceCode} is listed (${cabinet.matchField})`);
      }
      seen += data.data.length;
      const last = data.data.length === 0 || seen >= data.total || (data.last_page !== undefined && (data.current_page ?? page) >= data.last_page);
      if (last) return done('not-registered', `no device of the ${data.total} listed for this appid has ${cabinet.matchField} ${cabinet.deviceCode}`);
    }
    return done('unknown', `cabinet.list: more than ${MAX_PAGES} pages`);
  } catch (err) {
    if (err instanceof YopointError && err.code === 'unauthorised') return done('refused', err.message);
    return done('unknown', err instanceof Error ? err.message : String(err));
  }
}

/** The check with a client of its own, for callers outside the agent's cloud link (`doctor`). Never throws. */
export function yopointRegistration(options: YopointOptions, signal?: AbortSignal): Promise<YopointRegistration> {
  let client: YopointClient;
  try {
    client = new YopointClient(options, { clock: new ClockOffset() });
  } catch (err) {
    return Promise.resolve({ state: 'unknown', detail: err instanceof Error ? err.message : String(err), checkedAt: Date.now() });
  }
  return checkYopointRegistration(client, options.cabinet, signal);
}

/** What the agent asks the Yopoint gateway: its registration, and an order a notification named (§4.8). */
export interface YopointGateway {
  registration(signal?: AbortSignal): Promise<YopointRegistration>;
  /** The order's record as the gateway answers it. Throws YopointError. */
  order(receiptNo: string, signal?: AbortSignal): Promise<YopointOrder>;
}

/** One client for both. Throws RangeError for a gateway URL the client refuses (plain http to another host). */
export function yopointGateway(options: YopointOptions): YopointGateway {
  const client = new YopointClient(options, { clock: new ClockOffset() });
  return {
    registration: (signal) => checkYopointRegistration(client, options.cabinet, signal),
    order: (receiptNo, signal) => client.cabinetOrderGet({ ReceiptNo: receiptNo }, signal),
  };
}

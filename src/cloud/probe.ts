/**
 * `cabinet-kiosk doctor`'s questions to each configured vendor: is it
 * reachable, does it accept our credentials, and what does its clock say.
 * Only calls that change nothing upstream: Dingshang `/ping` (headers,
 * docs/vendors/dingshang.md §4.1) then one signed `/products` page (§4.4,
 * which proves the AppKey); Yopoint one signed `cabinet.list` page
 * (docs/vendors/yopoint.md §4.2, the page that documents the signature error;
 * `api.test` is listed but undocumented, §4.1). The others document no
 * harmless signed call, so they are asked for reachability only.
 */
import { ClockOffset } from './common/clock-offset.js';
import { httpSend } from './common/http.js';
import { DingshangClient } from './dingshang/client.js';
import { DingshangError } from './dingshang/errors.js';
import type { VendorConfigs } from './registry.js';
import { YopointClient } from './yopoint/client.js';
import { YopointError } from './yopoint/errors.js';

export interface VendorProbeResult {
  name: string;
  url: string;
  reachable: boolean;
  credentials: 'accepted' | 'refused' | 'not-checked';
  probe: string;
  /** Why it failed, or what was odd; '' when all is well. Never a credential. */
  detail: string;
}

export interface ClockProbeResult {
  name: string;
  url: string;
  /** Server's `Date` minus our clock at the request's midpoint, ms; null without a Date. */
  skewMs: number | null;
  error?: string;
}

export interface ProbeTarget {
  name: string;
  url: string;
}

type ProbeConfig = Partial<VendorConfigs> & { channel?: { url: string } | undefined };

/** Every vendor URL the configuration names, once per vendor (channel's ws(s) read as http(s)). */
export function probeTargets(cloud: ProbeConfig): ProbeTarget[] {
  const out: ProbeTarget[] = [];
  for (const w of cloud.webhooks ?? []) out.push({ name: w.name, url: w.url });
  if (cloud.dingshang) out.push({ name: cloud.dingshang.name, url: cloud.dingshang.baseUrl });
  if (cloud.yopoint) out.push({ name: 'yopoint', url: cloud.yopoint.gatewayUrl });
  if (cloud.aituo) out.push({ name: cloud.aituo.name, url: cloud.aituo.url });
  if (cloud.hongxun) out.push({ name: cloud.hongxun.name, url: cloud.hongxun.url });
  if (cloud.channel) out.push({ name: 'channel', url: cloud.channel.url.replace(/^ws/, 'http') });
  return out;
}

/** One HEAD-like GET of the URL: reachable is "any HTTP answer"; its `Date` gives the skew. */
export async function probeReachable(t: ProbeTarget, timeoutMs: number): Promise<{ reachable: boolean; status?: number; detail: string; clock: ClockProbeResult }> {
  try {
    const a = await httpSend({ url: t.url, method: 'GET', timeoutMs, maxResponseBytes: 1024 });
    const date = a.headers.get('date');
    const parsed = date === null ? NaN : Date.parse(date);
    // A Date has one-second resolution: +500 ms is its expected midpoint.
    const skewMs = Number.isNaN(parsed) ? null : Math.round(parsed + 500 - (a.sentAt + a.receivedAt) / 2);
    return { reachable: true, status: a.status, detail: '', clock: { name: t.name, url: t.url, skewMs } };
  } catch (err) {
    const detail = errorText(err);
    return { reachable: false, detail, clock: { name: t.name, url: t.url, skewMs: null, error: detail } };
  }
}

/** Every configured vendor: reachability, credentials where a signed probe exists, and the clock skew against each. */
export async function probeVendors(cloud: ProbeConfig, opts: { timeoutMs?: number } = {}): Promise<{ vendors: VendorProbeResult[]; clocks: ClockProbeResult[] }> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const vendors: VendorProbeResult[] = [];
  const clocks: ClockProbeResult[] = [];
  for (const t of probeTargets(cloud)) {
    const r = await probeReachable(t, timeoutMs);
    clocks.push(r.clock);
    if (!r.reachable) {
      vendors.push({ name: t.name, url: t.url, reachable: false, credentials: 'not-checked', probe: 'GET', detail: r.detail });
      continue;
    }
    if (cloud.dingshang && t.name === cloud.dingshang.name && t.url === cloud.dingshang.baseUrl) vendors.push(await probeDingshang(cloud.dingshang, t, timeoutMs));
    else if (cloud.yopoint && t.name === 'yopoint') vendors.push(await probeYopoint(cloud.yopoint, t, timeoutMs));
    else vendors.push({ name: t.name, url: t.url, reachable: true, credentials: 'not-checked', probe: `GET (HTTP ${r.status ?? '?'})`, detail: (r.status ?? 0) >= 500 ? `the server answered HTTP ${r.status}` : '' });
  }
  return { vendors, clocks };
}

async function probeDingshang(c: NonNullable<VendorConfigs['dingshang']>, t: ProbeTarget, timeoutMs: number): Promise<VendorProbeResult> {
  const client = new DingshangClient({ ...c, timeoutMs: Math.min(c.timeoutMs, timeoutMs) }, { clock: new ClockOffset() });
  let step = 'ping (Appid/AppSecret headers)';
  try {
    await client.ping();
    step = 'ping, then a signed /products page (AppKey)';
    await client.products({ page: 1, perPage: 1 });
    return { name: t.name, url: t.url, reachable: true, credentials: 'accepted', probe: step, detail: '' };
  } catch (err) {
    if (!(err instanceof DingshangError)) throw err;
    return fromVendorError(t, step, err.code, err.message);
  }
}

async function probeYopoint(c: NonNullable<VendorConfigs['yopoint']>, t: ProbeTarget, timeoutMs: number): Promise<VendorProbeResult> {
  const client = new YopointClient({ ...c, timeoutMs: Math.min(c.timeoutMs, timeoutMs) }, { clock: new ClockOffset() });
  const step = 'a signed cabinet.list page';
  try {
    await client.cabinetList({ Page: 1, PageSize: 1 });
    return { name: t.name, url: t.url, reachable: true, credentials: 'accepted', probe: step, detail: '' };
  } catch (err) {
    if (!(err instanceof YopointError)) throw err;
    return fromVendorError(t, step, err.code, err.message);
  }
}

function fromVendorError(t: ProbeTarget, probe: string, code: string, message: string): VendorProbeResult {
  if (code === 'unauthorised') return { name: t.name, url: t.url, reachable: true, credentials: 'refused', probe, detail: message };
  if (code === 'network' || code === 'timeout' || code === 'aborted') return { name: t.name, url: t.url, reachable: false, credentials: 'not-checked', probe, detail: message };
  // Answered, but not with an answer that says yes or no about the credentials.
  return { name: t.name, url: t.url, reachable: true, credentials: 'not-checked', probe, detail: `${code}: ${message}` };
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * `code_pull_100k_s` (issue 4 §7): 100,000 pickup codes held by the
 * Dingshang mock are pulled and applied to the local cache, exactly as the
 * agent does it: DingshangCodeSource (§4.4 products, §6.3 codes per product,
 * every call signed and parsed) → CodePuller (HMAC of every code, one
 * set-replace transaction in a real SQLite file).
 *
 * The mock serves from this same process, so its JSON work counts against
 * the figure (on the cabinet it runs on the vendor's servers): the figure is
 * an upper bound. A second pull of the unchanged set shows the steady state
 * of the 5-minute cron.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ClockOffset } from '../src/cloud/common/clock-offset.js';
import { DingshangClient } from '../src/cloud/dingshang/client.js';
import { DingshangCodeSource } from '../src/cloud/dingshang/code-source.js';
import { dingshangConfigSchema } from '../src/cloud/dingshang/config.js';
import { CodePuller } from '../src/core/code-puller.js';
import { silentLogger } from '../src/shared/logger.js';
import { dingshangMock } from '../tools/mock-cloud/dingshang.js';
import { startMockCloud } from '../tools/mock-cloud/server.js';
import * as store from '../src/store/index.js';
import { progress, tempDir } from './stats.js';

export interface CodePullResult {
  codes: number;
  products: number;
  /** Fetch + hash + apply, first pull into an empty cache. */
  firstPullS: number;
  /** The same set again: every code kept. */
  steadyPullS: number;
  /** The first pull's parts: the vendor calls alone, and hashing + the one transaction. */
  fetchS: number;
  applyS: number;
  added: number;
  kept: number;
}

const CREDS = { appId: 'bench-app', appSecret: 'bench-app-secret', appKey: 'bench-merchant-key', machineNo: '20261123' };
const PER_PRODUCT = 1000;

export async function runCodePull(codes = 100_000): Promise<CodePullResult> {
  const dir = tempDir('codes');
  const mock = await startMockCloud([dingshangMock({ ...CREDS, codesPerProduct: PER_PRODUCT })]);
  try {
    progress(`code pull: creating ${codes} codes at the Dingshang mock`);
    const created = await fetch(`${mock.url}/_mock/dingshang/create-codes`, { method: 'POST', body: JSON.stringify({ count: codes }) });
    if (!created.ok) throw new Error(`create-codes failed: ${created.status}`);
    const products = Math.ceil(codes / PER_PRODUCT);
    // The mock names its lanes A01 …; every lane is mapped to one of 24 compartments.
    const lanes = Object.fromEntries(Array.from({ length: products }, (_, i) => [`A${String(i + 1).padStart(2, '0')}`, String((i % 24) + 1)]));
    const config = dingshangConfigSchema.parse({
      ...CREDS,
      baseUrl: `${mock.url}/dingshang`,
      notifyUrl: 'http://127.0.0.1:1/dingshang/delivery',
      callback: { urlToken: null },
      lanes,
      timeoutMs: 60_000,
    });
    const clock = new ClockOffset();
    const client = new DingshangClient(config, { clock });
    const source = new DingshangCodeSource(config, { client, clock });

    const db = store.openDatabase(join(dir.path, 'kiosk.db'));
    store.syncCompartments(db, Array.from({ length: 24 }, (_, i) => ({ id: String(i + 1), board: 1 + Math.floor(i / 12), lock: (i % 12) + 1, size: 'M' as const })));
    const puller = new CodePuller({ sources: [source], db, secret: randomBytes(32), log: silentLogger, timeoutMs: 120_000 });

    progress('code pull: fetching alone');
    let t = performance.now();
    const fetched = await source.pullAll(AbortSignal.timeout(120_000));
    const fetchS = (performance.now() - t) / 1000;
    if (fetched.length !== codes) throw new Error(`pulled ${fetched.length} codes, expected ${codes}`);

    progress('code pull: first pull into an empty cache');
    t = performance.now();
    const [first] = await puller.pullAll();
    const firstPullS = (performance.now() - t) / 1000;
    if (!first?.ok || first.result === undefined) throw new Error(`first pull failed: ${first?.error}`);

    progress('code pull: steady state (same set again)');
    t = performance.now();
    const [steady] = await puller.pullAll();
    const steadyPullS = (performance.now() - t) / 1000;
    if (!steady?.ok || steady.result === undefined) throw new Error(`second pull failed: ${steady?.error}`);
    store.closeDatabase(db);
    return { codes, products, firstPullS, steadyPullS, fetchS, applyS: Math.max(0, firstPullS - fetchS), added: first.result.added, kept: steady.result.kept };
  } finally {
    await mock.close();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runCodePull(Number(process.argv[2] ?? 100_000)));
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVendors } from '../../../src/cloud/index.js';
import { dingshangMock } from '../../../tools/mock-cloud/dingshang.js';
import { startMockCloud, type RunningMockCloud } from '../../../tools/mock-cloud/server.js';
import { YOPOINT_MOCK_GATEWAY_PATH, yopointMock } from '../../../tools/mock-cloud/yopoint.js';
import { agentConfig, freePort, webhookSecret } from '../../helpers/cloud.js';

/**
 * doctor's vendor probes against the mock clouds on 127.0.0.1: the signed
 * probes tell accepted from refused credentials (Dingshang ping + a signed
 * /products page, Yopoint a signed cabinet.list page), the others are
 * reachability only, a closed port is unreachable, and each answer's Date
 * gives the clock skew.
 */
const ds = { appId: 'ck-probe-app', appSecret: 'ck-probe-app-secret', appKey: 'ck-probe-merchant-key', machineNo: '20261123' };
const yp = { appid: 'ck-probe-appid', appSecret: 'ck-probe-yopoint-secret' };
let mock: RunningMockCloud;

beforeAll(async () => {
  mock = await startMockCloud([dingshangMock({ ...ds, codesPerProduct: 1 }), yopointMock(yp)]);
});
afterAll(async () => mock?.close());

function cloud(over: { dsKey?: string; ypSecret?: string; hookUrl?: string }) {
  return agentConfig({
    cloud: {
      dingshang: { ...ds, appKey: over.dsKey ?? ds.appKey, baseUrl: `${mock.url}/dingshang`, notifyUrl: 'http://127.0.0.1:1/ds', callback: { urlToken: null } },
      yopoint: { ...yp, appSecret: over.ypSecret ?? yp.appSecret, gatewayUrl: `${mock.url}/yopoint${YOPOINT_MOCK_GATEWAY_PATH}` },
      webhooks: [{ name: 'wh-probe', url: over.hookUrl ?? `${mock.url}/webhooks/wh-probe`, secret: webhookSecret() }],
    },
  }).cloud;
}

describe('vendor probes (doctor)', () => {
  it('accepted credentials, reachability-only vendors and the clock skew', async () => {
    const { vendors, clocks } = await probeVendors(cloud({}), { timeoutMs: 10_000 });
    expect(vendors.find((v) => v.name === 'dingshang')).toMatchObject({ reachable: true, credentials: 'accepted', probe: expect.stringContaining('signed /products') });
    expect(vendors.find((v) => v.name === 'yopoint')).toMatchObject({ reachable: true, credentials: 'accepted', probe: expect.stringContaining('cabinet.list') });
    expect(vendors.find((v) => v.name === 'wh-probe')).toMatchObject({ reachable: true, credentials: 'not-checked' });
    for (const c of clocks) {
      expect(c.skewMs).not.toBeNull();
      // The mock runs on this clock: only the Date header's one-second resolution separates them.
      expect(Math.abs(c.skewMs!)).toBeLessThan(5000);
    }
  });

  it('a wrong signing key or secret is refused; a closed port is unreachable', async () => {
    const closed = await freePort();
    const { vendors } = await probeVendors(cloud({ dsKey: 'not-the-merchant-key', ypSecret: 'not-the-yopoint-secret', hookUrl: `http://127.0.0.1:${closed}/hook` }), { timeoutMs: 10_000 });
    expect(vendors.find((v) => v.name === 'dingshang')).toMatchObject({ reachable: true, credentials: 'refused' });
    expect(vendors.find((v) => v.name === 'yopoint')).toMatchObject({ reachable: true, credentials: 'refused' });
    expect(vendors.find((v) => v.name === 'wh-probe')).toMatchObject({ reachable: false, detail: expect.stringContaining('ECONNREFUSED') });
  });
});

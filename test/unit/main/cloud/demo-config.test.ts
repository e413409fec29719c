import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig, parseConfig } from '../../../../src/main/config/load-config.js';
import { vendorMocks } from '../../../../tools/mock-cloud/command.js';
import { buildIntegrations } from '../../../../src/main/cloud/integrations.js';
import { silentLogger } from '../../../../src/shared/logger.js';

const DEMO = fileURLToPath(new URL('../../../../examples/demo-cloud.yaml', import.meta.url));

describe('examples/demo-cloud.yaml (the README demo of the cloud)', () => {
  it('loads, enables every integration, and the mock cloud plays each vendor it names', () => {
    const config = loadConfig({ file: DEMO, env: {} });
    const built = buildIntegrations(config, { secret: Buffer.alloc(32, 7), logger: silentLogger });
    expect(built.routed.map((r) => r.destination.name)).toEqual(['webhook-demo', 'dingshang', 'aituo', 'hongxun']);
    expect(built.codeSources.map((s) => s.name)).toEqual(['dingshang']);
    expect(Object.keys(built.callbacks).filter((k) => built.callbacks[k as keyof typeof built.callbacks] != null).sort()).toEqual(['dingshang', 'yopoint']);
    expect(vendorMocks(config)).toHaveLength(5);
    expect(config.cloud.channel?.url).toBe('ws://127.0.0.1:8789/channel');
  });

  it('refuses two integrations with one destination name, naming the key', () => {
    const demo = parse(readFileSync(DEMO, 'utf8')) as { cloud: Record<string, unknown> };
    const doc = { ...demo, database: '/tmp/x.db', cloud: { ...demo.cloud, webhooks: [{ name: 'dingshang', url: 'http://127.0.0.1:1/x', secret: 'whsec_ZGVtbw==' }] } };
    expect(() => parseConfig(doc, 'test')).toThrow(/cloud\.dingshang\.name.*used twice/s);
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deepestTopicLevels, desiredSigningText, fleetTopics, fleetWildcard, signDesired, thingOf, verifyDesired } from '../../../../src/cloud/fleet/topics.js';
import { matches } from '../../../../src/cloud/fleet/operator.js';
import { fleetConfigSchema } from '../../../../src/cloud/fleet/config.js';

describe('fleet topics (docs/fleet.md §2)', () => {
  it('names every leaf under the prefix and the thing, with an optional level between', () => {
    const t = fleetTopics('cabinets', 'AT1003');
    expect(t.status).toBe('cabinets/AT1003/status');
    expect(t.desired).toBe('cabinets/AT1003/config/desired');
    expect(t.jobStatus).toBe('cabinets/AT1003/jobs/status');
    expect(fleetTopics('/a1B2c3', 'dev-1', 'user').events).toBe('/a1B2c3/dev-1/user/events');
    expect(fleetWildcard('cabinets', 'state')).toBe('cabinets/+/state');
    expect(fleetWildcard('/pk', 'alarms', 'user')).toBe('/pk/+/user/alarms');
  });

  it('reads the thing and leaf back, and nothing else', () => {
    expect(thingOf('cabinets', 'cabinets/AT1003/config/reported')).toEqual({ thing: 'AT1003', leaf: 'reported' });
    expect(thingOf('/pk', '/pk/dev-1/user/state', 'user')).toEqual({ thing: 'dev-1', leaf: 'state' });
    expect(thingOf('/pk', '/pk/dev-1/state', 'user')).toBeNull();
    expect(thingOf('cabinets', 'cabinets/~probe/123')).toBeNull();
    expect(thingOf('cabinets', 'other/AT1003/state')).toBeNull();
  });

  it('counts levels as MQTT does, so AWS IoT Core\'s limit of 7 is checked at start', () => {
    expect(deepestTopicLevels('cabinets')).toBe(4); // cabinets/<id>/config/desired
    expect(deepestTopicLevels('/pk', 'user')).toBe(6); // ''/pk/<dn>/user/config/desired
    expect(fleetConfigSchema.parse({ url: 'mqtt://127.0.0.1', secret: 'x'.repeat(16) }).limits).toEqual({ maxPayloadBytes: 131072, maxTopicLevels: 7, maxInflight: 100 });
  });

  it('matches topic filters', () => {
    expect(matches('cabinets/+/state', 'cabinets/A/state')).toBe(true);
    expect(matches('cabinets/+/state', 'cabinets/A/B/state')).toBe(false);
    expect(matches('cabinets/#', 'cabinets/A/B/state')).toBe(true);
  });
});

describe('desired configuration signature', () => {
  const secret = 'example-fleet-key-do-not-use-01';

  it('signs RFC 8785 JSON of thing, version and settings with HMAC-SHA256 (hex)', () => {
    const text = desiredSigningText('AT1003', 7, { 'fleet.heartbeatMs': 30000 });
    expect(text).toBe('{"settings":{"fleet.heartbeatMs":30000},"thing":"AT1003","version":7}');
    const doc = signDesired('AT1003', 7, { 'fleet.heartbeatMs': 30000 }, secret);
    expect(doc.signature).toBe(createHmac('sha256', secret).update(text).digest('hex'));
    expect(verifyDesired(JSON.stringify(doc), 'AT1003', secret)).toEqual({ ok: true, desired: doc });
  });

  it('refuses a document for another cabinet, a changed value, or junk', () => {
    const doc = signDesired('AT1003', 7, { 'fleet.heartbeatMs': 30000 }, secret);
    expect(verifyDesired(JSON.stringify(doc), 'AT1004', secret)).toMatchObject({ ok: false, code: 'bad-signature' });
    expect(verifyDesired(JSON.stringify({ ...doc, settings: { 'fleet.heartbeatMs': 1000 } }), 'AT1003', secret)).toMatchObject({ ok: false, code: 'bad-signature' });
    expect(verifyDesired('{', 'AT1003', secret)).toMatchObject({ ok: false, code: 'malformed' });
    expect(verifyDesired(JSON.stringify({ ...doc, extra: 1 }), 'AT1003', secret)).toMatchObject({ ok: false, code: 'malformed' });
  });
});

/**
 * The agent of the sync chaos test (spawned with `node --import tsx`, killed
 * with SIGKILL): a real agent (simulator in-process, the real SQLite file, its
 * sync engine with every vendor destination the configuration enables) plus a
 * generator that queues a drop-off and a pickup per parcel (`parcel.stored`,
 * then `parcel.picked-up`), a few events per transaction, until the database
 * holds `target` of them. Once the file `codesFile` exists (Dingshang codes the
 * test created in the mock: `[{ code, externalId }]`), every other pickup uses
 * the next unused one, so the Dingshang destination has `/consumes` to report.
 * At `gate` events it waits for that file: the Dingshang pickups do not depend
 * on how fast the test restarts the mock.
 * It resumes from the database after a kill, so the run's events are exactly
 * the rows in `events`. argv: config file, target, codes file, gate.
 * stdout: {"ready":true,...} once started, {"generated":n} at the end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DINGSHANG_CODE_SOURCE } from '../../src/cloud/dingshang/mapper.js';
import { sealCode } from '../../src/core/sealed-code.js';
import { buildIntegrations, routeTable } from '../../src/main/cloud/integrations.js';
import { loadConfig } from '../../src/main/config/load-config.js';
import { createLogger } from '../../src/main/logging.js';
import { runAgent } from '../../src/main/run-agent.js';
import { loadCabinetSecret } from '../../src/main/secrets.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { DomainEventType } from '../../src/shared/events.js';
import * as store from '../../src/store/index.js';
import type { NewEvent } from '../../src/store/index.js';

const [configPath = '', targetText = '2000', codesFile = '', gateText = targetText] = process.argv.slice(2);
const target = Number(targetText);
const gate = Number(gateText);
const config = loadConfig({ file: configPath, env: {} });
const secret = loadCabinetSecret(config.cabinet.secret, config.dataDir);
const running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
const db = running.agent.db;
// The agent's own routing: which destinations take which event type.
const routes = routeTable(buildIntegrations(config, { secret, logger: silentLogger }).routed, config.outbox.destinations);
const count = (): number => (db.stmt(`SELECT count(*) AS n FROM events WHERE type IN ('parcel.stored', 'parcel.picked-up')`).get() as { n: number }).n;
const dingshangUsed = (): number =>
  (db.stmt(`SELECT count(*) AS n FROM events WHERE type = 'parcel.picked-up' AND json_extract(payload, '$.codeSource') = ?`).get(DINGSHANG_CODE_SOURCE) as { n: number }).n;
let last = (db.stmt('SELECT coalesce(max(occurred_at), 0) AS t FROM events').get() as { t: number }).t;
let n = count();
let codes: Array<{ code: string; externalId: string }> | undefined;
let nextCode = dingshangUsed();
process.stdout.write(`${JSON.stringify({ ready: true, events: n })}\n`);

function nextEvent(i: number, at: number): NewEvent {
  const parcelId = `chaos-p${Math.floor(i / 2)}`;
  const compartmentId = String(1 + (Math.floor(i / 2) % 8));
  const ids = { compartmentId, board: 1, lock: Number(compartmentId) };
  if (i % 2 === 0) {
    const payload = { parcelId, ...ids, size: 'M', courier: 'chaos-courier', trackingNo: null, storedAt: at, expiresAt: null, sealedCode: sealCode(secret, String(100000 + i)) };
    return { type: 'parcel.stored', parcelId, compartmentId, payload, occurredAt: at };
  }
  codes ??= existsSync(codesFile) ? (JSON.parse(readFileSync(codesFile, 'utf8')) as Array<{ code: string; externalId: string }>) : undefined;
  const vendor = codes !== undefined && i % 4 === 3 ? codes[nextCode] : undefined;
  if (vendor !== undefined) nextCode += 1;
  const source = vendor === undefined
    ? { codeSource: 'local', codeExternalId: null }
    : { codeSource: DINGSHANG_CODE_SOURCE, codeExternalId: vendor.externalId, sealedCode: sealCode(secret, vendor.code) };
  const payload = { parcelId, ...ids, ...source, externalRef: null, pickedUpAt: at, via: 'keypad' };
  return { type: 'parcel.picked-up', parcelId, compartmentId, payload, occurredAt: at };
}

while (n < target) {
  if (n >= gate && !existsSync(codesFile)) {
    await new Promise((r) => setTimeout(r, 50));
    continue;
  }
  store.inTransaction(db, () => {
    for (let i = 0; i < 4 && n < target; i++, n++) {
      // Strictly increasing: the receiving mocks check order per parcel by event time.
      const at = Math.max(Date.now(), last + 1);
      last = at;
      const event = nextEvent(n, at);
      store.recordEvent(db, event, routes(event.type as DomainEventType));
    }
  });
  running.agent.cloud.wake();
  await new Promise((r) => setTimeout(r, 8));
}
process.stdout.write(`${JSON.stringify({ generated: n })}\n`);
// Keep draining until the test stops or kills us.
process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));

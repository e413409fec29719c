/**
 * The agent of the sync chaos test (spawned with `node --import tsx`, killed
 * with SIGKILL): a real agent (simulator in-process, the real SQLite file, its
 * sync engine) plus a generator that queues `parcel.expired` events, a few per
 * transaction, for 40 parcels in turn, until the database holds `target` of
 * them. It resumes from the database after a kill, so the run's events are
 * exactly the rows in `events`. argv: config file, target.
 * stdout: one JSON line per 100 events, and {"generated":n} at the end.
 */
import { loadConfig } from '../../src/main/config/load-config.js';
import { createLogger } from '../../src/main/logging.js';
import { runAgent } from '../../src/main/run-agent.js';
import * as store from '../../src/store/index.js';

const [configPath = '', targetText = '2000'] = process.argv.slice(2);
const target = Number(targetText);
const config = loadConfig({ file: configPath, env: {} });
const running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
const db = running.agent.db;
const destinations = config.cloud.webhooks.map((w) => w.name);
const count = (): number => (db.stmt(`SELECT count(*) AS n FROM events WHERE type = 'parcel.expired'`).get() as { n: number }).n;
let last = (db.stmt('SELECT coalesce(max(occurred_at), 0) AS t FROM events').get() as { t: number }).t;
let n = count();
process.stdout.write(`${JSON.stringify({ ready: true, events: n })}\n`);

while (n < target) {
  store.inTransaction(db, () => {
    for (let i = 0; i < 4 && n < target; i++, n++) {
      // Strictly increasing: the receiving mock checks order per parcel by event time.
      const at = Math.max(Date.now(), last + 1);
      last = at;
      const parcelId = `chaos-p${n % 40}`;
      store.recordEvent(db, { type: 'parcel.expired', parcelId, compartmentId: '1', payload: { parcelId, compartmentId: '1', expiredAt: at }, occurredAt: at }, destinations);
    }
  });
  running.agent.cloud.wake();
  if (n % 100 === 0) process.stdout.write(`${JSON.stringify({ events: n })}\n`);
  await new Promise((r) => setTimeout(r, 8));
}
process.stdout.write(`${JSON.stringify({ generated: n })}\n`);
// Keep draining until the test stops or kills us.
process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));

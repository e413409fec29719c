import { appendFileSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctorReportSchema } from '../../../src/main/doctor/check.js';
import { assertBuilt, runCli } from '../../helpers/cli.js';

/**
 * `cabinet-kiosk diag`: one tar.gz whose members are the doctor's report,
 * the configuration without secrets, the logs, database statistics and
 * versions — and in which no secret of the configuration appears anywhere,
 * even one a log line leaked.
 */
const LONG = 120_000;
const SECRETS = {
  cabinetSecret: 'cabinet-secret-Zq8v2Lr7Tt5Yw1Xc',
  courierPin: '80715',
  technicianPin: '93146',
  webhookSecret: 'whsec_ZGlhZy10ZXN0LXNlY3JldC1rZXk=',
  channelToken: 'chan-token-Kp3Rt9Wq',
  channelSecret: 'chan-secret-Hm4Vb8Nc2Lx6',
};
let dir: string;
let config: string;

beforeAll(async () => {
  assertBuilt();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ck-diag-')));
  config = join(dir, 'kiosk.json');
  writeFileSync(
    config,
    JSON.stringify({
      cabinet: { id: 'DIAG-1', secret: SECRETS.cabinetSecret },
      staff: { courierPin: SECRETS.courierPin, technicianPin: SECRETS.technicianPin },
      simulator: { transport: 'mock', autoCloseMs: 100 },
      ui: { shell: 'none' },
      database: './data/kiosk.db',
      cloud: {
        webhooks: [{ name: 'wh-diag', url: 'http://127.0.0.1:9/hook', secret: SECRETS.webhookSecret }],
        channel: { url: 'ws://127.0.0.1:9/channel', token: SECRETS.channelToken, secret: SECRETS.channelSecret },
      },
    }),
  );
  // One real command creates the database, its tables and the log.
  const status = await runCli(['--config', config, 'status'], {}, { timeoutMs: LONG });
  expect(status.code, status.stderr).toBe(0);
  // A line that leaked a secret (it must not leave the cabinet either).
  mkdirSync(join(dir, 'data', 'logs'), { recursive: true });
  appendFileSync(join(dir, 'data', 'logs', 'kiosk.1.log'), JSON.stringify({ level: 30, msg: `leaked ${SECRETS.channelToken} and ${SECRETS.courierPin}` }) + '\n');
}, LONG);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diag', () => {
  it('writes one private tar.gz with the doctor report, redacted config, logs, database statistics and versions; no secret inside', { timeout: LONG }, async () => {
    const out = join(dir, 'support.tar.gz');
    const r = await runCli(['--config', config, '--json', 'diag', '--out', out], {}, { timeoutMs: LONG });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const into = join(dir, 'unpacked');
    mkdirSync(into);
    await extract({ file: out, cwd: into });
    const [root] = readdirSync(into);
    const base = join(into, root!);
    const files = (readdirSync(base, { recursive: true }) as string[]).filter((n) => statSync(join(base, n)).isFile()).sort();
    expect(files).toEqual(expect.arrayContaining(['config.json', 'database.json', 'doctor.json', 'doctor.txt', 'versions.json']));
    expect(files.some((f) => f.startsWith('logs/') && f.endsWith('.log'))).toBe(true);

    for (const f of files) {
      const text = readFileSync(join(base, f), 'utf8');
      for (const [name, value] of Object.entries(SECRETS)) expect(text.includes(value), `${name} in ${f}`).toBe(false);
    }
    const doctor = doctorReportSchema.parse(JSON.parse(readFileSync(join(base, 'doctor.json'), 'utf8')));
    expect(doctor.checks.some((c) => c.id === 'database.integrity' && c.status === 'pass')).toBe(true);
    const cfg = JSON.parse(readFileSync(join(base, 'config.json'), 'utf8')) as { cabinet: { id: string; secret: string }; staff: { courierPin: string } };
    expect(cfg.cabinet).toEqual({ id: 'DIAG-1', secret: '[redacted]' });
    expect(cfg.staff.courierPin).toBe('[redacted]');
    const db = JSON.parse(readFileSync(join(base, 'database.json'), 'utf8')) as { journalMode: string; pageCount: number; tables: Array<{ name: string; rows: number }> };
    expect(db.journalMode).toBe('wal');
    expect(db.pageCount).toBeGreaterThan(0);
    expect(db.tables.find((t) => t.name === 'compartments')?.rows).toBe(24);
    const versions = JSON.parse(readFileSync(join(base, 'versions.json'), 'utf8')) as { app: string; node: string; os: { type: string } };
    expect(versions.node).toBe(process.versions.node);
    expect(versions.os.type).toBe('Linux');
  });
});

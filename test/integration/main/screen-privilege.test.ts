import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, JsonLineProcess } from '../../helpers/cli.js';
import { requireSocat } from '../../helpers/pty.js';
import { NOBODY, runJsonAs, type Ids } from '../../helpers/run-as.js';

/**
 * Escaping the screen gives nothing: the agent runs as its own user (here
 * root, started by the test with a private data folder and the simulated
 * boards on a socat PTY), the screen's side runs as another user (`nobody`,
 * via spawn's uid/gid) holding exactly what the kiosk session user holds:
 * group read on the endpoint folder. It can use the contract (its uid is the
 * agent's --screen-user) and nothing else: EACCES on the data folder, the
 * database, cabinet.secret, the control socket, and the serial device, which
 * has the mode udev gives it (root:dialout 0660; nobody is not in dialout).
 */
const DIALOUT_GID = 20;
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** What the screen's side tries, as the screen user; prints one JSON line. Needs only `ws` (copied beside it). */
const CLIENT = `
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import WebSocket from 'ws';
const [endpointFile, dataDir, database, secret, socket, serial] = process.argv.slice(2);
const out = {};
const attempt = (name, fn) => { try { fn(); out[name] = 'ok'; } catch (e) { out[name] = e.code ?? String(e); } };
attempt('dataDir', () => readdirSync(dataDir));
attempt('database', () => openSync(database, 'r'));
attempt('secret', () => readFileSync(secret));
attempt('serial', () => openSync(serial, 'r+'));
out.controlSocket = await new Promise((resolve) => {
  const s = connect(socket);
  s.on('connect', () => { s.destroy(); resolve('ok'); });
  s.on('error', (e) => resolve(e.code));
});
const address = new URL(readFileSync(endpointFile, 'utf8').trim());
const ticket = new URLSearchParams(address.hash.slice(1)).get('ticket');
out.contract = await new Promise((resolve) => {
  const ws = new WebSocket('ws://' + address.host + '/contract', ['cabinet-kiosk.v1', 'ticket.' + ticket], { origin: address.origin });
  ws.on('open', () => ws.send(JSON.stringify({ id: 1, name: 'cabinet.overview', input: {} })));
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.kind !== 'reply') return;
    resolve(frame.result.ok ? { compartments: frame.result.value.compartments.length } : frame.result);
    ws.close();
  });
  ws.on('unexpected-response', (_req, res) => resolve('http ' + res.statusCode));
  ws.on('error', (e) => resolve('error ' + e.message));
});
console.log(JSON.stringify(out));
`;

function runAs(as: Ids, script: string, args: string[]): Promise<Record<string, unknown>> {
  return runJsonAs(as, [script, ...args], 'the screen-side client');
}

describe('the screen user against a real agent: the contract and nothing else', () => {
  let base: string;
  let simulator: JsonLineProcess | undefined;
  let agent: JsonLineProcess | undefined;
  let serialDevice: string;
  const paths = { dataDir: '', runDir: '', client: '' };
  /** What the client tries, in its argument order: the endpoint file, then each thing only the agent may touch. */
  const probed = (): string[] => [
    join(paths.runDir, 'screen-url'),
    paths.dataDir,
    join(paths.dataDir, 'kiosk.db'),
    join(paths.dataDir, 'cabinet.secret'),
    join(paths.dataDir, 'agent.sock'),
    serialDevice,
  ];

  beforeAll(async () => {
    assertBuilt();
    requireSocat();
    if (process.getuid?.() !== 0) throw new Error('this test plays two users: it must run as root (as the tests here do)');
    // Every folder above the private ones is open to all, so each EACCES below comes from the agent's own modes.
    base = mkdtempSync(join(tmpdir(), 'ck-screen-user-'));
    chmodSync(base, 0o755);
    paths.dataDir = join(base, 'agent', 'data');
    mkdirSync(join(base, 'agent'), { mode: 0o755 });
    // The agent unit's RuntimeDirectory: 0750, group of the kiosk session user (here nobody's group).
    paths.runDir = join(base, 'run');
    mkdirSync(paths.runDir, { mode: 0o750 });
    chownSync(paths.runDir, 0, NOBODY.gid);
    const clientDir = join(base, 'client');
    cpSync(join(ROOT, 'node_modules', 'ws'), join(clientDir, 'node_modules', 'ws'), { recursive: true });
    paths.client = join(clientDir, 'client.mjs');
    writeFileSync(paths.client, CLIENT);
    execChmod(clientDir);

    simulator = new JsonLineProcess(['--json', 'simulate', '--boards', '1', '--locks', '8']);
    const sim = await simulator.next((l) => l['event'] === 'ready');
    // What udev's rule gives a USB-serial adapter: root:dialout 0660.
    serialDevice = realpathSync(String(sim['path']));
    chownSync(serialDevice, 0, DIALOUT_GID);
    chmodSync(serialDevice, 0o660);

    const config = join(base, 'agent', 'kiosk.json');
    writeFileSync(
      config,
      JSON.stringify({
        serial: { path: sim['path'] },
        boards: [{ address: 1, protocol: 'xor-8a', locks: 8 }],
        database: join(paths.dataDir, 'kiosk.db'),
        staff: { courierPin: '4826', technicianPin: '7391' },
      }),
      { mode: 0o600 },
    );
    agent = new JsonLineProcess(['--config', config, '--json', 'agent', '--endpoint-file', join(paths.runDir, 'screen-url'), '--screen-user', 'nobody']);
    await agent.next((l) => l['event'] === 'ready', 30_000);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('the agent\'s files are its own: data folder 0700, endpoint file 0640 in the screen\'s group', () => {
    expect(statSync(paths.dataDir).mode & 0o777).toBe(0o700);
    const endpoint = statSync(join(paths.runDir, 'screen-url'));
    expect(endpoint.mode & 0o777).toBe(0o640);
    expect(endpoint.gid).toBe(NOBODY.gid);
  });

  it('as nobody: the contract answers; the data folder, database, cabinet.secret, control socket and serial device are EACCES', async () => {
    const got = await runAs(NOBODY, paths.client, probed());
    expect(got).toEqual({
      dataDir: 'EACCES',
      database: 'EACCES',
      secret: 'EACCES',
      serial: 'EACCES',
      controlSocket: 'EACCES',
      contract: { compartments: 8 },
    });
  });

  it('the same client as the agent\'s user reaches all of it (the refusals above are the modes, not a broken setup)', async () => {
    const got = await runAs({ uid: 0, gid: 0 }, paths.client, probed());
    expect(got).toMatchObject({ dataDir: 'ok', database: 'ok', secret: 'ok', serial: 'ok', controlSocket: 'ok', contract: { compartments: 8 } });
  });
});

/** The copied client and its `ws` readable by everyone (cpSync keeps node_modules' modes; the folder is new). */
function execChmod(dir: string): void {
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'client.mjs'), 0o644);
}

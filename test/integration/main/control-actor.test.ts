import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { actorFor, localCaller } from '../../../src/main/caller.js';
import { callAgent } from '../../../src/main/control-protocol/client.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import * as store from '../../../src/store/index.js';

/**
 * The control API audits the OS user behind its socket, never a name the
 * caller sends: a real agent on the in-process simulator, its real socket,
 * and a client run as `nobody` that the socket's mode keeps out.
 */
const NOBODY = { uid: 65534, gid: 65534 };

/** Runs a tiny Node client as `nobody` that connects to the socket and prints the outcome. */
function connectAsNobody(socketPath: string): Promise<string> {
  const code = `require('node:net').connect(process.argv[1]).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code, socketPath], { ...NOBODY, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (status) => (status === 0 ? resolve(out.trim()) : reject(new Error(`the nobody client exited ${status}: ${err}`))));
  });
}

describe('control API: the audit actor comes from the socket, not the request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-actor-'));
  const base = loadConfig({ env: {}, cwd: dir });
  const config = { ...base, simulator: { ...base.simulator, transport: 'mock' as const, autoCloseMs: 100 }, log: { ...base.log, file: false } };
  let running: RunningAgent;
  const own = actorFor(process.getuid!(), userInfo().username);

  beforeAll(async () => {
    running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('names the agent user as uid and user name', () => {
    expect(localCaller().actor).toBe(own);
    expect(own).toMatch(/^uid:\d+\(\w[\w.-]*\)$/);
    expect(actorFor(1000, null)).toBe('uid:1000');
  });

  it('refuses an actor in the request, whatever the command', async () => {
    for (const [command, input] of [
      ['open', { compartment: '1', actor: 'technician:the-ceo' }],
      ['service', { compartment: '2', outOfService: true, actor: 'nobody-at-all' }],
      ['return', { compartment: '3', actor: 'employee:x' }],
    ] as const) {
      const reply = await callAgent(running.socketPath, command, input);
      expect(reply).toMatchObject({ reached: true, result: { ok: false, error: { code: 'bad-request' } } });
    }
    const actors = store.listAudit(running.agent.db, { limit: 1000 }).map((a) => a.actor);
    expect(actors.filter((a) => a.includes('ceo') || a.includes('nobody-at-all') || a.includes('employee:x'))).toEqual([]);
  });

  it('audits the change as the socket owner and the caller words only as a note', async () => {
    const before = store.listAudit(running.agent.db, { newestFirst: true, limit: 1 })[0]?.id ?? 0;
    const opened = await callAgent(running.socketPath, 'open', { compartment: '1', note: 'technician:the-ceo' });
    expect(opened).toMatchObject({ reached: true, result: { ok: true, value: { compartmentId: '1' } } });
    expect(await callAgent(running.socketPath, 'service', { compartment: '2', outOfService: true, reason: 'hinge' })).toMatchObject({ result: { ok: true } });
    const rows = store.listAudit(running.agent.db, { sinceId: before });
    // The kiosk's own rows for both commands, and the note beside the open: all as the socket owner.
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([own]));
    expect(rows.filter((r) => r.compartmentId === '1' && r.action !== 'control.note').length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.compartmentId === '2').map((r) => r.action)).toContain('compartment.out-of-service');
    expect(rows.filter((r) => r.action === 'control.note')).toMatchObject([{ compartmentId: '1', detail: { command: 'open', note: 'technician:the-ceo', outcome: 'ok' } }]);
  });

  it('records a note with the refusal when the command fails', async () => {
    const before = store.listAudit(running.agent.db, { newestFirst: true, limit: 1 })[0]?.id ?? 0;
    const reply = await callAgent(running.socketPath, 'open', { compartment: 'Z9', note: 'try the spare' });
    expect(reply).toMatchObject({ result: { ok: false, error: { code: 'compartment-not-found' } } });
    expect(store.listAudit(running.agent.db, { sinceId: before })).toMatchObject([{ action: 'control.note', actor: own, detail: { note: 'try the spare', outcome: 'compartment-not-found' } }]);
  });

  it('the socket is 0600: another user cannot connect, so cannot act as the agent user', async () => {
    expect(statSync(running.socketPath).mode & 0o777).toBe(0o600);
    // Let `nobody` reach the folder, so only the socket's own mode stands in its way.
    chmodSync(config.dataDir, 0o711);
    chmodSync(dir, 0o711);
    expect(await connectAsNobody(running.socketPath)).toBe('EACCES');
  });
});

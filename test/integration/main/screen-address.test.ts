import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { screenLine, stdoutIsJournal } from '../../../src/main/start.js';
import { assertBuilt, BIN } from '../../helpers/cli.js';

/**
 * Under systemd stdout is the journal, which every member of `adm` or
 * `systemd-journal` reads: the banner there names only the 0600 file that
 * holds the screen's one-time address, and no log line carries a ticket or a
 * session token. A real `cabinet-kiosk start` with stdout on a pipe.
 */
describe('the screen address never reaches the journal or the log files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-address-'));
  const configPath = join(dir, 'kiosk.json');
  writeFileSync(
    configPath,
    JSON.stringify({ cabinet: { id: 'ADDR-TEST' }, serial: { path: 'simulator' }, simulator: { transport: 'mock' }, database: './data/kiosk.db', ui: { shell: 'browser' } }),
  );
  let agent: ChildProcess | undefined;
  afterAll(() => {
    agent?.kill('SIGKILL');
  });

  it('prints the file, not the address; the ticket and the session token it buys appear in no log', async () => {
    assertBuilt();
    // As systemd starts a unit: INVOCATION_ID set, stdout the journal.
    agent = spawn(process.execPath, [BIN, '--config', configPath, 'start', '--no-browser'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INVOCATION_ID: '0123456789abcdef0123456789abcdef' } });
    let stdout = '';
    agent.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    agent.stderr!.on('data', (d: Buffer) => (stdout += d.toString()));
    await expect.poll(() => stdout, { timeout: 30_000 }).toContain('Ctrl+C stops the agent.');

    const urlFile = join(dir, 'data', 'screen-url');
    expect(stdout).toContain(`screen:   one-time address in ${urlFile}`);
    expect(statSync(urlFile).mode & 0o777).toBe(0o600);
    const url = new URL(readFileSync(urlFile, 'utf8').trim());
    const ticket = url.hash.replace('#ticket=', '');
    expect(ticket).toMatch(/^[\w-]{32}$/);

    // Spend it, as the kiosk's page would: the agent logs the session, never its secrets.
    const token = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://${url.host}/contract`, ['cabinet-kiosk.v1', `ticket.${ticket}`], { origin: url.origin });
      ws.once('message', (data) => {
        ws.close();
        resolve(String((JSON.parse(data.toString()) as { token?: string }).token));
      });
      ws.once('error', reject);
    });
    expect(token).toMatch(/^[\w-]{32}$/);
    await expect.poll(() => readFileSync(urlFile, 'utf8').trim()).not.toBe(url.href);
    const next = new URL(readFileSync(urlFile, 'utf8').trim()).hash.replace('#ticket=', '');

    const exited = new Promise((resolve) => agent!.once('exit', resolve));
    agent.kill('SIGTERM');
    await exited;
    expect(existsSync(urlFile)).toBe(false);

    const logs = join(dir, 'data', 'logs');
    const logText = readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('\n');
    expect(logText).toContain('agent ready');
    for (const secret of [ticket, next, token]) {
      expect(stdout).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
    expect(stdout).not.toContain('#ticket=');
  });

  it('outside the journal (a terminal, a pipe) the banner gives a person the address itself', () => {
    const ui = { launchUrl: () => 'http://127.0.0.1:9/#ticket=abc', urlFile: '/var/lib/cabinet-kiosk/screen-url' };
    expect(screenLine(ui, false)).toBe('http://127.0.0.1:9/#ticket=abc  (good for one page)');
    expect(screenLine(ui, true)).toBe('one-time address in /var/lib/cabinet-kiosk/screen-url');
    expect(stdoutIsJournal({ INVOCATION_ID: 'x' })).toBe(true);
    expect(stdoutIsJournal({ JOURNAL_STREAM: '8:12345' })).toBe(true);
    expect(stdoutIsJournal({})).toBe(false);
  });
});

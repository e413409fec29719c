import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { callAgent } from '../../../src/main/control-protocol/client.js';

function tempConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'ck-agent-'));
  const config = loadConfig({ env: {}, cwd: dir });
  return { ...config, simulator: { ...config.simulator, transport: 'mock' as const, autoCloseMs: 100 }, supervision: { ...config.supervision, activePollMs: 30 } };
}

function raw(socketPath: string, path: string, body: string): Promise<{ status: number; json: { ok: boolean; error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'POST' }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a running agent (in-process simulator)', () => {
  const config = tempConfig();
  let running: RunningAgent;
  let logger: Awaited<ReturnType<typeof createLogger>>;

  beforeAll(async () => {
    logger = await createLogger(config, { stdout: false });
    running = await runAgent(config, logger, { jobs: true });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('never writes a typed code, a PIN or the secret to its rotating log file, and keeps error codes', async () => {
    const deposit = await callAgent(running.socketPath, 'deposit', { size: 'M' });
    expect(deposit.reached).toBe(true);
    const code = (deposit as { result: { ok: true; value: { code: string } } }).result.value.code;
    expect((await callAgent(running.socketPath, 'pickup', { code })).reached).toBe(true);
    logger.info({ typedCode: code, pin: '4321', secret: 'hunter2', nested: { typedCode: code }, err: { code: 'EADDRINUSE' } }, 'a careless log line');
    logger.flush();
    await new Promise((r) => setTimeout(r, 300));
    const logDir = join(config.dataDir, 'logs');
    const files = readdirSync(logDir);
    expect(files.some((f) => /^kiosk\.\d+\.log$/.test(f))).toBe(true);
    const text = files.map((f) => readFileSync(join(logDir, f), 'utf8')).join('');
    expect(text).toContain('a careless log line');
    expect(text).toContain('"control command"');
    expect(text).not.toContain(code);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('4321');
    // Error and refusal codes are not secrets: they stay readable.
    expect(text).toContain('"code":"EADDRINUSE"');
  });

  it('the control API refuses unknown commands, bad JSON, bad input and oversized bodies', async () => {
    expect(await raw(running.socketPath, '/v1/explode', '{}')).toMatchObject({ status: 400, json: { ok: false, error: { code: 'bad-request' } } });
    expect(await raw(running.socketPath, '/v1/pickup', '{nope')).toMatchObject({ status: 400, json: { ok: false, error: { code: 'bad-request', message: 'request body is not JSON' } } });
    const bad = await raw(running.socketPath, '/v1/deposit', JSON.stringify({ size: 'XXL' }));
    expect(bad.json.error?.code).toBe('bad-request');
    expect(bad.json.error?.message).toMatch(/^size:/);
    const huge = await raw(running.socketPath, '/v1/pickup', JSON.stringify({ code: 'x'.repeat(70_000) })).catch(() => ({ status: 413, json: { ok: false } }));
    expect(huge.json.ok).toBe(false);
  });
});

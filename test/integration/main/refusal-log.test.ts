import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, JsonLineProcess, runCli, startHeadlessAgent } from '../../helpers/cli.js';

/**
 * A wrong code typed at a real agent process: the log file must say
 * `code-invalid` (a run of them is a brute-force attempt) and never show
 * the digits typed, nor the real code.
 */
describe('the log of a wrong-code pickup', () => {
  let dir: string;
  let config: string;
  let agent: JsonLineProcess | undefined;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'ck-refusal-'));
    ({ agent, config } = await startHeadlessAgent(dir));
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('shows the refusal code and never the typed digits', async () => {
    const deposit = await runCli(['--config', config, '--json', 'deposit', '--size', 'M']);
    expect(deposit.code, deposit.stderr).toBe(0);
    const real = String((JSON.parse(deposit.stdout) as { code: string }).code);
    // Six digits that are not the real code and appear nowhere else in a log line (no timestamp or id holds them).
    const typed = real === '908172' ? '918273' : '908172';
    const wrong = await runCli(['--config', config, '--json', 'pickup', typed]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, error: { code: 'code-invalid' } });

    expect(await agent!.stop()).toBe(0);
    agent = undefined;
    const logs = join(dir, 'data', 'logs');
    const text = readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('');
    const refusals = text.split('\n').filter((l) => l.includes('control command refused')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refusals).toEqual([expect.objectContaining({ code: 'code-invalid', command: '/v1/pickup' })]);
    expect(text).not.toContain(typed);
    expect(text).not.toContain(real);
  });
});

import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, JsonLineProcess, runCli } from '../../helpers/cli.js';

/**
 * A fresh machine has no socat: `npm start` must still run the demo cabinet,
 * in-process behind @serialport/binding-mock, and say so.
 */
describe('start on a machine without socat, Electron or a display', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-nosocat-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const env = { PATH: bin };
  let agent: JsonLineProcess | undefined;
  afterAll(async () => {
    await agent?.stop();
  });

  it('falls back to the in-process simulator, says why, and serves the CLI', async () => {
    assertBuilt();
    // Run in the temp dir, on the embedded defaults, so the demo database lands there.
    agent = new JsonLineProcess(['start', '--json'], { ...env, CABINET_KIOSK_CONFIG: '' }, { cwd: dir });
    const ready = await agent.next((l) => l['event'] === 'ready').catch(async (err: Error) => {
      throw new Error(`${err.message}\n${agent?.stderr}`);
    });
    expect(String(ready['hardware'])).toMatch(/in-process mock port \(socat not found/);
    // No Electron binary and no display here: the screen is served in browser mode, and the reasons are said.
    expect(ready['ui']).toMatchObject({ shell: 'browser', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/#ticket=[\w-]{20,}$/), urlFile: join(dir, 'data', 'screen-url'), browser: null });
    expect((ready['fellBack'] as string[]).join('\n')).toMatch(/Electron window unavailable: no display[\s\S]*no kiosk browser opened: no display/);
    expect(ready['database']).toBe(join(dir, 'data', 'kiosk.db'));
    const r = await runCli(['--json', 'deposit', '--size', 'XL'], { ...env, CABINET_KIOSK_CONFIG: '' }, { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ size: 'XL' });
  });
});

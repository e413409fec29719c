import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from '../../helpers/cli.js';

/** `cabinet-kiosk start` on a fresh folder with this configuration. */
function startIn(dir: string, doc: Record<string, unknown>) {
  const config = join(dir, 'kiosk.json');
  writeFileSync(config, JSON.stringify({ simulator: { transport: 'mock' }, ...doc }));
  return runCli(['--config', config, 'start', '--ui', 'none']);
}

function expectOneLine(stderr: string, dir: string, reason: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]!.startsWith(`error [data-dir-unwritable]: cannot write ${dir}: `)).toBe(true);
  expect(lines[0]).toMatch(reason);
  expect(lines[0]).toMatch(/ — give the agent's user write access/);
  expect(stderr).not.toMatch(/^\s+at /m);
}

/** A data folder the agent cannot write: one line a person can act on, exit 3, no stack trace. */
describe('start with a data folder that cannot be written', () => {
  beforeAll(() => assertBuilt());

  it('a data folder below a regular file (ENOTDIR)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-unwritable-'));
    writeFileSync(join(dir, 'file'), '');
    const result = await startIn(dir, { dataDir: './file/data', database: './file/data/kiosk.db' });
    expect(result.code).toBe(3);
    expectOneLine(result.stderr, join(dir, 'file', 'data'), /ENOTDIR/);
    expect(result.stdout).toBe('');
  });

  it("a log file that cannot be opened (the logger's asynchronous open error)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-unwritable-'));
    // pino-roll carries on in the newest kiosk.N.log: a folder of that name fails SonicBoom's open later, as an 'error' event (EISDIR).
    mkdirSync(join(dir, 'data', 'logs', 'kiosk.1.log'), { recursive: true });
    const result = await startIn(dir, { database: './data/kiosk.db' });
    expect(result.code).toBe(3);
    expectOneLine(result.stderr, join(dir, 'data', 'logs'), /EISDIR/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listenPortFor } from '../../../src/main/ui/browser-ui.js';

describe('browser mode listens where it did before (a page keeps its origin and session token across an agent restart)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const portFile = (text?: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-port-'));
    dirs.push(dir);
    const file = join(dir, 'screen-port');
    if (text !== undefined) writeFileSync(file, text);
    return file;
  };

  it('a configured ui.port wins over the remembered one', () => {
    expect(listenPortFor(8123, portFile('41234\n'))).toBe(8123);
  });

  it('with ui.port 0, the port of the last run; none remembered, or a value that is no unprivileged port, takes a free one', () => {
    expect(listenPortFor(0, portFile('41234\n'))).toBe(41234);
    expect(listenPortFor(0, portFile())).toBe(0);
    for (const bad of ['', 'x', '80', '70000', '4.5', '-1']) expect(listenPortFor(0, portFile(bad)), bad).toBe(0);
  });
});

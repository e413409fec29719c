import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STORE = fileURLToPath(new URL('../../../src/store/', import.meta.url));
const ALLOWED_PACKAGES = new Set(['better-sqlite3', 'zod', 'uuid']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('src/store layering', () => {
  it.each(files(STORE).map((f) => relative(STORE, f)))('%s imports only node builtins, its libraries, itself and ../shared', (file) => {
    const source = readFileSync(join(STORE, file), 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);
    for (const spec of specifiers) {
      if (spec.startsWith('node:') || ALLOWED_PACKAGES.has(spec)) continue;
      expect(spec, `${file}: ${spec}`).toMatch(/^\.\.?\//);
      expect(spec, `${file}: relative imports end in .js`).toMatch(/\.js$/);
      const target = relative(STORE, join(STORE, file, '..', spec));
      expect(target.startsWith('..') ? target.startsWith(join('..', 'shared')) : true, `${file}: ${spec}`).toBe(true);
    }
  });

  it('has no module-level mutable state (no top-level let/var)', () => {
    for (const f of files(STORE)) expect(readFileSync(f, 'utf8'), f).not.toMatch(/^(?:export\s+)?(?:let|var)\s/m);
  });
});

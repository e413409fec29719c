import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ruleSet = require('../../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };
const root = fileURLToPath(new URL('../..', import.meta.url));

async function violations(baseDir: string, roots: string[] = ['src']): Promise<string[]> {
  const { tsConfig: _tsConfig, ...options } = ruleSet.options;
  const result = await cruise(roots, { ...options, ruleSet: { forbidden: ruleSet.forbidden } as never, validate: true, baseDir });
  const output = result.output as ICruiseResult;
  // An import the cruiser cannot resolve is an edge no rule can check: count it as a violation.
  const unresolved = output.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `unresolved: ${m.source} → ${d.module}`));
  return [...output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`), ...unresolved];
}

describe('layer map (docs/architecture.md §2)', () => {
  it('src/ and tools/ have no forbidden import', async () => {
    expect(await violations(root, ['src', 'tools'])).toEqual([]);
  });

  it('catches a driver importing the store, an impure shared module and a reach past src/cloud/index.ts', async () => {
    const found = await violations(fileURLToPath(new URL('../fixtures/layering-bad', import.meta.url)));
    expect(found).toContain('drivers-stays-in-its-lane: src/drivers/leaky.ts → src/store/thing.ts');
    expect(found.some((v) => v.startsWith('shared-is-pure: src/shared/impure.ts'))).toBe(true);
    expect(found).toContain('cloud-has-one-entry: src/main/deep.ts → src/cloud/vendor/client.ts');
    expect(found.filter((v) => v.includes('src/cloud/index.ts'))).toEqual([]);
  });
});

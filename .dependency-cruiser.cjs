/**
 * The layer map of ARCHITECTURE.md, enforced: drivers, store and cloud never
 * import one another; shared is pure (zod only); the renderer sees only shared.
 * `test/unit/layering.test.ts` runs this inside `npm test`.
 */
const layers = ['drivers', 'store', 'cloud'];

module.exports = {
  forbidden: [
    ...layers.map((layer) => ({
      name: `${layer}-stays-in-its-lane`,
      comment: `src/${layer} may import only src/shared and its own libraries; src/main wires the layers together.`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(?!shared/|${layer}/)` },
    })),
    {
      name: 'mock-cloud-speaks-only-wire-formats',
      comment: 'The mock vendor clouds reuse the wire formats of src/cloud (signers, schemas) and nothing of the agent.',
      severity: 'error',
      from: { path: '^src/mock-cloud/' },
      to: { path: '^src/(?!shared/|cloud/|mock-cloud/)' },
    },
    {
      name: 'shared-is-pure',
      comment: 'src/shared holds pure types and zod schemas: no node:, no Electron, no DOM, no other layer.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { pathNot: ['^src/shared/', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'renderer-sees-only-shared',
      comment: 'The renderer talks to main through the contract in src/shared only.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(?!shared/|renderer/)' },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular-layers',
      severity: 'error',
      from: { path: '^src/(drivers|store|cloud|shared)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Sources import '.js' (NodeNext); the files are .ts, .cts or .tsx.
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.cjs': ['.cts', '.cjs'] } },
  },
};

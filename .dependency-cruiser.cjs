/**
 * The layer map of docs/architecture.md §2, enforced: drivers, store and cloud never
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
      name: 'cloud-has-one-entry',
      comment:
        'Outside src/cloud, the cloud layer is imported through src/cloud/index.ts only: src/main wires what it exports, and the mock clouds (tools/mock-cloud) take the wire formats it re-exports for them. Inside src/cloud, modules import one another directly.',
      severity: 'error',
      from: { path: '^(src|tools)/', pathNot: '^src/cloud/' },
      to: { path: '^src/cloud/', pathNot: '^src/cloud/index\\.ts$' },
    },
    {
      name: 'mock-cloud-speaks-only-wire-formats',
      comment:
        'The mock vendor clouds (tools/mock-cloud) reuse the wire formats of src/cloud (signers, schemas) and nothing of the agent. ' +
        'One exception: its entry point (main.ts, command.ts) reads the agent\'s own configuration file with src/main/config, so the demo mock plays the vendors the agent is configured for.',
      severity: 'error',
      from: { path: '^tools/mock-cloud/' },
      to: { path: '^(src/(?!shared/|cloud/|main/config/)|tools/(?!mock-cloud/))' },
    },
    {
      name: 'mock-cloud-reads-only-the-config',
      comment: 'Only the entry point of the mock cloud (main.ts, command.ts) reads the agent configuration.',
      severity: 'error',
      from: { path: '^tools/mock-cloud/', pathNot: '^tools/mock-cloud/(main|command)\\.ts$' },
      to: { path: '^src/main/' },
    },
    {
      name: 'core-takes-narrow-ports',
      comment: 'src/core holds the business flows: it sees src/shared, src/store and only the types of src/drivers, never src/main, src/cloud or an adapter.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!shared/|store/|core/|drivers/)' },
    },
    {
      name: 'core-sees-only-driver-types',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/drivers/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'adapters-do-not-import-one-another',
      comment: 'src/main is the composition root: its adapters (ui, electron, cli, control) are wired together by the root files, never by each other.',
      severity: 'error',
      from: { path: '^src/main/(ui|electron|cli|control)/' },
      to: { path: '^src/main/(ui|electron|cli|control)/', pathNot: '^src/main/$1/' },
    },
    {
      name: 'product-never-imports-tools',
      comment: 'tools/ (mock clouds, load generators) is for development: nothing under src imports it, and the package leaves it out.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^tools/' },
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
      from: { path: '^src/(drivers|store|cloud|shared|core)/' },
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

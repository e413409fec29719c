// ESLint, type-aware, over src/, test/, bench/ and tools/ (run by `npm test`
// through `npm run lint`). The rule set is kept small on purpose: each rule
// here finds a real bug class that `tsc --strict` does not, and none is a
// matter of style, so a finding is always worth a fix rather than a disable.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test/fixtures/electron-insecure/**', 'test-results/**'] },
  {
    files: ['**/*.ts', '**/*.cts', '**/*.mts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // Node code (src, test, bench, tools) and the renderer (DOM, JSX) are
        // two TypeScript programs; each file is checked in the one that owns it.
        project: ['./tsconfig.eslint.json', './tsconfig.renderer.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A switch over a union (an event kind, a protocol, a result) must name
      // every member or have a default: a member added later is otherwise
      // silently ignored at run time.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // A promise nobody awaits loses its rejection (an unhandled rejection
      // kills the agent) and its ordering; `void` marks the intended
      // fire-and-forget ones.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (an event
      // handler, a timer, forEach): its rejection has no handler.
      '@typescript-eslint/no-misused-promises': 'error',
      // Awaiting a value that is not a promise is almost always a missing call
      // or a wrong type; an await in a try of a returned promise keeps the
      // catch/finally in force.
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      // Dead imports, locals and parameters hide refactoring leftovers
      // (a result computed and never used). `_`-prefixed names are the
      // deliberate exceptions.
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Cheap correctness rules from eslint:recommended that tsc does not
      // cover: each one flags code that cannot do what it says.
      'no-async-promise-executor': js.configs.recommended.rules['no-async-promise-executor'],
      'no-unsafe-finally': 'error',
      'no-self-compare': 'error',
      'no-self-assign': 'error',
      'no-constant-binary-expression': 'error',
      'no-unsafe-optional-chaining': 'error',
      'use-isnan': 'error',
      'no-empty-pattern': 'error',
      'no-sparse-arrays': 'error',
      'no-cond-assign': 'error',
      'no-debugger': 'error',
    },
  },
);

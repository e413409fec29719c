#!/usr/bin/env node
// Bundles the compiled CLI and agent (dist/main/cli/index.js and everything it
// imports from dist/, plus the pure-JavaScript packages) into one file, dist/main/cli/agent.js,
// which bin/cabinet-kiosk.js runs. Cold start is mostly module resolution: the
// agent's ~300 files and zod's ~100 took about a third of `start` → ready
// (the ui_ready figure of `npm run bench -- ui`). Packages with native code,
// worker files or optional native add-ons stay external and load from
// node_modules as before; mqtt is loaded only when a fleet broker is set.
//
// The bundle sits in dist/main/cli/ so that paths built from import.meta.url
// ('../../renderer/', '../electron/main.js') resolve as they do from dist/main/*/.
// The Electron shell keeps loading dist/main/ unbundled.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

await build({
  entryPoints: [dist('main/cli/index.js')],
  outfile: dist('main/cli/agent.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Readable stack traces in crash reports: names and lines as compiled by tsc.
  minify: false,
  external: ['better-sqlite3', 'serialport', '@serialport/*', 'pino', 'mqtt', 'ws', 'tar'],
  // CommonJS packages inside an ESM bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});

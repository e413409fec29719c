#!/usr/bin/env node
// Runs the compiled CLI, bundled into one file (dist/main/cli/agent.js, built by
// `npm run build`, which `npm ci` runs through `prepare`; scripts/bundle-agent.mjs says why).
import { existsSync } from 'node:fs';

// First thing: every file, folder and socket the agent creates is private to
// its user, whoever starts it (src/main/data-dir.ts says why; it also sets
// explicit modes where it creates files, for libraries that ignore the mask).
process.umask(0o077);

const entry = new URL('../dist/main/cli/agent.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error [internal]: dist/ is missing — run `npm run build` (npm ci does it) and try again\n');
  process.exit(3);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
process.exitCode = code;
// A library handle left open must not keep a finished command alive; unref'd,
// this only fires when something else still holds the event loop.
setTimeout(() => process.exit(code), 1500).unref();

#!/usr/bin/env node
// The npm registry reachable here serves only the Linux builds of rollup's
// platform packages, so `npm install` leaves the others out of
// package-lock.json, and `npm ci` then refuses the lockfile ("Missing:
// @rollup/rollup-… from lock file", npm/cli#4828). This adds an entry, with
// its os/cpu/libc, for each one missing; npm skips them on this platform.
// Run after any `npm install` that rewrites the lockfile.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pkgs = lock.packages;
const rollup = pkgs['node_modules/rollup'];
let added = 0;
for (const [name, version] of Object.entries(rollup?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (pkgs[key]) continue;
  const [os, cpu, variant] = name.split('/rollup-')[1].split('-');
  const entry = { version, cpu: [cpu], dev: true, license: 'MIT', optional: true, os: [os] };
  if (os === 'linux' && variant) entry.libc = [variant.includes('musl') ? 'musl' : 'glibc'];
  pkgs[key] = entry;
  added++;
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} missing optional rollup entr${added === 1 ? 'y' : 'ies'} added`);

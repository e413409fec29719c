#!/usr/bin/env node
// Builds the agent's Debian package, cabinet-kiosk_<version>-1_<arch>.deb:
// the agent and its CLI on the system's Node.js (no Electron), from dist/
// (run `npm run build` first; `npm run dist:deb` does both) and the production
// node_modules as installed here — better-sqlite3 and @serialport/bindings-cpp
// are native modules built for this machine's Node.js and architecture, so
// the package is for this architecture and this Node.js major (Depends says so).
//
//   node scripts/build-deb.mjs [--out <dir>]     default: release/
//
// Prints one JSON line: { deb, bytes, installedKiB, files }.
// Needs dpkg-deb and dpkg-shlibdeps (package dpkg-dev) and strip (binutils).
// The Electron shell is not in this package: electron-builder builds it
// where Electron can be downloaded (docs/INSTALL.md).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = 'cabinet-kiosk';
const APP = `usr/lib/${PKG}`;

/**
 * Production packages that the running agent never loads: the fonts are read
 * by the renderer's build (vite puts what the screen uses into dist/renderer),
 * and type declarations are for the compiler.
 */
const NOT_AT_RUNTIME = [/^@fontsource\//, /^@types\//, /^undici-types$/];

/** Inside a package: sources and build leftovers of the native modules, docs, maps, type declarations. */
function keepInPackage(name, rel) {
  const parts = rel.split(sep);
  const file = parts.at(-1);
  if (/\.(map|md|markdown|html|d\.ts|d\.mts|d\.cts|gyp|gypi|cc|cpp|c|h|hpp|mk|o|a)$/i.test(file) && !/^licen[cs]e/i.test(file)) return false;
  if (['test', 'tests', '__tests__', 'fixture', 'fixtures', 'example', 'examples', 'benchmark', 'docs'].includes(parts[0])) return false;
  // Dot files and folders: the package's git hooks, CI and editor settings.
  if (parts.some((part) => part.startsWith('.'))) return false;
  if (name === 'better-sqlite3') {
    // deps/ is the SQLite amalgamation, src/ the C++ sources, build/ the
    // compile: only the module itself runs.
    if (parts[0] === 'deps' || parts[0] === 'src') return false;
    if (parts[0] === 'build') return rel === join('build', 'Release', 'better_sqlite3.node') || rel === 'build' || rel === join('build', 'Release');
  }
  if (name === '@serialport/bindings-cpp') {
    if (parts[0] === 'src' || parts[0] === 'build') return false;
    // N-API prebuilds for every platform: keep this machine's (glibc: Debian).
    const here = `${process.platform}-${process.arch}`;
    if (parts[0] === 'prebuilds' && parts.length > 1 && parts[1] !== here) return false;
    if (parts[0] === 'prebuilds' && parts.length > 2 && !file.includes('glibc')) return false;
  }
  return true;
}

function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`${cmd} is missing: ${HINTS[cmd] ?? `install ${cmd}`}`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).toString().trim()}`);
  }
}
const HINTS = {
  'dpkg-deb': 'apt-get install dpkg',
  'dpkg-shlibdeps': 'apt-get install dpkg-dev',
  strip: 'apt-get install binutils',
  npm: 'install Node.js with npm',
};

function parseArgs(argv) {
  const out = { out: join(ROOT, 'release') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out.out = argv[++i];
    else throw new Error(`usage: build-deb.mjs [--out <dir>] (unexpected ${argv[i]})`);
  }
  return out;
}

/** The production dependency folders, as npm resolved them in node_modules (nested ones included). */
function productionPackages() {
  const lines = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT }).split('\n').filter(Boolean);
  const dirs = [...new Set(lines.slice(1))];
  return dirs
    .map((dir) => ({ dir, rel: relative(ROOT, dir), name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name }))
    .filter((p) => p.rel.startsWith(`node_modules${sep}`) && !NOT_AT_RUNTIME.some((re) => re.test(p.name)));
}

function stageNodeModules(stage) {
  const pkgs = productionPackages();
  for (const p of pkgs) {
    const dest = join(stage, APP, p.rel);
    cpSync(p.dir, dest, {
      recursive: true,
      dereference: false,
      filter: (src) => {
        const rel = relative(p.dir, src);
        if (rel === '') return true;
        // Nested node_modules are listed (and copied) on their own.
        if (rel.split(sep)[0] === 'node_modules') return false;
        return keepInPackage(p.name, rel);
      },
    });
  }
  return pkgs;
}

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    out.push(p);
    if (entry.isDirectory()) walk(p, out);
  }
  return out;
}

function isElf(file) {
  const b = readFileSync(file).subarray(0, 4);
  return b.length === 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** 0755 for folders and scripts (a "#!" line: the packages' own CLIs), 0644 for the rest, shared objects included. */
function normalizeModes(stage) {
  for (const p of walk(stage)) {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) chmodSync(p, 0o755);
    else chmodSync(p, readFileSync(p).subarray(0, 2).toString('latin1') === '#!' ? 0o755 : 0o644);
  }
}

/** Folders that pruning left empty, deepest first. */
function removeEmptyDirs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeEmptyDirs(join(dir, entry.name));
  if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}

/** Debian copyright-format 1.0: ours, then one stanza per bundled package, then each license's text once. */
function copyrightFile(pkg, pkgs, stage) {
  const contact = typeof pkg.author === 'object' ? `${pkg.author.name} <${pkg.author.email}>` : String(pkg.author ?? 'cabinet-kiosk maintainers');
  const texts = new Map();
  const indent = (t) =>
    t
      .replace(/\r/g, '')
      .trim()
      .split('\n')
      .map((l) => (l.trim() === '' ? ' .' : ` ${l.trimEnd()}`))
      .join('\n');
  const stanzas = [
    [
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
      `Upstream-Name: ${PKG}`,
      `Upstream-Contact: ${contact}`,
      `Source: ${pkg.homepage}`,
    ].join('\n'),
    ['Files: *', 'Copyright: cabinet-kiosk authors', 'License: proprietary'].join('\n'),
  ];
  texts.set('proprietary', ' All rights reserved. This software is not licensed for use, copying or\n distribution outside the cabinet-kiosk project without its authors\' written\n permission.');
  for (const p of [...pkgs].sort((a, b) => a.rel.localeCompare(b.rel))) {
    const meta = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8'));
    const raw = typeof meta.license === 'string' ? meta.license : (meta.license?.type ?? meta.licenses?.[0]?.type ?? 'unknown');
    const ids = raw.replace(/[()]/g, '').split(/\s+OR\s+/i).map((s) => s.trim());
    const licenseFile = readdirSync(join(stage, APP, p.rel)).find((f) => /^licen[cs]e/i.test(f));
    const licenseText = licenseFile ? readFileSync(join(stage, APP, p.rel, licenseFile), 'utf8') : '';
    const holders = [...new Set([...licenseText.matchAll(/^\s*Copyright\b[^\S\n]*(.*)$/gim)].map((m) => m[1].replace(/^(\(c\)|©)\s*/i, '').trim()).filter(Boolean))];
    const author = typeof meta.author === 'string' ? meta.author : meta.author?.name;
    const copyright = holders.length ? holders.join('\n ') : (author ?? `the authors of ${meta.name}`);
    for (const id of ids) {
      if (texts.has(id)) continue;
      if (id === 'Apache-2.0') texts.set(id, ' On Debian systems, the complete text of the Apache License 2.0 is in\n /usr/share/common-licenses/Apache-2.0.');
      else if (licenseText) texts.set(id, indent(licenseText));
    }
    stanzas.push([`Files: ${APP}/${p.rel.split(sep).join('/')}/*`, `Copyright: ${copyright}`, `License: ${ids.join(' or ')}`].join('\n'));
  }
  for (const [id, text] of texts) stanzas.push(`License: ${id}\n${text}`);
  const missing = pkgs.flatMap((p) => {
    const meta = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8'));
    const raw = typeof meta.license === 'string' ? meta.license : (meta.license?.type ?? 'unknown');
    return raw.replace(/[()]/g, '').split(/\s+OR\s+/i).filter((id) => !texts.has(id.trim())).map((id) => `${meta.name}: ${id}`);
  });
  if (missing.length) throw new Error(`no license text found for ${missing.join(', ')}: add the text to build-deb.mjs`);
  return stanzas.join('\n\n') + '\n';
}

/** The shared libraries the native modules link, as Debian dependencies (dpkg-shlibdeps). */
function shlibDepends(stage, elfs) {
  const work = mkdtempSync(join(tmpdir(), 'ck-shlibs-'));
  try {
    mkdirSync(join(work, 'debian'));
    writeFileSync(join(work, 'debian', 'control'), `Source: ${PKG}\n\nPackage: ${PKG}\nArchitecture: any\n`);
    const out = run('dpkg-shlibdeps', ['-O', ...elfs.map((f) => `-e${join(stage, f)}`)], { cwd: work });
    const m = /^shlibs:Depends=(.*)$/m.exec(out);
    return m ? m[1].split(/,\s*/).filter(Boolean) : [];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The native modules are built for this Node.js's ABI: the same major, at least the version package.json asks for. */
function nodeDepends(pkg) {
  const major = Number(process.versions.node.split('.')[0]);
  const floor = /^>=\s*(\d+)\.(\d+)/.exec(pkg.engines?.node ?? '');
  const min = floor && Number(floor[1]) === major ? `${floor[1]}.${floor[2]}` : `${major}`;
  return [`nodejs (>= ${min})`, `nodejs (<< ${major + 1})`];
}

export function buildDeb({ out }) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  if (!existsSync(join(ROOT, 'dist', 'main', 'cli', 'index.js')) || !existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) {
    throw new Error('dist/ is missing or incomplete: run `npm run build` first (`npm run dist:deb` does)');
  }
  const arch = run('dpkg', ['--print-architecture']).trim();
  const version = `${pkg.version}-1`;
  const stage = mkdtempSync(join(tmpdir(), 'ck-deb-'));
  try {
    const app = join(stage, APP);
    mkdirSync(app, { recursive: true });
    // package.json: "type": "module" for the ESM files, the version for `--version`.
    const runtimePkg = { name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, private: true, type: pkg.type, engines: pkg.engines };
    writeFileSync(join(app, 'package.json'), JSON.stringify(runtimePkg, null, 2) + '\n');
    cpSync(join(ROOT, 'bin', 'cabinet-kiosk.js'), join(app, 'bin', 'cabinet-kiosk.js'));
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    const pkgs = stageNodeModules(stage);

    const put = (from, to) => {
      mkdirSync(dirname(join(stage, to)), { recursive: true });
      copyFileSync(join(ROOT, from), join(stage, to));
    };
    const gz = (from, to) => {
      mkdirSync(dirname(join(stage, to)), { recursive: true });
      writeFileSync(join(stage, to), gzipSync(readFileSync(join(ROOT, from)), { level: 9 }));
    };
    put('build/deb/cabinet-kiosk', 'usr/bin/cabinet-kiosk');
    put('build/deb/screen', `usr/libexec/${PKG}/screen`);
    put('build/linux/cabinet-kiosk-agent.service', 'usr/lib/systemd/system/cabinet-kiosk-agent.service');
    put('build/linux/cabinet-kiosk-screen.service', 'usr/lib/systemd/system/cabinet-kiosk-screen.service');
    put('build/linux/cabinet-kiosk-apply-config.path', 'usr/lib/systemd/system/cabinet-kiosk-apply-config.path');
    put('build/linux/cabinet-kiosk-apply-config.service', 'usr/lib/systemd/system/cabinet-kiosk-apply-config.service');
    put('build/linux/99-cabinet-kiosk.rules', 'usr/lib/udev/rules.d/99-cabinet-kiosk.rules');
    put('resources/config.default.yaml', `usr/share/${PKG}/config.default.yaml`);
    put('build/deb/lintian-overrides', `usr/share/lintian/overrides/${PKG}`);
    gz('build/deb/changelog', `usr/share/doc/${PKG}/changelog.Debian.gz`);
    gz('docs/INSTALL.md', `usr/share/doc/${PKG}/INSTALL.md.gz`);
    gz('build/deb/cabinet-kiosk.1', 'usr/share/man/man1/cabinet-kiosk.1.gz');
    writeFileSync(join(stage, `usr/share/doc/${PKG}/copyright`), copyrightFile(pkg, pkgs, stage));

    // Native modules: stripped of debugging symbols (the package is not for debugging them).
    const elfs = walk(stage)
      .filter((p) => statSync(p).isFile() && isElf(p))
      .map((p) => relative(stage, p));
    for (const f of elfs) run('strip', ['--strip-unneeded', '--remove-section=.comment', '--remove-section=.note', join(stage, f)]);
    removeEmptyDirs(join(stage, APP));
    normalizeModes(stage);

    const files = walk(stage).filter((p) => lstatSync(p).isFile());
    const installedKiB = files.reduce((n, p) => n + Math.ceil(lstatSync(p).size / 1024), 0) + walk(stage).length - files.length;
    const depends = ['adduser', ...nodeDepends(pkg), ...shlibDepends(stage, elfs)];
    const control = [
      `Package: ${PKG}`,
      `Version: ${version}`,
      `Architecture: ${arch}`,
      `Maintainer: ${pkg.author.name} <${pkg.author.email}>`,
      `Installed-Size: ${installedKiB}`,
      `Depends: ${depends.join(', ')}`,
      // The screen: Chromium in kiosk mode unless the Electron shell's package is installed.
      'Recommends: chromium',
      'Section: misc',
      'Priority: optional',
      `Homepage: ${pkg.homepage}`,
      'Description: edge agent of a smart parcel cabinet',
      ' The agent service of a parcel locker: it drives the lock boards over',
      ' RS-485 serial, keeps parcels and an offline outbox in SQLite, syncs with',
      ' the vendor clouds and serves the touchscreen, which runs as another user',
      ' (Chromium in kiosk mode, or the Electron shell from its own package).',
      '',
    ].join('\n');
    const debian = join(stage, 'DEBIAN');
    mkdirSync(debian, { mode: 0o755 });
    writeFileSync(join(debian, 'control'), control);
    writeFileSync(
      join(debian, 'md5sums'),
      files
        .map((p) => `${createHash('md5').update(readFileSync(p)).digest('hex')}  ${relative(stage, p).split(sep).join('/')}\n`)
        .sort((a, b) => a.slice(34).localeCompare(b.slice(34)))
        .join(''),
    );
    chmodSync(join(debian, 'control'), 0o644);
    chmodSync(join(debian, 'md5sums'), 0o644);
    for (const script of ['postinst', 'prerm', 'postrm']) {
      copyFileSync(join(ROOT, 'build', 'deb', script), join(debian, script));
      chmodSync(join(debian, script), 0o755);
    }

    mkdirSync(out, { recursive: true });
    const deb = join(out, `${PKG}_${version}_${arch}.deb`);
    run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb]);
    return { deb, bytes: statSync(deb).size, installedKiB, files: files.length };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && basename(process.argv[1]) === basename(fileURLToPath(import.meta.url))) {
  try {
    const result = buildDeb(parseArgs(process.argv.slice(2)));
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (err) {
    process.stderr.write(`build-deb: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

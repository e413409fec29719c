'use strict';
/**
 * electron-builder hooks (electron-builder.yml `beforePack` and `afterPack`):
 * the native modules of each packed platform/arch are built for Electron, and
 * checked, in the packaging step; the project's node_modules keep their
 * Node.js builds for `npm test` and `npm start`.
 *
 * Why not electron-builder's own step (`npmRebuild: true`, which runs
 * @electron/rebuild over every native module in node_modules, like
 * `electron-builder install-app-deps`): @electron/rebuild looks for N-API
 * prebuilds named `prebuilds/<platform>-<arch>/node.napi.node`, while
 * @serialport/bindings-cpp ships them as `@serialport+bindings-cpp.glibc.node`.
 * It does not see them and compiles the module with the build machine's
 * compiler, so an arm64 or a Windows package built on x64 Linux would carry an
 * x64 ELF build/Release/bindings.node, which node-gyp-build loads before any
 * prebuild (serialport/node-serialport#2619). And it rebuilds node_modules in
 * place, leaving Electron binaries behind for the tests.
 *
 * beforePack, per platform/arch:
 *   - better-sqlite3 (V8 ABI) is rebuilt with @electron/rebuild in a staging
 *     copy: the prebuilt binary for Electron's ABI, the platform and the arch
 *     (prebuild-install), or a compile where there is none (which only works
 *     for the build machine's own platform and arch);
 *   - the result must be a binary for that platform and arch (ELF/PE machine
 *     type) registering Electron's NODE_MODULE_VERSION, or the build stops;
 *   - it takes the place of node_modules/better-sqlite3's binary while
 *     electron-builder copies node_modules into the app;
 *   - @serialport/bindings-cpp keeps its N-API prebuilds (they load in Node
 *     and Electron alike); one must exist for the target. Its build/ folder is
 *     never packed (electron-builder.yml `files`).
 * afterPack (or the end of the process, when packing failed) puts the Node.js
 * binary back.
 */
const { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

const ELF_MACHINE = { ia32: 3, x64: 62, armv7l: 40, arm64: 183 };
const PE_MACHINE = { ia32: 0x14c, x64: 0x8664, arm64: 0xaa64 };
/** node-gyp-build's folder names (prebuilds/<platform>-<arch>). */
const PREBUILD_ARCH = { ia32: 'ia32', x64: 'x64', armv7l: 'arm', arm64: 'arm64' };
const SQLITE_BINARY = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/** electron-builder's own copies of builder-util and @electron/rebuild. */
function builderRequire() {
  const fromBuilder = createRequire(require.resolve('electron-builder/package.json'));
  return createRequire(fromBuilder.resolve('app-builder-lib/package.json'));
}

/**
 * Throws unless `file` is a native module for `platform`/`arch` (ELF or PE
 * machine type) and, when `abi` is given, registers itself for that
 * NODE_MODULE_VERSION (its `node_register_module_v<abi>` symbol).
 */
function checkNativeBinary(file, { platform, arch, abi }) {
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  const buf = readFileSync(file);
  let machine;
  let expected;
  if (platform === 'linux') {
    if (buf.length < 20 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file: not a Linux build`);
    machine = buf[5] === 2 ? buf.readUInt16BE(18) : buf.readUInt16LE(18);
    expected = ELF_MACHINE[arch];
  } else if (platform === 'win32') {
    const pe = buf.length >= 0x40 && buf.toString('latin1', 0, 2) === 'MZ' ? buf.readUInt32LE(0x3c) : -1;
    if (pe < 0 || buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error(`${file} is not a PE file: not a Windows build`);
    machine = buf.readUInt16LE(pe + 4);
    expected = PE_MACHINE[arch];
  } else {
    throw new Error(`no binary check for platform ${platform}`);
  }
  if (expected === undefined) throw new Error(`no binary check for ${platform}-${arch}`);
  if (machine !== expected) {
    throw new Error(`${file} is built for machine type ${machine}, not ${platform}-${arch} (${expected}): compiled on this machine instead of downloaded for the target?`);
  }
  if (abi !== undefined && !buf.includes(`node_register_module_v${abi}`)) {
    const found = /node_register_module_v(\d+)/.exec(buf.toString('latin1'));
    throw new Error(`${file} is built for NODE_MODULE_VERSION ${found ? found[1] : '(unknown)'}, Electron needs ${abi}`);
  }
}

/** The @serialport/bindings-cpp N-API prebuilds node-gyp-build can load on the target (glibc ones on Linux); throws when there is none. */
function checkSerialportPrebuild(moduleDir, { platform, arch }) {
  const dir = join(moduleDir, 'prebuilds', `${platform}-${PREBUILD_ARCH[arch] ?? arch}`);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
  const usable = files.filter((f) => platform !== 'linux' || !f.includes('.musl.'));
  if (usable.length === 0) throw new Error(`@serialport/bindings-cpp has no prebuild for ${platform}-${arch} in ${dir}`);
  return usable;
}

/** The binary electron-builder is about to pack, and where the project's own one waits meanwhile. */
let swapped = null;

function restoreNodeBinary() {
  if (!swapped) return;
  const { target, backup, stage } = swapped;
  swapped = null;
  // rm first: the packed copy may be a hard link to the file we replace.
  rmSync(target, { force: true });
  if (backup) copyFileSync(backup, target);
  rmSync(stage, { recursive: true, force: true });
}
process.once('exit', restoreNodeBinary);

/** A project in a temp folder holding a copy of better-sqlite3 (its dependencies linked), for @electron/rebuild. */
function stageBetterSqlite(nodeModules) {
  const stage = mkdtempSync(join(tmpdir(), 'cabinet-kiosk-natives-'));
  const source = join(nodeModules, 'better-sqlite3');
  const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'cabinet-kiosk-natives', version: '0.0.0', private: true, dependencies: { 'better-sqlite3': pkg.version } }));
  const staged = join(stage, 'node_modules', 'better-sqlite3');
  cpSync(source, staged, { recursive: true, filter: (src) => src !== join(source, 'build') });
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const from = join(nodeModules, dep);
    const to = join(stage, 'node_modules', dep);
    if (!existsSync(from) || existsSync(to)) continue;
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(from, to, 'junction');
  }
  return stage;
}

async function beforePack(context) {
  restoreNodeBinary();
  const req = builderRequire();
  const { Arch, log } = req('builder-util');
  const info = context.packager.info;
  const platform = context.electronPlatformName;
  const arch = Arch[context.arch];
  const electronVersion = info.framework.version;
  const rebuildEntry = req.resolve('@electron/rebuild');
  const { rebuild } = await import(pathToFileURL(rebuildEntry).href);
  const abi = createRequire(rebuildEntry)('node-abi').getAbi(electronVersion, 'electron');
  const nodeModules = join(info.appDir, 'node_modules');

  log.info({ platform, arch, electron: electronVersion, abi }, 'building better-sqlite3 for Electron');
  const stage = stageBetterSqlite(nodeModules);
  // An npm `nodedir` setting (headers of the local Node.js, for offline
  // node-gyp builds) would make a compile fallback build for Node's ABI.
  const nodedirEnv = Object.keys(process.env).filter((k) => k.toLowerCase() === 'npm_config_nodedir');
  const savedEnv = nodedirEnv.map((k) => [k, process.env[k]]);
  for (const k of nodedirEnv) delete process.env[k];
  try {
    await rebuild({
      buildPath: stage,
      projectRootPath: stage,
      electronVersion,
      platform,
      arch,
      onlyModules: ['better-sqlite3'],
      force: true,
      mode: 'sequential',
      buildFromSource: info.config.buildDependenciesFromSource === true,
      disablePreGypCopy: true,
    });
    checkNativeBinary(join(stage, 'node_modules', SQLITE_BINARY), { platform, arch, abi });
  } catch (err) {
    rmSync(stage, { recursive: true, force: true });
    throw err;
  } finally {
    for (const [k, v] of savedEnv) process.env[k] = v;
  }
  const serialport = checkSerialportPrebuild(join(nodeModules, '@serialport', 'bindings-cpp'), { platform, arch });

  const target = join(nodeModules, SQLITE_BINARY);
  const backup = existsSync(target) ? join(stage, 'node-build.node') : null;
  if (backup) copyFileSync(target, backup);
  swapped = { target, backup, stage };
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { force: true });
  copyFileSync(join(stage, 'node_modules', SQLITE_BINARY), target);
  log.info({ platform, arch, serialport: serialport.join(', ') }, 'native modules ready for Electron');
}

async function afterPack() {
  restoreNodeBinary();
}

exports.beforePack = beforePack;
exports.afterPack = afterPack;
exports.checkNativeBinary = checkNativeBinary;
exports.checkSerialportPrebuild = checkSerialportPrebuild;
exports.stageBetterSqlite = stageBetterSqlite;

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/main/config/load-config.js';

/**
 * The packaging configuration (electron-builder.yml, build/**, the packaged
 * default config). Nothing here builds a package: the Electron binary cannot
 * be downloaded in tests. It checks what electron-builder would check first
 * (its own JSON schema), then what the kiosk depends on.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const at = (p: string) => join(root, p);
const read = (p: string) => readFileSync(at(p), 'utf8');

type Pattern = string | { from?: string; to?: string; filter?: string | string[] };
interface TargetEntry {
  target: string;
  arch?: string | string[];
}
interface BuilderConfig {
  productName?: string;
  executableName?: string;
  asar?: boolean;
  files?: Pattern[];
  asarUnpack?: string[];
  npmRebuild?: boolean;
  beforePack?: string;
  afterPack?: string;
  buildDependenciesFromSource?: boolean;
  extraResources?: Pattern[];
  electronFuses?: Record<string, boolean>;
  linux?: { target?: Array<string | TargetEntry>; extraResources?: Pattern[] };
  deb?: { packageName?: string; afterInstall?: string; afterRemove?: string; fpm?: string[]; depends?: string[] };
  win?: { target?: Array<string | TargetEntry>; extraResources?: Pattern[] };
  nsis?: { oneClick?: boolean; perMachine?: boolean; include?: string; runAfterFinish?: boolean };
}

const config = parseYaml(read('electron-builder.yml')) as BuilderConfig;

interface NativeTarget {
  platform: string;
  arch: string;
  abi?: string;
}
const nativeHooks = createRequire(import.meta.url)(at('build/native-modules.cjs')) as {
  beforePack: unknown;
  afterPack: unknown;
  checkNativeBinary(file: string, target: NativeTarget): void;
  checkSerialportPrebuild(moduleDir: string, target: NativeTarget): string[];
};
const pkg = JSON.parse(read('package.json')) as { main?: string; homepage?: string; author?: string | { email?: string } };

// ajv and minimatch exactly as electron-builder resolves them: from app-builder-lib.
const requireFromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
const appBuilderLibPkg = requireFromBuilder.resolve('app-builder-lib/package.json');
const requireFromAppBuilderLib = createRequire(appBuilderLibPkg);

interface AjvError {
  instancePath: string;
  message?: string;
}
interface ValidateFn {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}
type AjvCtor = new (opts: Record<string, unknown>) => { compile(schema: unknown): ValidateFn };
const Ajv = (requireFromAppBuilderLib('ajv') as { default: AjvCtor }).default;
const { minimatch } = requireFromAppBuilderLib('minimatch') as { minimatch: (path: string, pattern: string, opts?: { dot?: boolean }) => boolean };

/** electron-builder's own validation (app-builder-lib/out/util/config/schemaValidator.js uses these options). */
function builderSchemaValidator(): ValidateFn {
  const schema = JSON.parse(readFileSync(join(dirname(appBuilderLibPkg), 'scheme.json'), 'utf8')) as unknown;
  return new Ajv({ allErrors: true, verbose: true, coerceTypes: true, strict: false }).compile(schema);
}

function targets(list: Array<string | TargetEntry> | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of list ?? []) {
    const entry = typeof t === 'string' ? { target: t } : t;
    const arch = entry.arch === undefined ? [] : Array.isArray(entry.arch) ? entry.arch : [entry.arch];
    out.set(entry.target, [...(out.get(entry.target) ?? []), ...arch]);
  }
  return out;
}

const mappings = (list: Pattern[] | undefined) => (list ?? []).filter((p): p is { from: string; to?: string } => typeof p === 'object' && !!p.from);

/** electron-builder's `files` semantics for plain patterns: included when a pattern matches and no later "!" pattern does. */
function isPacked(file: string): boolean {
  let packed = false;
  for (const p of config.files ?? []) {
    if (typeof p !== 'string') continue;
    if (p.startsWith('!')) {
      if (minimatch(file, p.slice(1), { dot: true })) packed = false;
    } else if (minimatch(file, p, { dot: true })) packed = true;
  }
  return packed;
}

/** Production node_modules are added by electron-builder itself; only the "!" patterns of `files` drop parts of them. */
function isExcluded(file: string): boolean {
  return (config.files ?? []).some((p) => typeof p === 'string' && p.startsWith('!') && minimatch(file, p.slice(1), { dot: true }));
}

function listFiles(dir: string, pred: (f: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listFiles(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

const isExecutable = (p: string) => (statSync(at(p)).mode & 0o111) === 0o111;
const bashSyntaxOk = (p: string) => execFileSync('bash', ['-n', at(p)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s own JSON schema', () => {
    const validate = builderSchemaValidator();
    const ok = validate(structuredClone(config));
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`) ?? [], 'schema errors').toEqual([]);
    expect(ok).toBe(true);
    // The schema is strict (no unknown keys), so a misspelt key would have failed above.
    expect(validate({ electronFuses: { runAsNod: false } })).toBe(false);
    expect(validate({ deb: { afterInstal: 'x.sh' } })).toBe(false);
  });

  it('names the app and its executable cabinet-kiosk (the agent package\'s screen launcher and the deb scripts hard-code /opt/cabinet-kiosk/cabinet-kiosk)', () => {
    expect(config.productName).toBe('cabinet-kiosk');
    expect(config.executableName).toBe('cabinet-kiosk');
  });

  it('builds AppImage and deb for x64 and arm64, and an NSIS installer for Windows x64', () => {
    const linux = targets(config.linux?.target);
    for (const target of ['AppImage', 'deb']) {
      expect(linux.get(target), target).toEqual(expect.arrayContaining(['x64', 'arm64']));
    }
    expect(targets(config.win?.target).get('nsis')).toEqual(expect.arrayContaining(['x64']));
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true, runAfterFinish: true });
    expect(config.nsis?.include).toBeDefined();
    expect(existsSync(at(config.nsis!.include!)), config.nsis!.include).toBe(true);
  });

  it('builds the native modules for Electron in the packaging step (build/native-modules.cjs), not with electron-builder’s own rebuild', () => {
    // npmRebuild would compile @serialport/bindings-cpp for the host arch into every package (build/native-modules.cjs).
    expect(config.npmRebuild).toBe(false);
    expect(config.beforePack).toBe('./build/native-modules.cjs');
    expect(config.afterPack).toBe('./build/native-modules.cjs');
    expect(config.buildDependenciesFromSource).toBe(false);
    expect(Object.keys(nativeHooks)).toEqual(expect.arrayContaining(['beforePack', 'afterPack']));
    // A host-compiled bindings.node would be loaded before the right prebuild.
    expect(isExcluded('node_modules/@serialport/bindings-cpp/build/Release/bindings.node')).toBe(true);
  });

  it('native-modules.cjs accepts a binary only for the target platform, arch and ABI', () => {
    const binary = at('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    const host = { platform: process.platform, arch: process.arch };
    expect(() => nativeHooks.checkNativeBinary(binary, { ...host, abi: process.versions.modules })).not.toThrow();
    expect(() => nativeHooks.checkNativeBinary(binary, { ...host, arch: process.arch === 'arm64' ? 'x64' : 'arm64' })).toThrow(/machine type/);
    expect(() => nativeHooks.checkNativeBinary(binary, { platform: 'win32', arch: 'x64' })).toThrow(/not a PE file/);
    expect(() => nativeHooks.checkNativeBinary(binary, { ...host, abi: '999' })).toThrow(new RegExp(`NODE_MODULE_VERSION ${process.versions.modules}, Electron needs 999`));
    for (const [platform, arch] of [['linux', 'x64'], ['linux', 'arm64'], ['win32', 'x64']] as const) {
      expect(nativeHooks.checkSerialportPrebuild(at('node_modules/@serialport/bindings-cpp'), { platform, arch }).length, `${platform}-${arch}`).toBeGreaterThan(0);
    }
  });

  it('unpacks both native modules, and every .node, from the asar', () => {
    expect(config.asar).not.toBe(false);
    const unpack = config.asarUnpack ?? [];
    expect(unpack).toEqual(expect.arrayContaining(['**/*.node', '**/node_modules/better-sqlite3/**', '**/node_modules/@serialport/bindings-cpp/**']));
    const unpacked = (file: string) => unpack.some((p) => minimatch(file, p, { dot: true }));
    for (const file of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/better-sqlite3/lib/database.js',
      'node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64/node.napi.armv8.node',
      'node_modules/@serialport/bindings-cpp/dist/index.js',
      'node_modules/some-other/build/Release/addon.node',
    ]) {
      expect(unpacked(file), file).toBe(true);
    }
    expect(unpacked('dist/main/electron/main.js')).toBe(false);
    // Every native binary actually installed here is covered.
    const natives = listFiles(at('node_modules'), (f) => f.endsWith('.node')).map((f) => relative(root, f).split(sep).join('/'));
    expect(natives.some((f) => f.includes('better-sqlite3'))).toBe(true);
    for (const f of natives) expect(unpacked(f), f).toBe(true);
  });

  it('sets the Electron fuses: no RunAsNode, no NODE_OPTIONS or --inspect, app only from an integrity-checked asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ships the default configuration and the Windows service wrapper\'s configuration as extra resources, and they exist; no units on Linux (the agent\'s deb has them)', () => {
    const common = mappings(config.extraResources);
    expect(common).toContainEqual({ from: 'resources/config.default.yaml', to: 'config.default.yaml' });
    const linux = mappings(config.linux?.extraResources);
    expect(linux).toEqual([]);
    const win = mappings(config.win?.extraResources);
    expect(win).toContainEqual({ from: 'build/win/cabinet-kiosk-agent.xml', to: 'win/cabinet-kiosk-agent.xml' });
    expect(win).toContainEqual(expect.objectContaining({ from: 'build/win/winsw', to: 'win' }));
    for (const m of win) expect(existsSync(at(m.from)), m.from).toBe(true);
    // electron-builder only warns about a missing source and packs without it.
    for (const m of [...common, ...linux]) expect(existsSync(at(m.from)), m.from).toBe(true);
  });

  it('packs dist/, bin/ and package.json, but no sources, tests, benchmarks, docs, source maps or native build leftovers', () => {
    for (const f of ['package.json', 'dist/main/electron/main.js', 'dist/main/electron/preload.cjs', 'dist/main/cli/index.js', 'dist/main/cli/agent.js', 'dist/renderer/index.html', 'bin/cabinet-kiosk.js']) {
      expect(isPacked(f), f).toBe(true);
    }
    for (const f of ['dist/main/electron/main.js.map', 'src/main/agent.ts', 'test/unit/layering.test.ts', 'bench/run.ts', 'docs/INSTALL.md', 'scripts/complete-lockfile.mjs', 'electron-builder.yml']) {
      expect(isPacked(f), f).toBe(false);
    }
    // better-sqlite3 keeps its JS and its binary, not its sources and build leftovers.
    for (const f of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/better-sqlite3/lib/database.js', 'node_modules/better-sqlite3/package.json']) {
      expect(isExcluded(f), f).toBe(false);
    }
    for (const f of ['node_modules/better-sqlite3/deps/sqlite3/sqlite3.c', 'node_modules/better-sqlite3/src/better_sqlite3.cpp', 'node_modules/better-sqlite3/build/Release/obj/gen/sqlite3/sqlite3.c', 'node_modules/better-sqlite3/build/Release/test_extension.node']) {
      expect(isExcluded(f), f).toBe(true);
    }
  });

  it('leaves the development tools out: tools/ is neither packed nor compiled into dist/', () => {
    for (const f of ['tools/mock-cloud/main.ts', 'tools/mock-cloud/server.ts']) expect(isPacked(f), f).toBe(false);
    expect(config.files).toContain('!tools{,/**}');
    // tsconfig.json builds dist/ from src/ alone; tsconfig.test.json type-checks tools/ without emitting.
    const build = JSON.parse(readFileSync(at('tsconfig.json'), 'utf8')) as { compilerOptions: { rootDir: string }; include: string[] };
    expect(build.compilerOptions.rootDir).toBe('src');
    expect(build.include.filter((p) => !p.startsWith('src/'))).toEqual([]);
    const check = JSON.parse(readFileSync(at('tsconfig.test.json'), 'utf8')) as { compilerOptions: { noEmit: boolean }; include: string[] };
    expect(check.compilerOptions.noEmit).toBe(true);
    expect(check.include).toContain('tools/**/*.ts');
  });

  it('package.json "main" is the app entry (the agent service with `agent`, else the window), and it is packed', () => {
    expect(pkg.main).toBe('dist/main/app-main.js');
    expect(isPacked(pkg.main!)).toBe(true);
  });

  it('package.json has the homepage and author e-mail the deb target refuses to build without', () => {
    expect(pkg.homepage, 'package.json "homepage"').toMatch(/^https?:\/\//);
    const email = typeof pkg.author === 'string' ? /<([^>]+@[^>]+)>/.exec(pkg.author)?.[1] : pkg.author?.email;
    expect(email, 'package.json "author" with an e-mail').toMatch(/@/);
  });
});

describe('Electron deb (cabinet-kiosk-electron): the screen\'s shell beside the agent\'s package', () => {
  const postinst = config.deb?.afterInstall ?? '';
  const postrm = config.deb?.afterRemove ?? '';

  it('is its own package that depends on the agent\'s, with scripts that exist, are executable and pass bash -n', () => {
    expect(config.deb?.packageName).toBe('cabinet-kiosk-electron');
    expect(config.deb?.depends).toContain('cabinet-kiosk');
    expect(config.deb?.fpm ?? []).not.toContain('--before-remove');
    expect(postinst).toBe('build/linux/after-install.sh');
    expect(postrm).toBe('build/linux/after-remove.sh');
    for (const script of [postinst, postrm]) {
      expect(existsSync(at(script)), script).toBe(true);
      expect(isExecutable(script), `${script} is executable`).toBe(true);
      expect(read(script).startsWith('#!/bin/bash\n'), `${script} shebang`).toBe(true);
      expect(() => bashSyntaxOk(script), `bash -n ${script}`).not.toThrow();
    }
  });

  it('contain no ${word} macro, which electron-builder would expand or reject', () => {
    // app-builder-lib/out/targets/FpmTarget.js writeConfigFile: /\${([a-zA-Z]+)}/g, "Macro X is not defined".
    for (const script of [postinst, postrm]) expect(read(script).match(/\$\{([a-zA-Z]+)\}/g), script).toBeNull();
  });

  it('does electron-builder\'s steps but the /usr/bin link (the agent package\'s command) and nothing of the agent\'s', () => {
    const s = read(postinst);
    expect(s).toMatch(/^set -e$/m);
    expect(s).toMatch(/^APP_DIR=\/opt\/cabinet-kiosk$/m);
    expect(s).toMatch(/chrome-sandbox/);
    expect(s).toMatch(/apparmor-profile/);
    const code = (text: string) => text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    for (const script of [postinst, postrm]) {
      const c = code(read(script));
      expect(c, script).not.toMatch(/update-alternatives|\/usr\/bin\/\$EXE|useradd|adduser|usermod|udev|\/var\/lib|\/etc\/cabinet-kiosk|systemctl (enable|disable|stop)/);
    }
    // A running screen switches shells when this package comes or goes.
    expect(s).toMatch(/deb-systemd-invoke try-restart "\$SCREEN_UNIT"/);
    expect(read(postrm)).toMatch(/deb-systemd-invoke try-restart "\$SCREEN_UNIT"/);
    expect(read(postrm)).toMatch(/apparmor_parser --remove/);
  });

  it('is what the agent package\'s screen launcher starts when present', () => {
    const launcher = read('build/deb/screen');
    expect(launcher).toMatch(/^ELECTRON=\/opt\/cabinet-kiosk\/cabinet-kiosk$/m);
    expect(launcher).toMatch(/exec "\$ELECTRON"/);
  });
});

describe('udev rule build/linux/99-cabinet-kiosk.rules', () => {
  it('gives group dialout read/write on USB-serial and CDC-ACM adapters', () => {
    const rules = read('build/linux/99-cabinet-kiosk.rules')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    for (const kernel of ['ttyUSB', 'ttyACM']) {
      const rule = rules.find((l) => l.includes(`KERNEL=="${kernel}`));
      expect(rule, kernel).toBeDefined();
      expect(rule).toContain('SUBSYSTEM=="tty"');
      expect(rule).toContain('GROUP="dialout"');
      expect(rule).toContain('MODE="0660"');
    }
  });
});

describe('resources/config.default.yaml', () => {
  const text = read('resources/config.default.yaml');

  it('is ASCII (the Windows installer rewrites it line by line with NSIS FileRead/FileWrite)', () => {
    expect(text.match(/[^\t\n\x20-\x7e]/g)).toBeNull();
  });

  it('parses with the app’s schema as the demo cabinet: simulator, demo PINs, database in /var/lib/cabinet-kiosk', () => {
    const parsed = parseConfig(parseYaml(text), 'resources/config.default.yaml');
    expect(parsed.serial.path).toBe('simulator');
    expect(parsed.database).toBe('/var/lib/cabinet-kiosk/kiosk.db');
    expect(parsed.staff.courierPin).toBeUndefined();
    expect(parsed.staff.technicianPin).toBeUndefined();
    expect(parsed.log.level).toBe('info');
  });

  /** What a technician does: uncomment every "# " setting, delete the "# demo" lines, fill in the placeholders. */
  function realCabinet(pins?: { courier: string; technician: string }): string {
    let out = text
      .split('\n')
      .filter((l) => !/\s# demo$/.test(l))
      .map((l) => l.replace(/^(\s*)# (?!#)/, '$1'))
      .join('\n');
    if (pins) out = out.replace('"<courier PIN>"', `"${pins.courier}"`).replace('"<technician PIN>"', `"${pins.technician}"`);
    return out;
  }

  it('its commented real-cabinet settings parse once uncommented and the PINs filled in', () => {
    const parsed = parseConfig(parseYaml(realCabinet({ courier: '80417263', technician: '5902' })), 'real cabinet');
    expect(parsed.serial.path).toMatch(/^\/dev\/serial\/by-id\//);
    expect(parsed.staff).toMatchObject({ courierPin: '80417263', technicianPin: '5902' });
    expect(parsed.boards.length).toBeGreaterThan(0);
    expect(parsed.compartments?.length).toBeGreaterThan(0);
    expect(parsed.cabinet.id).not.toBe('DEMO-0001');
  });

  it('its PIN placeholders do not pass for PINs', () => {
    let error: unknown;
    try {
      parseConfig(parseYaml(realCabinet()), 'real cabinet');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.join('\n')).toMatch(/staff\.courierPin/);
  });

  it('the Windows installer’s copy (database moved to ProgramData) parses too', () => {
    const nsh = read('build/win/installer.nsh');
    expect(nsh).toMatch(/!macro customInstall/);
    expect(nsh).toMatch(/!macro customUnInstall/);
    expect(nsh).toMatch(/Software\\Microsoft\\Windows\\CurrentVersion\\Run/);
    expect(nsh).toMatch(/\$\{IfNot\} \$\{isUpdated\}/);
    // installer.nsh: a line whose first 9 characters are "database:" is replaced.
    expect(nsh).toContain('StrCpy $R4 $R3 9');
    expect(nsh).toContain('${If} $R4 == "database:"');
    const lines = text.split('\n');
    expect(lines.filter((l) => l.slice(0, 9).toLowerCase() === 'database:')).toHaveLength(1);
    const windows = lines.map((l) => (l.slice(0, 9).toLowerCase() === 'database:' ? "database: 'C:\\ProgramData\\cabinet-kiosk\\kiosk.db'" : l)).join('\n');
    expect(parseConfig(parseYaml(windows), 'windows copy').database).toBe('C:\\ProgramData\\cabinet-kiosk\\kiosk.db');
  });
});

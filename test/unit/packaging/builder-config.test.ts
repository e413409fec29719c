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
  deb?: { afterInstall?: string; afterRemove?: string; fpm?: string[]; depends?: string[] };
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

  it('names the app and its executable cabinet-kiosk (the deb scripts and the unit hard-code /opt/cabinet-kiosk/cabinet-kiosk)', () => {
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

  it('ships the default configuration, the two systemd units, the udev rule and the Windows service wrapper\'s configuration as extra resources, and they exist', () => {
    const common = mappings(config.extraResources);
    expect(common).toContainEqual({ from: 'resources/config.default.yaml', to: 'config.default.yaml' });
    const linux = mappings(config.linux?.extraResources);
    expect(linux).toContainEqual({ from: 'build/linux/cabinet-kiosk-agent.service', to: 'linux/cabinet-kiosk-agent.service' });
    expect(linux).toContainEqual({ from: 'build/linux/cabinet-kiosk-screen.service', to: 'linux/cabinet-kiosk-screen.service' });
    const win = mappings(config.win?.extraResources);
    expect(win).toContainEqual({ from: 'build/win/cabinet-kiosk-agent.xml', to: 'win/cabinet-kiosk-agent.xml' });
    expect(win).toContainEqual(expect.objectContaining({ from: 'build/win/winsw', to: 'win' }));
    for (const m of win) expect(existsSync(at(m.from)), m.from).toBe(true);
    expect(linux).toContainEqual({ from: 'build/linux/99-cabinet-kiosk.rules', to: 'linux/99-cabinet-kiosk.rules' });
    // For an install from the extracted AppImage (docs/INSTALL.md).
    expect(linux).toContainEqual({ from: 'build/linux/after-install.sh', to: 'linux/after-install.sh' });
    // electron-builder only warns about a missing source and packs without it.
    for (const m of [...common, ...linux]) expect(existsSync(at(m.from)), m.from).toBe(true);
  });

  it('packs dist/, bin/ and package.json, but no sources, tests, benchmarks, docs, source maps or native build leftovers', () => {
    for (const f of ['package.json', 'dist/main/electron/main.js', 'dist/main/electron/preload.cjs', 'dist/main/cli/index.js', 'dist/renderer/index.html', 'bin/cabinet-kiosk.js']) {
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

describe('deb maintainer scripts', () => {
  const postinst = config.deb?.afterInstall ?? '';
  const postrm = config.deb?.afterRemove ?? '';
  const fpm = config.deb?.fpm ?? [];
  const prerm = fpm[fpm.indexOf('--before-remove') + 1] ?? '';

  it('are configured, exist, are executable and pass bash -n', () => {
    expect(postinst).toBe('build/linux/after-install.sh');
    expect(postrm).toBe('build/linux/after-remove.sh');
    expect(fpm).toContain('--before-remove');
    expect(prerm).toBe('build/linux/before-remove.sh');
    for (const script of [postinst, postrm, prerm]) {
      expect(existsSync(at(script)), script).toBe(true);
      expect(isExecutable(script), `${script} is executable`).toBe(true);
      expect(read(script).startsWith('#!/bin/bash\n'), `${script} shebang`).toBe(true);
      expect(() => bashSyntaxOk(script), `bash -n ${script}`).not.toThrow();
    }
  });

  it('contain no ${word} macro, which electron-builder would expand or reject', () => {
    // app-builder-lib/out/targets/FpmTarget.js writeConfigFile: /\${([a-zA-Z]+)}/g, "Macro X is not defined".
    for (const script of [postinst, postrm, prerm]) expect(read(script).match(/\$\{([a-zA-Z]+)\}/g), script).toBeNull();
  });

  it('post-install: the agent\'s system user (no login shell, dialout, 0700 data dir), the screen user outside dialout, udev rule, config only when absent, both units enabled (without failing where systemd is absent)', () => {
    const s = read(postinst);
    expect(s).toMatch(/^set -e$/m);
    expect(s).toMatch(/useradd --system/);
    expect(s).toMatch(/--home-dir "\$STATE_DIR"/);
    expect(s).toMatch(/^STATE_DIR=\/var\/lib\/cabinet-kiosk$/m);
    expect(s).toMatch(/usermod -a -G dialout "\$SVC_USER"/);
    expect(s).toMatch(/usermod --shell \/usr\/sbin\/nologin "\$SVC_USER"/);
    expect(s).toMatch(/install -d -m 0700 -o "\$SVC_USER" -g "\$SVC_USER" "\$STATE_DIR"/);
    expect(s).toMatch(/^SCREEN_USER=cabinet-screen$/m);
    expect(s).toMatch(/gpasswd -d "\$SCREEN_USER" dialout/);
    expect(s).not.toMatch(/usermod -a -G dialout "\$SCREEN_USER"/);
    expect(s).toMatch(/usermod -a -G "\$SCREEN_USER" "\$SVC_USER"/);
    expect(s).toMatch(/^UDEV_RULE=\/etc\/udev\/rules\.d\/99-cabinet-kiosk\.rules$/m);
    expect(s).toMatch(/udevadm control --reload-rules/);
    expect(s).toMatch(/udevadm trigger/);
    expect(s).toMatch(/^CONF_FILE=\$CONF_DIR\/config\.yaml$/m);
    expect(s).toMatch(/^CONF_DIR=\/etc\/cabinet-kiosk$/m);
    expect(s).toMatch(/if \[ ! -e "\$CONF_FILE" \]; then\n(?:\s+#.*\n)*\s+install .*config\.default\.yaml" "\$CONF_FILE"\n/);
    expect(s).toMatch(/systemctl daemon-reload/);
    expect(s).toMatch(/systemctl enable "\$unit"/);
    expect(s).toMatch(/for unit in "\$AGENT_UNIT" "\$SCREEN_UNIT"; do/);
    expect(s).toMatch(/\[ -d \/run\/systemd\/system \]/);
    // What electron-builder's default postinst did, which this one replaces.
    expect(s).toMatch(/update-alternatives --install "\/usr\/bin\/\$EXE"/);
    expect(s).toMatch(/chrome-sandbox/);
    expect(s).toMatch(/apparmor-profile/);
  });

  it('post-install copies from the paths the extra resources are installed to', () => {
    const s = read(postinst);
    expect(s).toMatch(/^APP_DIR=\/opt\/cabinet-kiosk$/m);
    expect(s).toMatch(/^RES_DIR=\$APP_DIR\/resources$/m);
    expect(s).toMatch(/^EXE=cabinet-kiosk$/m);
    expect(s).toMatch(/^AGENT_UNIT=cabinet-kiosk-agent\.service$/m);
    expect(s).toMatch(/^SCREEN_UNIT=cabinet-kiosk-screen\.service$/m);
    const resources = [...mappings(config.extraResources), ...mappings(config.linux?.extraResources)].map((m) => m.to);
    for (const used of ['config.default.yaml', 'linux/99-cabinet-kiosk.rules']) {
      expect(resources).toContain(used);
      expect(s).toContain(`"$RES_DIR/${used}"`);
    }
    expect(resources).toContain('linux/cabinet-kiosk-agent.service');
    expect(resources).toContain('linux/cabinet-kiosk-screen.service');
    expect(s).toContain('"$RES_DIR/linux/$unit"');
  });

  it('post-install migrates from the single unit of earlier versions: stops, disables and removes it, and moves the autologin to the screen user', () => {
    const s = read(postinst);
    expect(s).toMatch(/^OLD_UNIT=cabinet-kiosk\.service$/m);
    expect(s).toMatch(/systemctl stop "\$OLD_UNIT"/);
    expect(s).toMatch(/systemctl disable "\$OLD_UNIT"/);
    expect(s).toMatch(/rm -f "\$UNIT_DIR\/\$OLD_UNIT"/);
    expect(s).toMatch(/autologin-user=\$SCREEN_USER/);
    for (const grp of ['video', 'render', 'audio']) expect(s).toContain(grp);
    expect(s).toMatch(/gpasswd -d "\$SVC_USER" "\$grp"/);
  });

  it('post-remove: stops and disables the service on remove, never deletes the parcel database, does nothing on upgrade', () => {
    const s = read(postrm);
    expect(s).toMatch(/^set -e$/m);
    expect(s).toMatch(/^\s+remove\|abort-install\|disappear\)\n\s+remove_app$/m);
    expect(s).toMatch(/^\s+purge\)$/m);
    expect(s).toMatch(/^\s+upgrade\|failed-upgrade\|abort-upgrade\)\n\s+;;$/m);
    expect(s).toMatch(/^UNITS="cabinet-kiosk-screen\.service cabinet-kiosk-agent\.service cabinet-kiosk\.service"$/m);
    expect(s).toMatch(/systemctl stop "\$unit"/);
    expect(s).toMatch(/systemctl disable "\$unit"/);
    expect(s).toMatch(/update-alternatives --remove "\$EXE"/);
    for (const line of s.split('\n').filter((l) => /\brm\b/.test(l) && !l.trim().startsWith('#'))) {
      expect(line, 'no rm of the state dir').not.toMatch(/STATE_DIR|\/var\/lib/);
    }
    expect(read(prerm)).toMatch(/^UNITS="cabinet-kiosk-screen\.service cabinet-kiosk-agent\.service cabinet-kiosk\.service"$/m);
    expect(read(prerm)).toMatch(/systemctl stop "\$unit"/);
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

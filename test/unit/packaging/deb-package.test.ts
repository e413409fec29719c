import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, need, ok, PKG, root, run, TIMEOUT, UNITS, type Built } from './deb-build.js';

/**
 * The agent's deb, really built (scripts/build-deb.mjs, once for this file,
 * from dist/ and this machine's production node_modules): what it declares,
 * what it holds, and lintian's verdict. deb-install.test.ts installs it.
 */
let built: Built;
beforeAll(async () => {
  await need('lintian', 'apt-get install lintian');
  built = await buildDeb();
}, TIMEOUT);
afterAll(() => {
  if (built) rmSync(built.work, { recursive: true, force: true });
});

describe('the built deb', () => {
  const fields = () => ok(run('dpkg-deb', ['--field', built.deb]), 'dpkg-deb --field');
  const field = (text: string, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1];

  it('says what it needs: the Node.js major its native modules were built for, adduser, the C/C++ runtime; this architecture', async () => {
    const text = await fields();
    const major = Number(process.versions.node.split('.')[0]);
    const depends = field(text, 'Depends')!.split(/,\s*/);
    expect(depends).toEqual(expect.arrayContaining(['adduser', `nodejs (<< ${major + 1})`]));
    expect(depends.some((d) => /^nodejs \(>= \d+(\.\d+)?\)$/.test(d))).toBe(true);
    expect(depends.some((d) => d.startsWith('libc6 (>='))).toBe(true);
    expect(depends.some((d) => d.startsWith('libstdc++6'))).toBe(true);
    expect(field(text, 'Architecture')).toBe((await ok(run('dpkg', ['--print-architecture']), 'dpkg')).trim());
    expect(field(text, 'Package')).toBe(PKG);
    expect(field(text, 'Version')).toBe(`${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}-1`);
    expect(field(text, 'Recommends')).toMatch(/chromium/);
    // For the record (npm test's output): the package's and the installed size.
    console.log(`cabinet-kiosk deb: ${built.bytes} bytes, installed ${built.installedKiB} KiB, ${built.files} files`);
  });

  it('holds the agent, its production dependencies only, the units, the rule and the Debian files, all root:root', async () => {
    const listing = (await ok(run('dpkg-deb', ['--contents', built.deb]), 'dpkg-deb --contents')).trim().split('\n');
    const entries = new Map(
      listing.map((line) => {
        const [mode, owner, , , , ...rest] = line.split(/\s+/);
        return [rest.join(' ').replace(/^\.\//, '/').replace(/ -> .*$/, ''), { mode: mode!, owner: owner! }] as const;
      }),
    );
    expect([...entries.values()].filter((e) => e.owner !== 'root/root')).toEqual([]);
    const has = (p: string) => expect(entries.has(p), p).toBe(true);
    expect(entries.get('/usr/bin/cabinet-kiosk')?.mode).toBe('-rwxr-xr-x');
    expect(entries.get('/usr/libexec/cabinet-kiosk/screen')?.mode).toBe('-rwxr-xr-x');
    for (const unit of UNITS) expect(entries.get(`/usr/lib/systemd/system/${unit}`)?.mode).toBe('-rw-r--r--');
    for (const p of [
      '/usr/lib/udev/rules.d/99-cabinet-kiosk.rules',
      '/usr/share/doc/cabinet-kiosk/copyright',
      '/usr/share/doc/cabinet-kiosk/changelog.Debian.gz',
      '/usr/share/doc/cabinet-kiosk/INSTALL.md.gz',
      '/usr/share/man/man1/cabinet-kiosk.1.gz',
      '/usr/share/lintian/overrides/cabinet-kiosk',
      '/usr/share/cabinet-kiosk/config.default.yaml',
      '/usr/lib/cabinet-kiosk/package.json',
      '/usr/lib/cabinet-kiosk/bin/cabinet-kiosk.js',
      '/usr/lib/cabinet-kiosk/dist/main/cli/index.js',
      '/usr/lib/cabinet-kiosk/dist/main/cli/agent.js',
      '/usr/lib/cabinet-kiosk/dist/renderer/index.html',
      '/usr/lib/cabinet-kiosk/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      '/usr/lib/cabinet-kiosk/node_modules/serialport/package.json',
    ])
      has(p);
    const paths = [...entries.keys()];
    // No development dependency (Electron included), no /etc file (so no conffiles), no source maps.
    for (const dev of ['electron', 'vitest', 'typescript', 'vite', 'playwright-core', 'eslint', 'electron-builder', 'preact'])
      expect(paths.some((p) => p.startsWith(`/usr/lib/cabinet-kiosk/node_modules/${dev}/`)), dev).toBe(false);
    expect(paths.filter((p) => p.startsWith('/etc/'))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    // Native code for this platform only: no other platform's prebuilt binary.
    const prebuilds = paths.filter((p) => p.includes('/prebuilds/') && p.endsWith('.node'));
    expect(prebuilds.length).toBeGreaterThan(0);
    for (const p of prebuilds) expect(p).toContain(`/prebuilds/${process.platform}-${process.arch}/`);
    const control = await ok(run('sh', ['-c', 'dpkg-deb --ctrl-tarfile "$1" | tar -t', 'sh', built.deb]), 'control archive');
    expect(control.split('\n').map((l) => l.replace(/^\.\//, '')).filter(Boolean).sort()).toEqual(['control', 'md5sums', 'postinst', 'postrm', 'prerm']);
  });

  it('passes lintian: no error, and every warning or info it keeps is overridden with a reason', async () => {
    // --display-info: infos count too. The overrides (build/deb/lintian-overrides) travel in the package.
    const r = await run('lintian', ['--display-info', '--tag-display-limit', '0', '--fail-on', 'error,warning,info', built.deb]);
    const findings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() && !/running with root privileges is not recommended/.test(l));
    expect(findings).toEqual([]);
    expect(r.status).toBe(0);
  }, TIMEOUT);

  it('lintian as run here is a real check: a package with a finding fails it', async () => {
    const dir = join(built.work, 'probe');
    mkdirSync(join(dir, 'DEBIAN'), { recursive: true });
    mkdirSync(join(dir, 'usr/share/ck-probe'), { recursive: true });
    writeFileSync(join(dir, 'usr/share/ck-probe/a.txt'), 'a\n');
    writeFileSync(
      join(dir, 'DEBIAN/control'),
      'Package: ck-probe\nVersion: 1.0-1\nArchitecture: all\nMaintainer: probe <probe@example.org>\nDescription: probe\n a package without a copyright file\n',
    );
    const probe = join(built.work, 'probe.deb');
    await ok(run('dpkg-deb', ['--root-owner-group', '--build', dir, probe]), 'dpkg-deb --build');
    const r = await run('lintian', ['--display-info', '--tag-display-limit', '0', '--fail-on', 'error,warning,info', probe]);
    expect(r.stdout).toMatch(/no-copyright-file/);
    expect(r.status).not.toBe(0);
  }, TIMEOUT);

  it('explains each lintian override with a comment line right above it', () => {
    const lines = readFileSync(join(root, 'build/deb/lintian-overrides'), 'utf8').split('\n');
    const overrides = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith(`${PKG}: `));
    expect(overrides.length).toBeGreaterThan(0);
    for (const [l, i] of overrides) expect(lines[i - 1]?.startsWith('# '), l).toBe(true);
  });
});

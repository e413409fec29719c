import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proposalPath } from '../../../src/main/commission/apply.js';

/**
 * The deb's two units: the agent service (its own system user, the serial
 * adapters, a private data directory, hardened) and the screen (the kiosk
 * session's user, a client of the agent, with none of the agent's access).
 * `systemd-analyze verify` checks both as systemd itself would load them.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const AGENT = 'build/linux/cabinet-kiosk-agent.service';
const SCREEN = 'build/linux/cabinet-kiosk-screen.service';
const APPLY_PATH = 'build/linux/cabinet-kiosk-apply-config.path';
const APPLY = 'build/linux/cabinet-kiosk-apply-config.service';
/** The deb's launcher (build/deb/cabinet-kiosk: the agent on the system's Node.js) and the screen's (build/deb/screen). */
const APP = '/usr/bin/cabinet-kiosk';
const SCREEN_LAUNCHER = '/usr/libexec/cabinet-kiosk/screen';
const DATA_DIR = /\/var\/lib\/cabinet-kiosk(?![\w-])/;

/** The unit file as section → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`unexpected line in unit file: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

function unitOf(path: string) {
  const unit = parseUnit(read(path));
  const get = (section: string, key: string) => unit.get(section)?.get(key) ?? [];
  return { unit, get, one: (section: string, key: string) => get(section, key).at(-1) };
}

function systemdAnalyze(): string {
  const found = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) throw new Error('systemd-analyze is missing: install systemd (apt-get install systemd); the unit check cannot be skipped');
  return path;
}

describe('systemd-analyze verify', () => {
  let dir: string;
  let analyze: string;
  beforeAll(() => {
    analyze = systemdAnalyze();
    dir = mkdtempSync(join(tmpdir(), 'ck-units-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * systemd is not PID 1 here and the package is not installed, so the units
   * are verified from a scratch folder with the launchers' paths pointing at
   * an existing binary (verify refuses a missing ExecStart);
   * deb-install.test.ts verifies them again as the deb installs them. Any line it
   * prints is a finding: an unknown key or a bad value is only a warning to
   * systemd, which would then ignore the setting.
   */
  function verify(files: Record<string, string>): { status: number | null; output: string } {
    const paths = Object.entries(files).map(([name, text]) => {
      const p = join(dir, name);
      writeFileSync(p, text.split(APP).join('/bin/true').split(SCREEN_LAUNCHER).join('/bin/true'));
      return p;
    });
    const r = spawnSync(analyze, ['verify', '--man=no', ...paths], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
    return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
  }

  it('passes every unit with nothing to say', () => {
    const r = verify({ 'cabinet-kiosk-agent.service': read(AGENT), 'cabinet-kiosk-screen.service': read(SCREEN), 'cabinet-kiosk-apply-config.path': read(APPLY_PATH), 'cabinet-kiosk-apply-config.service': read(APPLY) });
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('is a real check: a mistyped key, a bad value and a missing binary are each caught', () => {
    const agent = read(AGENT);
    expect(verify({ 'typo.service': agent.replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes') }).output).toMatch(/Unknown key/);
    expect(verify({ 'bad-value.service': agent.replace('ProtectSystem=strict', 'ProtectSystem=tight') }).output).toMatch(/ProtectSystem|protect system/i);
    const missing = verify({ 'missing.service': agent.replace(`ExecStart=${APP}`, 'ExecStart=/opt/none/cabinet-kiosk') });
    expect(missing.status).not.toBe(0);
  });
});

describe(`agent unit ${AGENT}`, () => {
  const { get, one } = unitOf(AGENT);

  it('runs `cabinet-kiosk agent` on Node.js as the system user cabinet-kiosk in dialout, restarting always, needing no display', () => {
    expect(one('Service', 'User')).toBe('cabinet-kiosk');
    expect(one('Service', 'Group')).toBe('cabinet-kiosk');
    expect(one('Service', 'SupplementaryGroups')?.split(/\s+/)).toContain('dialout');
    expect(one('Service', 'Restart')).toBe('always');
    expect(one('Unit', 'StartLimitIntervalSec')).toBe('0');
    const exec = one('Service', 'ExecStart')!;
    expect(exec.startsWith(`${APP} `)).toBe(true);
    expect(exec.split(/\s+/)).toContain('agent');
    // Node.js, not Electron: no Chromium switch.
    expect(exec).not.toContain('--ozone-platform');
    expect(exec).toMatch(/--endpoint-file \/run\/cabinet-kiosk\/screen-url/);
    expect(exec).toMatch(/--screen-user cabinet-screen/);
    expect(get('Service', 'Environment')).toContain('CABINET_KIOSK_CONFIG=/etc/cabinet-kiosk/config.yaml');
    // The allocator the soak measures RSS under (package.json "soak").
    expect(get('Service', 'Environment')).toContain('MALLOC_ARENA_MAX=2');
    expect(JSON.parse(read('package.json')).scripts.soak).toMatch(/^MALLOC_ARENA_MAX=2 /);
    expect(get('Service', 'Environment').join(' ')).not.toMatch(/DISPLAY|XAUTHORITY/);
    expect(one('Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('is hardened: no new privileges, a read-only system but its 0700 data directory, private /tmp, umask 0077, only the serial devices', () => {
    expect(one('Service', 'NoNewPrivileges')).toBe('yes');
    expect(one('Service', 'ProtectSystem')).toBe('strict');
    expect(one('Service', 'StateDirectory')).toBe('cabinet-kiosk');
    expect(one('Service', 'StateDirectoryMode')).toBe('0700');
    expect(get('Service', 'ReadWritePaths')).toEqual(['/var/lib/cabinet-kiosk']);
    expect(one('Service', 'PrivateTmp')).toBe('yes');
    expect(one('Service', 'ProtectHome')).toBe('yes');
    expect(one('Service', 'UMask')).toBe('0077');
    expect(one('Service', 'DevicePolicy')).toBe('closed');
    expect(get('Service', 'DeviceAllow')).toEqual(['char-ttyUSB rw', 'char-ttyACM rw', 'char-ttyS rw']);
    expect(one('Service', 'CapabilityBoundingSet')).toBe('');
    // The serial ports are devices: PrivateDevices would hide them all.
    expect(get('Service', 'PrivateDevices')).toEqual([]);
  });

  it('gives the endpoint folder, and nothing else, to the screen\'s group', () => {
    expect(one('Service', 'RuntimeDirectory')).toBe('cabinet-kiosk');
    expect(one('Service', 'RuntimeDirectoryMode')).toBe('0750');
    expect(get('Service', 'ExecStartPre')).toContain('+/bin/chgrp cabinet-screen /run/cabinet-kiosk');
    expect(one('Service', 'SupplementaryGroups')?.split(/\s+/)).toContain('cabinet-screen');
  });

  it('explains each hardening choice in a comment right above it, and why PrivateDevices is not set', () => {
    const lines = read(AGENT).split('\n');
    for (const key of ['UMask', 'NoNewPrivileges', 'ProtectSystem', 'ReadWritePaths', 'ProtectHome', 'PrivateTmp', 'DevicePolicy']) {
      const at = lines.findIndex((l) => l.startsWith(`${key}=`));
      expect(lines[at - 1]?.startsWith('#'), `a comment above ${key}=`).toBe(true);
    }
    expect(lines.some((l) => l.startsWith('#') && /PrivateDevices=yes is impossible/.test(l))).toBe(true);
  });
});

describe(`screen unit ${SCREEN}`, () => {
  const { get, one } = unitOf(SCREEN);
  const text = read(SCREEN);
  const settings = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('runs the window as the kiosk session user, not the agent\'s, restarting always, on the autologin display', () => {
    expect(one('Service', 'User')).toBe('cabinet-screen');
    expect(one('Service', 'Group')).toBe('cabinet-screen');
    expect(one('Service', 'Restart')).toBe('always');
    expect(one('Install', 'WantedBy')).toBe('graphical.target');
    expect(one('Unit', 'After')?.split(/\s+/)).toEqual(expect.arrayContaining(['graphical.target', 'cabinet-kiosk-agent.service']));
    const env = get('Service', 'Environment');
    expect(env).toContain('DISPLAY=:0');
    expect(env).toContain('XAUTHORITY=/var/lib/cabinet-screen/.Xauthority');
    expect(env).toContain('CABINET_KIOSK_SCREEN_URL_FILE=/run/cabinet-kiosk/screen-url');
    expect(get('Service', 'BindReadOnlyPaths').join(' ')).toMatch(/(^|\s)-?\/tmp\/\.X11-unix(\s|$)/);
  });

  it('has none of the agent\'s access: no dialout, no data directory, no agent command, no config', () => {
    expect(settings.join('\n')).not.toMatch(/dialout/);
    expect(settings.join('\n')).not.toMatch(DATA_DIR);
    expect(get('Service', 'SupplementaryGroups')).toEqual([]);
    for (const key of ['StateDirectory', 'ReadWritePaths', 'DeviceAllow']) expect(get('Service', key), key).toEqual([]);
    expect(one('Service', 'ExecStart')).toBe(SCREEN_LAUNCHER);
    expect(get('Service', 'Environment').join(' ')).not.toMatch(/CABINET_KIOSK_CONFIG/);
    // The agent may restart under the window: the screen wants it but is not bound to it.
    expect(get('Unit', 'Requires')).toEqual([]);
    expect(get('Unit', 'BindsTo')).toEqual([]);
  });
});

describe(`apply units ${APPLY_PATH} and ${APPLY}`, () => {
  const path = unitOf(APPLY_PATH);
  const service = unitOf(APPLY);
  const proposal = proposalPath('/var/lib/cabinet-kiosk');

  it('watch the very file the agent leaves when it may not write /etc, and start the apply service', () => {
    expect(path.one('Path', 'PathExists')).toBe(proposal);
    expect(path.one('Path', 'Unit')).toBe('cabinet-kiosk-apply-config.service');
    expect(path.one('Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('apply as root, once, the file the agent runs on, then restart the agent', () => {
    expect(service.one('Service', 'Type')).toBe('oneshot');
    expect(service.get('Service', 'User')).toEqual([]);
    expect(service.one('Service', 'ExecStart')).toBe(`${APP} setup --apply ${proposal}`);
    expect(service.get('Service', 'Environment')).toEqual(unitOf(AGENT).get('Service', 'Environment').filter((e) => e.startsWith('CABINET_KIOSK_CONFIG=')));
    expect(service.one('Service', 'ExecStartPost')).toBe('/bin/systemctl try-restart cabinet-kiosk-agent.service');
    // Root, but it may write only the configuration folder and the proposal's.
    expect(service.one('Service', 'ProtectSystem')).toBe('strict');
    expect(service.get('Service', 'ReadWritePaths').join(' ').split(/\s+/)).toEqual(['/etc/cabinet-kiosk', dirname(proposal)]);
    expect(service.get('Install', 'WantedBy')).toEqual([]);
  });
});

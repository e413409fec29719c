import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, need, ok, root, run, STATIC_UNITS, TIMEOUT, UNITS, type Built, type Ran } from './deb-build.js';

/**
 * The agent's deb (built once for this file) installed, reinstalled, removed
 * and purged by dpkg, and run, on a throwaway copy of this machine: a private
 * mount namespace with an overlay over / (every write lands in a temp folder
 * and vanishes with it), so this machine's /etc/passwd, dpkg database and
 * units are never touched. systemd is not PID 1 here: a recording systemctl
 * stands in for the service manager (start/stop/daemon-reload are logged;
 * the enablement verbs run the real systemctl offline, which edits the
 * symlinks in /etc/systemd/system), and /run/systemd/system exists, so the
 * maintainer scripts take their "systemd is running" path.
 */

/**
 * `unshare -m`, an overlay over / whose writes go to `upper`, chroot into it.
 * /run is a fresh tmpfs each time (holding /run/systemd/system); everything
 * else persists from one run to the next through `upper`, as a disk would.
 */
class Overlay {
  readonly upper: string;
  private readonly workdir: string;
  private readonly merged: string;
  constructor(dir: string) {
    this.upper = join(dir, 'upper');
    this.workdir = join(dir, 'work');
    this.merged = join(dir, 'merged');
    for (const d of [this.upper, this.workdir, this.merged]) mkdirSync(d, { recursive: true });
  }

  run(script: string): Promise<Ran> {
    const mount = [
      'set -e',
      'mount -t overlay overlay -o "lowerdir=/,upperdir=$1,workdir=$2" "$3"',
      'mount --rbind /dev "$3/dev"',
      'mount -t proc proc "$3/proc"',
      'mount -t tmpfs tmpfs "$3/run"',
      'mkdir -p "$3/run/systemd/system"',
      'exec chroot "$3" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 /bin/sh -ec "$4"',
    ].join('\n');
    return run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', mount, 'overlay', this.upper, this.workdir, this.merged, script]);
  }

  sh(script: string): Promise<string> {
    return ok(this.run(script), `in the overlay: ${script.trim().split('\n')[0]}`);
  }
}

/**
 * systemctl with no systemd: every call is logged; the offline verbs
 * (enable/disable/preset/is-enabled/mask/unmask, or any --root=) run the real
 * one on the files (--root=/: no service manager to ask); start/restart/stop
 * only mark the unit active or not, for is-active.
 */
const SYSTEMCTL_STUB = `#!/bin/sh
echo "$*" >> /var/log/ck-systemctl.log
state=/var/lib/ck-systemctl-active
mkdir -p "$state"
verb=
units=
for a in "$@"; do
    case "$a" in
        --root=*) exec /usr/bin/systemctl "$@" ;;
        -*) ;;
        *) if [ -z "$verb" ]; then verb=$a; else units="$units $a"; fi ;;
    esac
done
case "$verb" in
    enable|disable|preset|is-enabled|mask|unmask|list-unit-files) exec /usr/bin/systemctl --root=/ "$@" ;;
    is-active) for u in $units; do [ -e "$state/$u" ] || exit 3; done; exit 0 ;;
    start|restart) for u in $units; do touch "$state/$u"; done ;;
    stop) for u in $units; do rm -f "$state/$u"; done ;;
esac
exit 0
`;

const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
let built: Built;
let box: Overlay;
/** The systemctl calls since the last look. */
const calls = async () =>
  (await box.sh('cat /var/log/ck-systemctl.log 2>/dev/null || true; : > /var/log/ck-systemctl.log')).trim().split('\n').filter(Boolean);
const accounts = () => box.sh('cat /etc/passwd /etc/group /etc/shadow /etc/gshadow');

beforeAll(async () => {
  if (process.getuid?.() !== 0) {
    throw new Error('the install test needs root: a private mount namespace and an overlay over / (nothing outside the overlay changes). CI runs as root (.ci/run installs apt packages)');
  }
  await need('unshare', 'apt-get install util-linux');
  await need('chroot', 'apt-get install coreutils');
  await need('setpriv', 'apt-get install util-linux');
  built = await buildDeb();
  box = new Overlay(join(built.work, 'overlay'));
  mkdirSync(join(box.upper, 'root'), { recursive: true });
  copyFileSync(built.deb, join(box.upper, 'root', 'ck.deb'));
  mkdirSync(join(box.upper, 'usr/local/sbin'), { recursive: true });
  writeFileSync(join(box.upper, 'usr/local/sbin/systemctl'), SYSTEMCTL_STUB, { mode: 0o755 });
  // A container's policy-rc.d (exit 101) forbids every start: removed in the copy only.
  await box.sh('rm -f /usr/sbin/policy-rc.d');
}, TIMEOUT);

afterAll(() => {
  if (built) rmSync(built.work, { recursive: true, force: true });
});

describe('the deb installed with dpkg on a copy of this machine', () => {
  it('installs: the agent user in dialout, the screen user outside it, the 0700 data folder, the config, both units enabled, the agent started', async () => {
    const passwd = readFileSync('/etc/passwd', 'utf8');
    expect(await box.sh('dpkg -i /root/ck.deb 2>&1')).toMatch(/Setting up cabinet-kiosk/);
    // This machine's own accounts are untouched.
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(passwd);

    const kiosk = (await box.sh('getent passwd cabinet-kiosk')).trim().split(':');
    expect(kiosk[5]).toBe('/var/lib/cabinet-kiosk');
    expect(kiosk[6]).toBe('/usr/sbin/nologin');
    expect(Number(kiosk[2])).toBeLessThan(1000);
    expect((await box.sh('id -nG cabinet-kiosk')).trim().split(' ')).toEqual(expect.arrayContaining(['cabinet-kiosk', 'dialout', 'cabinet-screen']));
    const screen = (await box.sh('getent passwd cabinet-screen')).trim().split(':');
    expect(screen[5]).toBe('/var/lib/cabinet-screen');
    expect(screen[6]).toBe('/bin/bash');
    expect((await box.sh('id -nG cabinet-screen')).trim().split(' ')).not.toContain('dialout');

    expect((await box.sh('stat -c "%a %U %G" /var/lib/cabinet-kiosk')).trim()).toBe('700 cabinet-kiosk cabinet-kiosk');
    expect((await box.sh('stat -c "%a %U %G" /var/lib/cabinet-screen')).trim()).toBe('750 cabinet-screen cabinet-screen');
    expect((await box.sh('stat -c "%a %U %G" /etc/cabinet-kiosk/config.yaml')).trim()).toBe('640 root cabinet-kiosk');
    expect((await box.sh('ls /etc/systemd/system/multi-user.target.wants/')).split('\n')).toContain('cabinet-kiosk-agent.service');
    expect((await box.sh('ls /etc/systemd/system/graphical.target.wants/')).split('\n')).toContain('cabinet-kiosk-screen.service');

    const log = await calls();
    expect(log).toContain('--system daemon-reload');
    expect(log).toContain('--quiet --system start cabinet-kiosk-agent.service');
    // The watcher that applies a setup saved on the screen (the agent may not write /etc).
    expect(log).toContain('--quiet --system start cabinet-kiosk-apply-config.path');
    expect((await box.sh('ls /etc/systemd/system/multi-user.target.wants/')).split('\n')).toContain('cabinet-kiosk-apply-config.path');
    // The screen waits for the X server of the next boot: only a running one is restarted.
    expect(log.filter((l) => / (start|restart) .*cabinet-kiosk-screen/.test(l))).toEqual([]);
    expect(log).toContain('try-restart cabinet-kiosk-screen.service');
  }, TIMEOUT);

  it('systemd-analyze verify passes the units as installed', async () => {
    const r = await box.run(`SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no ${[...UNITS, ...STATIC_UNITS].map((u) => `/usr/lib/systemd/system/${u}`).join(' ')} 2>&1`);
    expect(r.stdout.trim()).toBe('');
    expect(r.status).toBe(0);
  }, TIMEOUT);

  it('runs from its own files: --version, help, and the agent itself as its user, answering `status` over its socket and serving the screen\'s page', async () => {
    expect((await box.sh('cabinet-kiosk --version')).trim()).toBe(version);
    expect(await box.sh('cabinet-kiosk status --help')).toMatch(/Usage: cabinet-kiosk status/);
    // The demo configuration the postinst wrote (simulated boards), the agent as its unit runs it.
    const out = await box.sh(`
      setpriv --reuid=cabinet-kiosk --regid=cabinet-kiosk --init-groups env CABINET_KIOSK_CONFIG=/etc/cabinet-kiosk/config.yaml /usr/bin/cabinet-kiosk agent > /var/log/ck-agent.log 2>&1 &
      pid=$!
      i=0
      until [ -S /var/lib/cabinet-kiosk/agent.sock ] && [ -s /var/lib/cabinet-kiosk/screen-url ]; do
        i=$((i + 1))
        if [ $i -gt 1800 ] || ! kill -0 $pid 2>/dev/null; then echo "the agent did not start:" >&2; cat /var/log/ck-agent.log >&2; exit 1; fi
        sleep 0.1
      done
      cabinet-kiosk --json status > /root/status.json
      # The screen's page and its script, as the screen fetches them (the agent serves its own uid by default).
      url=$(cat /var/lib/cabinet-kiosk/screen-url)
      page=\${url%%#*}
      as_agent() { setpriv --reuid=cabinet-kiosk --regid=cabinet-kiosk --init-groups "$@"; }
      as_agent curl -sf "$page" > /root/screen.html
      script=$(grep -o 'src="[^"]*[.]js"' /root/screen.html | head -n 1 | cut -d'"' -f2)
      as_agent curl -sf "\${page%/}/\${script#./}" | wc -c > /root/script.bytes
      kill -TERM $pid
      wait $pid || true
      cat /root/status.json
      echo
      stat -c "%a %U" /var/lib/cabinet-kiosk/kiosk.db
    `);
    const lines = out.trim().split('\n');
    const status = JSON.parse(lines.slice(0, -1).join('\n')) as Record<string, unknown>;
    expect(JSON.stringify(status)).toMatch(/compartment/);
    expect(lines.at(-1)).toBe('600 cabinet-kiosk');
    expect(await box.sh('cat /root/screen.html')).toMatch(/<script[^>]+src="[^"]+\.js"/);
    expect(Number(await box.sh('cat /root/script.bytes'))).toBeGreaterThan(10_000);
  }, TIMEOUT);

  it('applies what the agent commissioned on the screen as the apply unit does: only the line and the door map, as root, the previous file kept; a bad proposal is set aside', async () => {
    const unit = await box.sh('cat /usr/lib/systemd/system/cabinet-kiosk-apply-config.service');
    const exec = /^ExecStart=(.+)$/m.exec(unit)![1]!;
    const env = /^Environment=(.+)$/m.exec(unit)![1]!;
    const before = await box.sh('cat /etc/cabinet-kiosk/config.yaml');
    // The agent's user leaves the proposal in its own data folder (it may not write /etc).
    const proposal = JSON.stringify({ path: 'simulator', baudRate: 9600, protocol: 'xor-8a', boards: [{ address: 1, locks: 4 }], doors: [{ board: 1, lock: 2, compartment: 'A2', size: 'L' }, { board: 1, lock: 1, compartment: 'A1', size: 'S' }] });
    await box.sh(`
      as_agent() { setpriv --reuid=cabinet-kiosk --regid=cabinet-kiosk --init-groups "$@"; }
      as_agent mkdir -p -m 700 /var/lib/cabinet-kiosk/commission
      echo '${proposal}' | as_agent tee /var/lib/cabinet-kiosk/commission/proposal.json > /dev/null
      as_agent sh -c 'echo x >> /etc/cabinet-kiosk/config.yaml' 2>/dev/null && echo "the agent's user could write /etc" && exit 1
      env ${env} ${exec}
    `);
    const after = await box.sh('cat /etc/cabinet-kiosk/config.yaml');
    expect(after).toMatch(/compartments:\s*\n\s*- id: A2\s*\n\s*board: 1\s*\n\s*lock: 2\s*\n\s*size: L/);
    expect(after).toMatch(/- address: 1\s*\n\s*protocol: xor-8a\s*\n\s*locks: 4/);
    // Everything else of the technician's file (its comments too) stays.
    expect(after).toContain(before.split('\n').find((l) => l.startsWith('## AS SHIPPED'))!);
    expect((await box.sh('stat -c "%a %U %G" /etc/cabinet-kiosk/config.yaml')).trim()).toBe('640 root cabinet-kiosk');
    const backups = (await box.sh('ls /etc/cabinet-kiosk')).trim().split('\n').filter((f) => /^config\.yaml\..+\.bak$/.test(f));
    expect(backups).toHaveLength(1);
    expect(await box.sh(`cat /etc/cabinet-kiosk/${backups[0]!}`)).toBe(before);
    expect((await box.run('test -e /var/lib/cabinet-kiosk/commission/proposal.json')).status).not.toBe(0);

    // A proposal that names a lock the boards do not have: refused (exit 2), set aside, the file untouched.
    await box.sh(`echo '${proposal.replace('"lock":2', '"lock":9')}' > /var/lib/cabinet-kiosk/commission/proposal.json`);
    const bad = await box.run(`env ${env} ${exec} 2>&1`);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toMatch(/config-invalid/);
    expect(await box.sh('cat /etc/cabinet-kiosk/config.yaml')).toBe(after);
    expect((await box.run('test -e /var/lib/cabinet-kiosk/commission/proposal.json.rejected')).status).toBe(0);
    // Back to the demo file for the steps after this one.
    await box.sh(`cp /etc/cabinet-kiosk/${backups[0]!} /etc/cabinet-kiosk/config.yaml && rm -rf /etc/cabinet-kiosk/*.bak /var/lib/cabinet-kiosk/commission`);
  }, TIMEOUT);

  it('starts the screen as the unit does: Chromium in kiosk mode on the agent\'s address, the Electron shell instead when installed', async () => {
    // Stand-ins that print how they were started (the real Chromium needs a display; Electron is not here).
    const out = await box.sh(`
      printf '#!/bin/sh\\necho "chromium $(id -un) $*"\\n' > /usr/local/bin/chromium
      chmod 755 /usr/local/bin/chromium
      echo 'http://127.0.0.1:4711/#ticket=abc' > /tmp/screen-url
      chmod 644 /tmp/screen-url
      as_screen() { setpriv --reuid=cabinet-screen --regid=cabinet-screen --init-groups env CABINET_KIOSK_SCREEN_URL_FILE=/tmp/screen-url "$@"; }
      as_screen /usr/libexec/cabinet-kiosk/screen
      mkdir -p -m 755 /opt/cabinet-kiosk
      printf '#!/bin/sh\\necho "electron $(id -un) $*"\\n' > /opt/cabinet-kiosk/cabinet-kiosk
      chmod 755 /opt/cabinet-kiosk/cabinet-kiosk
      as_screen /usr/libexec/cabinet-kiosk/screen
      rm -rf /opt/cabinet-kiosk /usr/local/bin/chromium /tmp/screen-url
    `);
    const [chromium, electron] = out.trim().split('\n');
    expect(chromium).toMatch(/^chromium cabinet-screen .*--kiosk/);
    expect(chromium).toContain('--app=http://127.0.0.1:4711/#ticket=abc');
    expect(electron?.trim()).toBe('electron cabinet-screen');
  }, TIMEOUT);

  it('configures again without a change: users and groups as they were, the technician\'s config kept; a reinstall restarts the agent', async () => {
    await box.sh('echo "# edited by the technician" >> /etc/cabinet-kiosk/config.yaml');
    const before = await accounts();
    await box.sh(`/var/lib/dpkg/info/cabinet-kiosk.postinst configure ${version}-1 2>&1`);
    expect(await accounts()).toBe(before);
    await calls();
    // prerm upgrade, unpack, postinst configure <the version before>.
    await box.sh('dpkg -i /root/ck.deb 2>&1');
    expect(await accounts()).toBe(before);
    expect((await box.sh('tail -n 1 /etc/cabinet-kiosk/config.yaml')).trim()).toBe('# edited by the technician');
    expect((await box.sh('stat -c "%a %U" /var/lib/cabinet-kiosk')).trim()).toBe('700 cabinet-kiosk');
    const log = await calls();
    // The agent is stopped before its files are replaced; the window stays up and is restarted after.
    expect(log, log.join('\n')).toContain('stop cabinet-kiosk-agent.service');
    expect(log.filter((l) => /^stop .*cabinet-kiosk-screen/.test(l))).toEqual([]);
    expect(log.some((l) => /^--quiet --system restart .*cabinet-kiosk-agent\.service/.test(l)), log.join('\n')).toBe(true);
    expect(log).toContain('try-restart cabinet-kiosk-screen.service');
  }, TIMEOUT);

  it('remove: stops and masks the units; keeps the config, the data and the users', async () => {
    await box.sh('dpkg -r cabinet-kiosk 2>&1');
    expect((await box.run('test -e /usr/bin/cabinet-kiosk')).status).not.toBe(0);
    expect((await box.run('test -e /usr/lib/cabinet-kiosk')).status).not.toBe(0);
    expect(await box.sh('ls /var/lib/cabinet-kiosk')).toMatch(/kiosk\.db/);
    expect((await box.sh('stat -c "%a %U" /var/lib/cabinet-kiosk')).trim()).toBe('700 cabinet-kiosk');
    expect((await box.sh('tail -n 1 /etc/cabinet-kiosk/config.yaml')).trim()).toBe('# edited by the technician');
    await box.sh('getent passwd cabinet-kiosk cabinet-screen');
    for (const unit of UNITS) expect((await box.sh(`readlink /etc/systemd/system/${unit}`)).trim()).toBe('/dev/null');
    expect(await calls()).toContain('stop cabinet-kiosk-screen.service cabinet-kiosk-apply-config.path cabinet-kiosk-agent.service');
  }, TIMEOUT);

  it('purge: deletes the config and the data folder, unmasks and forgets the units; keeps the users', async () => {
    await box.sh('dpkg -P cabinet-kiosk 2>&1');
    expect((await box.run('test -e /etc/cabinet-kiosk')).status).not.toBe(0);
    expect((await box.run('test -e /var/lib/cabinet-kiosk')).status).not.toBe(0);
    await box.sh('getent passwd cabinet-kiosk cabinet-screen');
    expect((await box.sh('find /etc/systemd/system -name "cabinet-kiosk*"')).trim()).toBe('');
    expect((await box.run('dpkg-query -W cabinet-kiosk')).status).not.toBe(0);
  }, TIMEOUT);
});

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSerialPorts } from '../../drivers/index.js';
import { findElectron } from '../launch/electron-runtime.js';
import { findChromium } from '../ui/open-browser.js';
import type { DisplayFacts } from './checks/display.js';
import { touchDevices } from './checks/display.js';
import type { FontFacts } from './checks/fonts.js';
import type { NtpFacts } from './checks/clock.js';
import type { DeviceFacts, ServiceUser } from './checks/serial.js';
import type { ServiceFacts } from './checks/services.js';
import type { ShellFacts } from './checks/shell.js';

/** The packaged agent's system user (build/deb/postinst creates it). */
export const SERVICE_USER = 'cabinet-kiosk';
export const SERVICE_UNITS = ['cabinet-kiosk-agent.service', 'cabinet-kiosk-screen.service'];
/** Where the deb puts the rule; a copy in /etc/udev/rules.d of the same name overrides it. */
export const UDEV_RULE = '/usr/lib/udev/rules.d/99-cabinet-kiosk.rules';
/** dist/renderer beside dist/main (this file is dist/main/doctor/…). */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer', import.meta.url));

const EXEC_TIMEOUT_MS = 5000;

/** Runs a program; resolves its stdout, or rejects with the first line of what went wrong. */
export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: EXEC_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr.trim().split('\n')[0] ?? '') || ((err as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} not installed` : err.message)));
      else resolve(stdout);
    });
  });
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function groupsFile(): Array<{ name: string; gid: number; members: string[] }> {
  return (readText('/etc/group') ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', , gid = '', members = ''] = line.split(':');
      return { name, gid: Number(gid), members: members.split(',').filter(Boolean) };
    });
}

export function groupName(gid: number): string | null {
  return groupsFile().find((g) => g.gid === gid)?.name ?? null;
}

/** The packaged service user when it exists, else the user running doctor. */
export function serviceUser(): ServiceUser {
  const line = (readText('/etc/passwd') ?? '').split('\n').find((l) => l.startsWith(`${SERVICE_USER}:`));
  if (line) {
    const [, , uid = '', gid = ''] = line.split(':');
    const gids = [Number(gid), ...groupsFile().filter((g) => g.members.includes(SERVICE_USER)).map((g) => g.gid)];
    return { name: SERVICE_USER, uid: Number(uid), gids: [...new Set(gids)], source: 'service' };
  }
  const me = userInfo();
  return { name: me.username, uid: me.uid, gids: process.getgroups?.() ?? [me.gid], source: 'current' };
}

export async function deviceFacts(path: string): Promise<DeviceFacts> {
  try {
    const st = statSync(path);
    return { exists: true, path, realPath: realpathSync(path), uid: st.uid, gid: st.gid, mode: st.mode, groupName: groupName(st.gid), isCharDevice: st.isCharacterDevice() };
  } catch (err) {
    const seen = (await listSerialPorts().catch(() => [])).map((p) => p.path);
    return { exists: false, path, seen, ...((err as NodeJS.ErrnoException).code === 'EACCES' ? { denied: true } : {}) };
  }
}

function walk(dir: string, depth = 4): string[] {
  if (depth < 0) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), depth - 1) : [join(dir, e.name)]));
}

export async function fontFacts(rendererDir = RENDERER_DIR): Promise<FontFacts> {
  const shipped = walk(rendererDir).filter((p) => /\.(woff2?|ttf|otf)$/i.test(p)).map((p) => relative(rendererDir, p));
  let systemCjk: FontFacts['systemCjk'];
  try {
    const out = await run('fc-list', [':lang=zh', 'family']);
    systemCjk = { families: [...new Set(out.split('\n').map((l) => l.split(',')[0]!.trim()).filter(Boolean))] };
  } catch (err) {
    systemCjk = { reason: (err as Error).message };
  }
  return { rendererDir, shipped, systemCjk };
}

export function displayFacts(headless: boolean, env: NodeJS.ProcessEnv = process.env): DisplayFacts {
  const drmConnected: string[] = [];
  for (const name of existsSync('/sys/class/drm') ? readdirSync('/sys/class/drm') : []) {
    if (readText(join('/sys/class/drm', name, 'status'))?.trim() === 'connected') drmConnected.push(name);
  }
  return { headless, display: env['DISPLAY'] || undefined, wayland: env['WAYLAND_DISPLAY'] || undefined, drmConnected, touch: touchDevices(readText('/proc/bus/input/devices') ?? '') };
}

/** `timedatectl show` (systemd-timedated); absent or without systemd, the state is unknown. */
export async function ntpFacts(): Promise<NtpFacts> {
  try {
    const out = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '-p', 'NTP']);
    const prop = (k: string) => new RegExp(`^${k}=(\\w+)$`, 'm').exec(out)?.[1];
    return { available: true, synchronized: prop('NTPSynchronized') === 'yes', ntp: prop('NTP') === 'yes' };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}

function underSystemd(): boolean {
  return readText('/proc/1/comm')?.trim() === 'systemd';
}

export async function serviceFacts(): Promise<ServiceFacts> {
  if (process.platform !== 'linux') return { systemd: false, reason: process.platform };
  if (!underSystemd()) return { systemd: false, reason: `PID 1 is ${readText('/proc/1/comm')?.trim() ?? 'unknown'}` };
  const units = [];
  for (const unit of SERVICE_UNITS) {
    try {
      const out = await run('systemctl', ['show', unit, '-p', 'ActiveState', '-p', 'UnitFileState', '-p', 'LoadState']);
      const prop = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1] ?? '';
      units.push({ unit, active: prop('ActiveState'), enabled: prop('LoadState') === 'not-found' ? 'not-found' : prop('UnitFileState') });
    } catch (err) {
      units.push({ unit, active: `unknown (${(err as Error).message})`, enabled: 'unknown' });
    }
  }
  return { systemd: true, units };
}

export async function shellFacts(shell: ShellFacts['shell'], browserPath: string | undefined): Promise<ShellFacts> {
  return { shell, electron: await findElectron({ fetch: false }), chromium: findChromium(browserPath) };
}

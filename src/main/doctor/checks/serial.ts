import { fail, info, pass, type CheckResult } from '../check.js';

export interface ServiceUser {
  name: string;
  uid: number;
  /** Primary and supplementary groups. */
  gids: number[];
  /** `service`: the packaged agent's user exists and is checked; `current`: no such user, so the user running doctor is. */
  source: 'service' | 'current';
}

export type DeviceFacts =
  /** `denied`: the path exists perhaps, but a folder on the way may not be searched by whoever runs doctor (EACCES). */
  | { exists: false; path: string; seen: string[]; denied?: boolean }
  | { exists: true; path: string; realPath: string; uid: number; gid: number; mode: number; groupName: string | null; isCharDevice: boolean };

export interface SerialFacts {
  simulator: boolean;
  device: DeviceFacts | null;
  user: ServiceUser;
  /** The udev rule the deb installs (build/linux/99-cabinet-kiosk.rules). */
  udevRule: string;
}

/** Read and write for this user, from the mode bits alone (root always may). */
export function canReadWrite(d: { uid: number; gid: number; mode: number }, u: { uid: number; gids: readonly number[] }): boolean {
  if (u.uid === 0) return true;
  if (u.uid === d.uid) return (d.mode & 0o600) === 0o600;
  if (u.gids.includes(d.gid)) return (d.mode & 0o060) === 0o060;
  return (d.mode & 0o006) === 0o006;
}

/** `serial.device` and `serial.access`: the device is there and the service user may open it. */
export function serialChecks(f: SerialFacts): CheckResult[] {
  if (f.simulator || !f.device) return [info('serial.device', 'serial.path is "simulator": the embedded board simulator, no device to check')];
  const d = f.device;
  if (!d.exists && d.denied) {
    return [fail('serial.access', `${d.path} cannot even be looked at by the user running doctor: a folder on its way is closed (EACCES)`, `run doctor as root or as ${f.user.name}, and give serial.path as a /dev/serial/by-id/… link the service user can reach`)];
  }
  if (!d.exists) {
    const seen = d.seen.length ? `serial ports seen: ${d.seen.join(', ')}` : 'no serial port is seen at all';
    return [fail('serial.device', `${d.path} does not exist (${seen})`, d.seen.length ? `set serial.path to the adapter's /dev/serial/by-id/… link (one of the ports above), or plug the adapter in` : 'plug the USB-RS485 adapter in (dmesg shows whether the kernel sees it), then set serial.path to its /dev/serial/by-id/… link')];
  }
  const out: CheckResult[] = [];
  out.push(d.isCharDevice ? pass('serial.device', `${d.path} exists${d.realPath !== d.path ? ` (${d.realPath})` : ''}`) : fail('serial.device', `${d.path} is not a character device`, 'set serial.path to the serial adapter (/dev/serial/by-id/… or /dev/ttyUSB0)'));
  const who = `${f.user.source === 'service' ? 'service user' : 'user'} ${f.user.name}`;
  const group = d.groupName ?? String(d.gid);
  const modeText = (d.mode & 0o777).toString(8).padStart(4, '0');
  if (canReadWrite(d, f.user)) {
    out.push(pass('serial.access', `${who} may read and write ${d.realPath} (group ${group}, mode ${modeText})`));
  } else if ((d.mode & 0o060) === 0o060 && d.gid !== 0) {
    out.push(fail('serial.access', `${who} may not open ${d.realPath}: it belongs to group ${group} (mode ${modeText}) and ${f.user.name} is not in it`, `add ${f.user.name} to group ${group} (\`usermod -aG ${group} ${f.user.name}\`), then restart the agent`));
  } else {
    out.push(fail('serial.access', `${who} may not open ${d.realPath}: group ${group}, mode ${modeText} gives no group access`, `install the udev rule ${f.udevRule} (the deb ships it: group dialout, mode 0660), then \`udevadm trigger\` and replug the adapter`));
  }
  if (f.user.source === 'current') out.push(info('serial.user', `no user cabinet-kiosk on this machine (the package creates it): checked for ${f.user.name} instead`));
  return out;
}

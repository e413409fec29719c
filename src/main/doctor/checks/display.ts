import { fail, info, pass, warn, type CheckResult } from '../check.js';

export interface DisplayFacts {
  /** `ui.shell: none`: no screen is wanted. */
  headless: boolean;
  display: string | undefined;
  wayland: string | undefined;
  /** Connected DRM outputs (/sys/class/drm/card*-*\/status = connected). */
  drmConnected: string[];
  /** Input devices that report multi-touch positions or call themselves touch (/proc/bus/input/devices). */
  touch: string[];
}

/**
 * One device block of /proc/bus/input/devices → its name when it is a touch
 * device: ABS_MT_POSITION_X (code 0x35) in its `B: ABS=` bitmap (hex words,
 * most significant first), or "touch" in its name.
 */
export function touchDevices(procInputDevices: string): string[] {
  const out: string[] = [];
  for (const block of procInputDevices.split(/\n\s*\n/)) {
    const name = /^N: Name="(.*)"$/m.exec(block)?.[1];
    const abs = /^B: ABS=([0-9a-f ]+)$/m.exec(block)?.[1];
    if (!name) continue;
    if (/touch/i.test(name) || (abs !== undefined && hasBit(abs, 0x35))) out.push(name);
  }
  return out;
}

function hasBit(words: string, bit: number): boolean {
  const list = words.trim().split(/\s+/).reverse();
  const wordBits = 64;
  const word = list[Math.floor(bit / wordBits)];
  if (word === undefined) return false;
  return ((BigInt(`0x${word}`) >> BigInt(bit % wordBits)) & 1n) === 1n;
}

/** `display.output`, `display.touch`: headless configured turns a missing screen into a warning. */
export function displayChecks(f: DisplayFacts): CheckResult[] {
  const screens = [f.display ? `DISPLAY=${f.display}` : '', f.wayland ? `WAYLAND_DISPLAY=${f.wayland}` : '', ...f.drmConnected.map((d) => `DRM ${d}`)].filter(Boolean);
  const out: CheckResult[] = [];
  if (screens.length) out.push(pass('display.output', `display: ${screens.join(', ')}`));
  else if (f.headless) out.push(warn('display.output', 'no display (no DISPLAY, WAYLAND_DISPLAY or connected DRM output); ui.shell is none, so none is needed', 'connect the screen and set ui.shell to auto when this cabinet should have one'));
  else out.push(fail('display.output', 'no display: DISPLAY and WAYLAND_DISPLAY are unset and no DRM output is connected', 'connect the screen and start the kiosk session (cabinet-kiosk-screen.service), or set ui.shell: none for a headless cabinet'));
  if (f.touch.length) out.push(pass('display.touch', `touch input: ${f.touch.join(', ')}`));
  else if (f.headless) out.push(info('display.touch', 'no touch device (headless)'));
  else out.push(fail('display.touch', 'no touch device in /proc/bus/input/devices', "plug in the touch panel's USB cable (dmesg shows whether the kernel sees it)"));
  return out;
}

import { describe, expect, it } from 'vitest';
import { chooseBus } from '../../../src/main/commission/bus-choice.js';
import { CommissionError } from '../../../src/main/commission/errors.js';
import { checkResultSchema, doctorExitCode, doctorReportSchema, summarise, type CheckResult } from '../../../src/main/doctor/check.js';
import { boardChecks, MIXED_PROTOCOLS_CODE } from '../../../src/main/doctor/checks/boards.js';
import { clockChecks, SKEW_FAIL_MS, SKEW_WARN_MS } from '../../../src/main/doctor/checks/clock.js';
import { diskChecks } from '../../../src/main/doctor/checks/disk.js';
import { displayChecks, touchDevices } from '../../../src/main/doctor/checks/display.js';
import { fontChecks } from '../../../src/main/doctor/checks/fonts.js';
import { receiverChecks } from '../../../src/main/doctor/checks/receiver.js';
import { canReadWrite, serialChecks, type ServiceUser } from '../../../src/main/doctor/checks/serial.js';
import { serviceChecks } from '../../../src/main/doctor/checks/services.js';
import { shellChecks } from '../../../src/main/doctor/checks/shell.js';
import { vendorChecks } from '../../../src/main/doctor/checks/vendors.js';
import { redactConfig } from '../../../src/main/diag/redact-config.js';

const byId = (list: CheckResult[], id: string) => {
  const c = list.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${list.map((x) => x.id).join(', ')}`);
  return c;
};
const kiosk: ServiceUser = { name: 'cabinet-kiosk', uid: 998, gids: [998], source: 'service' };
const dev = { exists: true as const, path: '/dev/serial/by-id/usb-FTDI', realPath: '/dev/ttyUSB0', uid: 0, gid: 20, mode: 0o20660, groupName: 'dialout', isCharDevice: true };

describe('doctor: every check result names its action', () => {
  it('a warn or fail without an action is not a valid result; the report schema holds the counts', () => {
    expect(checkResultSchema.safeParse({ id: 'x.y', status: 'fail', summary: 's', action: null }).success).toBe(false);
    expect(checkResultSchema.safeParse({ id: 'x.y', status: 'info', summary: 's', action: null }).success).toBe(true);
    const checks: CheckResult[] = [{ id: 'a', status: 'pass', summary: 'ok', action: null }, { id: 'b', status: 'warn', summary: 'hm', action: 'do' }];
    expect(doctorExitCode(checks)).toBe(0);
    expect(doctorExitCode([...checks, { id: 'c', status: 'fail', summary: 'no', action: 'fix' }])).toBe(1);
    expect(doctorReportSchema.parse({ ok: true, version: '1', config: 'x', bus: 'none', counts: summarise(checks), checks }).counts).toEqual({ pass: 1, warn: 1, fail: 0, info: 0 });
  });
});

describe('doctor: serial device', () => {
  it('reads access from the mode bits like the kernel', () => {
    expect(canReadWrite(dev, { uid: 998, gids: [998] })).toBe(false);
    expect(canReadWrite(dev, { uid: 998, gids: [998, 20] })).toBe(true);
    expect(canReadWrite({ ...dev, mode: 0o20600 }, { uid: 998, gids: [20] })).toBe(false);
    expect(canReadWrite({ ...dev, mode: 0o20600 }, { uid: 0, gids: [] })).toBe(true);
  });

  it('a missing device fails and lists the ports seen; a missing group names usermod; no group access names the udev rule', () => {
    const missing = serialChecks({ simulator: false, device: { exists: false, path: '/dev/ttyUSB9', seen: ['/dev/ttyUSB0'] }, user: kiosk, udevRule: '/etc/udev/rules.d/99-cabinet-kiosk.rules' });
    expect(byId(missing, 'serial.device')).toMatchObject({ status: 'fail', summary: expect.stringContaining('/dev/ttyUSB0') });
    const noGroup = serialChecks({ simulator: false, device: dev, user: kiosk, udevRule: 'R' });
    expect(byId(noGroup, 'serial.access')).toMatchObject({ status: 'fail', action: expect.stringContaining('usermod -aG dialout cabinet-kiosk') });
    const rootOnly = serialChecks({ simulator: false, device: { ...dev, gid: 0, groupName: 'root', mode: 0o20600 }, user: kiosk, udevRule: '/etc/udev/rules.d/99-cabinet-kiosk.rules' });
    expect(byId(rootOnly, 'serial.access').action).toContain('99-cabinet-kiosk.rules');
    expect(byId(serialChecks({ simulator: false, device: dev, user: { ...kiosk, gids: [998, 20] }, udevRule: 'R' }), 'serial.access').status).toBe('pass');
    expect(byId(serialChecks({ simulator: true, device: null, user: kiosk, udevRule: 'R' }), 'serial.device').status).toBe('info');
  });
});

describe('doctor: boards', () => {
  const configured = [{ address: 1, protocol: 'xor-8a' as const, locks: 12 }, { address: 2, protocol: 'xor-8a' as const, locks: 12 }, { address: 3, protocol: 'xor-8a' as const, locks: 12 }, { address: 4, protocol: 'xor-8a' as const, locks: 12 }];
  const hits = [
    { protocol: 'xor-8a' as const, address: 1, baudRates: [9600], locks: 24 },
    { protocol: 'kerong-cu' as const, address: 2, baudRates: [9600], locks: 16 },
    { protocol: 'xor-8a' as const, address: 3, baudRates: [19_200], locks: 24 },
    { protocol: 'xor-8a' as const, address: 9, baudRates: [9600], locks: 24 },
  ];
  const checks = boardChecks({ source: 'doctor', configured, baudRate: 9600, hits, discovery: true });

  it('tells a board that answers, a wrong protocol, a wrong baud rate and a silent board apart, each with its fix', () => {
    expect(byId(checks, 'board.1').status).toBe('pass');
    expect(byId(checks, 'board.2')).toMatchObject({ status: 'fail', summary: expect.stringContaining('answers as kerong-cu'), action: expect.stringContaining('kerong-cu') });
    expect(byId(checks, 'board.3')).toMatchObject({ status: 'fail', action: 'set serial.baudRate: 19200' });
    expect(byId(checks, 'board.4')).toMatchObject({ status: 'fail', summary: expect.stringContaining('answers at 9') });
  });

  it('discovery: two protocols on one line is the bus-mixed-protocols failure, also in the configuration', () => {
    expect(byId(checks, 'bus.discovery')).toMatchObject({ status: 'fail', summary: expect.stringContaining('two protocols on one bus') });
    const mixedConfig = boardChecks({ source: 'none', reason: 'x', configured: [configured[0]!, { address: 2, protocol: 'kerong-cu', locks: 16 }] });
    expect(byId(mixedConfig, 'boards.protocol').status).toBe('fail');
    const extra = boardChecks({ source: 'doctor', configured: [configured[0]!], baudRate: 9600, hits: [hits[0]!, hits[3]!], discovery: true });
    expect(byId(extra, 'bus.discovery')).toMatchObject({ status: 'warn', summary: expect.stringContaining('xor-8a 9') });
  });

  it('while the agent holds the port, its reads answer and the line is not scanned', () => {
    const r = boardChecks({ source: 'agent', configured: configured.slice(0, 2), connected: true, answered: { 1: true, 2: false } });
    expect(byId(r, 'board.1').status).toBe('pass');
    expect(byId(r, 'board.2').status).toBe('fail');
    expect(byId(r, 'bus.discovery').status).toBe('info');
  });

  it('setup turns a mixed scan into CommissionError bus-mixed-protocols, and picks the usual rate', () => {
    let err: unknown;
    try {
      chooseBus({ path: '/dev/x', probes: 10, hits: [{ ...hits[0]!, doors: [] }, { ...hits[1]!, doors: [] }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CommissionError);
    expect((err as CommissionError).code).toBe(MIXED_PROTOCOLS_CODE);
    const one = chooseBus({ path: '/dev/x', probes: 10, hits: [{ protocol: 'kerong-cu', address: 0, baudRates: [9600, 19_200], locks: 16, doors: [] }] });
    expect(one).toMatchObject({ protocol: 'kerong-cu', baudRate: 19_200, boards: [{ address: 0, locks: 16 }] });
    expect(() => chooseBus({ path: '/dev/x', probes: 10, hits: [] })).toThrow(/no board answered/);
  });
});

describe('doctor: the other checks', () => {
  it('disk: below the reserve fails, near it warns', () => {
    const MB = 1024 * 1024;
    expect(diskChecks({ path: '/x', freeBytes: 10 * MB, reserveMb: 64 })[0]!.status).toBe('fail');
    expect(diskChecks({ path: '/x', freeBytes: 100 * MB, reserveMb: 64 })[0]!.status).toBe('warn');
    expect(diskChecks({ path: '/x', freeBytes: 1000 * MB, reserveMb: 64 })[0]!.status).toBe('pass');
  });

  it('clock: skew past 30 s warns, past 5 min fails; NTP off warns', () => {
    const c = clockChecks({ available: true, synchronized: false, ntp: false }, [
      { name: 'a', url: 'u', skewMs: SKEW_WARN_MS - 1 },
      { name: 'b', url: 'u', skewMs: -(SKEW_WARN_MS + 1) },
      { name: 'c', url: 'u', skewMs: SKEW_FAIL_MS + 1 },
    ]);
    expect(c.map((x) => x.status)).toEqual(['warn', 'pass', 'warn', 'fail']);
  });

  it('display: touch devices from /proc/bus/input/devices; headless turns a missing screen into a warning', () => {
    const proc = ['I: Bus=0003\nN: Name="ILITEK ILITEK-TP"\nB: ABS=3273800000000003', 'I: Bus=0011\nN: Name="AT Translated Set 2 keyboard"\nB: EV=120013'].join('\n\n');
    expect(touchDevices(proc)).toEqual(['ILITEK ILITEK-TP']);
    const none = { display: undefined, wayland: undefined, drmConnected: [], touch: [] };
    expect(displayChecks({ ...none, headless: false }).map((c) => c.status)).toEqual(['fail', 'fail']);
    expect(displayChecks({ ...none, headless: true }).map((c) => c.status)).toEqual(['warn', 'info']);
  });

  it('fonts, vendors, receiver, shell, services', () => {
    expect(fontChecks({ rendererDir: 'd', shipped: ['assets/kiosk-sans-400-a.woff2', 'assets/kiosk-sans-sc-400-b.woff2'], systemCjk: { families: [] } }).map((c) => c.status)).toEqual(['pass', 'pass', 'info']);
    expect(fontChecks({ rendererDir: 'd', shipped: [], systemCjk: { reason: 'x' } }).map((c) => c.status)).toEqual(['fail', 'fail', 'info']);
    expect(vendorChecks([{ name: 'yopoint', url: 'u', reachable: true, credentials: 'refused', probe: 'p', detail: 'd' }])[0]!.status).toBe('fail');
    expect(vendorChecks([{ name: 'wh', url: 'u', reachable: true, credentials: 'not-checked', probe: 'p', detail: '' }])[0]!.status).toBe('info');
    expect(receiverChecks({ configured: true, host: 'h', port: 1, bind: 'in-use', heldByAgent: true })[0]!.status).toBe('pass');
    expect(receiverChecks({ configured: true, host: 'h', port: 1, bind: 'in-use', heldByAgent: false })[0]!.status).toBe('fail');
    expect(shellChecks({ shell: 'auto', electron: { ok: false, reason: 'no binary' }, chromium: { path: '/usr/bin/chromium' } })[0]!.status).toBe('pass');
    expect(shellChecks({ shell: 'electron', electron: { ok: false, reason: 'no binary' }, chromium: { path: '/usr/bin/chromium' } })[0]!.status).toBe('fail');
    expect(serviceChecks({ systemd: false, reason: 'PID 1 is sh' }, { headless: false })[0]!.status).toBe('info');
    expect(serviceChecks({ systemd: true, units: [{ unit: 'cabinet-kiosk-agent.service', active: 'failed', enabled: 'enabled' }] }, { headless: false })[0]).toMatchObject({ status: 'fail', action: expect.stringContaining('systemctl enable --now') });
  });
});

describe('diag: configuration redaction', () => {
  it('removes PINs, secrets, tokens, keys and URL passwords, and returns the values to scrub elsewhere', () => {
    const { redacted, secrets } = redactConfig({
      cabinet: { id: 'AT1', secret: 'cabinet-secret-0123456789' },
      staff: { courierPin: '8642', technicianPin: '9753', sessionIdleMs: 1000 },
      cloud: { dingshang: { appId: 'app-id', appKey: 'ds-key-xyz', appSecret: 'ds-secret', callback: { urlToken: { param: 'token', value: 'url-token-0123456789' } } }, channel: { url: 'wss://user:hunter22@ops.example/ws', token: 'tok-12345678' } },
      boards: [{ address: 1, protocol: 'xor-8a', locks: 12 }],
    });
    const text = JSON.stringify(redacted);
    for (const s of ['cabinet-secret-0123456789', '8642', '9753', 'ds-key-xyz', 'ds-secret', 'url-token-0123456789', 'hunter22', 'tok-12345678']) {
      expect(text).not.toContain(s);
      expect(secrets).toContain(s);
    }
    expect(text).toContain('"appId":"app-id"');
    expect(text).toContain('"locks":12');
  });
});

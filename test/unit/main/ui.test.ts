import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KioskError } from '../../../src/shared/errors.js';
import * as store from '../../../src/store/index.js';
import { contentSecurityPolicy, fileFor, refuseUpgrade } from '../../../src/main/ui/browser-server.js';
import { mayCall } from '../../../src/main/ui/contract-host.js';
import { formatLogLine } from '../../../src/main/ui/log-tail.js';
import { findChromium, kioskBrowserArgs } from '../../../src/main/ui/open-browser.js';
import { dropOff, flowFixture } from '../../helpers/flow-context.js';

const PINS = { courier: '2468', technician: '1357' };

describe('staff PINs', () => {
  it('logs a right PIN in, audits both outcomes and never stores the PIN', () => {
    const f = flowFixture();
    expect(() => f.kiosk.verifyStaffPin('courier', '1357', PINS)).toThrow(expect.objectContaining({ code: 'pin-invalid' }));
    expect(f.kiosk.verifyStaffPin('technician', '1357', PINS)).toBe('technician');
    const audit = store.listAudit(f.db);
    expect(audit.map((a) => a.action).sort()).toEqual(['staff.login', 'staff.login-failed']);
    expect(JSON.stringify(audit)).not.toContain('1357');
  });

  it('refuses every PIN for a role whose PIN is not configured, without counting a guess', () => {
    const f = flowFixture();
    expect(() => f.kiosk.verifyStaffPin('courier', '2468', { courier: null, technician: '1357' })).toThrow(expect.objectContaining({ code: 'not-authorised' }));
    expect(store.failedAttemptsSince(f.db, 0, store.STAFF_PIN_SOURCE)).toBe(0);
  });

  it('locks out after the policy failures, survives a restart, and leaves customer codes alone', async () => {
    const f = flowFixture();
    const stored = await dropOff(f);
    const errors: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      try {
        f.kiosk.verifyStaffPin('technician', '9999', PINS);
      } catch (err) {
        errors.push((err as KioskError).code);
      }
    }
    expect(errors).toEqual(['pin-invalid', 'pin-invalid', 'pin-invalid', 'pin-invalid', 'locked-out', 'locked-out']);
    expect(store.lockoutState(f.db, f.now.t, f.ctx.policy.lockout, store.STAFF_PIN_SOURCE).lockedUntil).toBeGreaterThan(f.now.t);
    const again = flowFixture({ dbPath: f.dbPath });
    again.now.t = f.now.t + 1000;
    expect(() => again.kiosk.verifyStaffPin('technician', '1357', PINS)).toThrow(expect.objectContaining({ code: 'locked-out' }));
    // The customer's code still works: staff guesses are counted apart.
    await expect(again.kiosk.pickup(stored.code, 'keypad')).resolves.toMatchObject({ compartmentId: stored.compartmentId });
    again.now.t += 31_000;
    expect(again.kiosk.verifyStaffPin('technician', '1357', PINS)).toBe('technician');
  });
});

describe('contract roles', () => {
  it('a technician may do what a courier may, not the other way round', () => {
    expect(mayCall(null, null)).toBe(true);
    expect(mayCall(null, 'courier')).toBe(false);
    expect(mayCall('courier', 'courier')).toBe(true);
    expect(mayCall('courier', 'technician')).toBe(false);
    expect(mayCall('technician', 'courier')).toBe(true);
    expect(mayCall('technician', 'technician')).toBe(true);
  });
});

describe('browser mode guards', () => {
  it('maps request paths into the renderer folder and refuses every way out', () => {
    expect(fileFor('/r/', '/')).toBe('/r/index.html');
    expect(fileFor('/r/', '/assets/a.js?x=1')).toBe('/r/assets/a.js');
    // Dot segments are resolved against the renderer root, never above it.
    for (const up of ['/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc/passwd']) expect(fileFor('/r/', up)).toBe('/r/etc/passwd');
    for (const bad of ['/a%00.js', '/%E0%A4%A']) expect(fileFor('/r/', bad)).toBeNull();
  });

  it('lets only our path, host and origin upgrade', () => {
    const ok = { url: '/contract', headers: { host: '127.0.0.1:9', origin: 'http://127.0.0.1:9' } };
    expect(refuseUpgrade(ok, 'http://127.0.0.1:9', 9)).toBeNull();
    expect(refuseUpgrade({ ...ok, url: '/other' }, 'http://127.0.0.1:9', 9)).toMatch(/^404/);
    expect(refuseUpgrade({ ...ok, headers: { ...ok.headers, host: 'localhost:9' } }, 'http://127.0.0.1:9', 9)).toMatch(/^421/);
    expect(refuseUpgrade({ ...ok, headers: { ...ok.headers, origin: 'null' } }, 'http://127.0.0.1:9', 9)).toMatch(/^403/);
    expect(refuseUpgrade({ ...ok, headers: { host: ok.headers.host } }, 'http://127.0.0.1:9', 9)).toMatch(/^403/);
  });

  it('a CSP that allows only our own scripts and our own socket', () => {
    const csp = contentSecurityPolicy(8123);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:8123');
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('opens Chromium only where there is a display and a browser, and says why not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-chromium-'));
    const fake = join(dir, 'chromium');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(findChromium(undefined, { PATH: dir })).toEqual(process.platform === 'linux' ? { reason: expect.stringMatching(/no display/) } : { path: fake });
    expect(findChromium(undefined, { PATH: dir, DISPLAY: ':0' })).toEqual({ path: fake });
    expect(findChromium(undefined, { PATH: '/nonexistent', DISPLAY: ':0' })).toEqual({ reason: expect.stringMatching(/no Chromium on PATH/) });
    expect(findChromium('/nope/chrome', { DISPLAY: ':0' })).toEqual({ reason: expect.stringMatching(/not an executable/) });
    expect(kioskBrowserArgs('http://127.0.0.1:1/#token=t', '/p')).toEqual(expect.arrayContaining(['--kiosk', '--app=http://127.0.0.1:1/#token=t', '--user-data-dir=/p', '--disable-background-networking']));
  });
});

describe('log tail', () => {
  it('turns pino lines into one readable line, errors included, and leaves other text alone', () => {
    expect(formatLogLine('{"level":40,"time":"2026-11-23T12:03:04.000Z","module":"main/hardware","msg":"lock bus fault"}')).toBe('12:03:04 WARN main/hardware lock bus fault');
    expect(formatLogLine('{"level":50,"time":"2026-11-23T12:03:04.000Z","msg":"boom","err":{"message":"EIO"}}')).toBe('12:03:04 ERROR boom: EIO');
    expect(formatLogLine('plain text')).toBe('plain text');
  });
});

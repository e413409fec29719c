import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { busStaleBoundMs, DEFAULT_MAX_LOOP_LAG_MS, watchdogPingIntervalMs } from '../../../src/main/health/watchdog-policy.js';

/**
 * The agent unit's side of the service watchdog (src/main/health/): systemd
 * waits for READY=1, takes notifications from the agent's systemd-notify
 * children, and kills an agent whose pings stop for WatchdogSec; the bounds
 * the agent uses to stop pinging fit inside it with the default configuration.
 */
const unit = readFileSync(fileURLToPath(new URL('../../../build/linux/cabinet-kiosk-agent.service', import.meta.url)), 'utf8');
const setting = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];

describe('cabinet-kiosk-agent.service: Type=notify with a watchdog', () => {
  it('is Type=notify, takes notifications from the unit\'s processes (systemd-notify children), and has a 30 s watchdog', () => {
    expect(setting('Type')).toBe('notify');
    expect(setting('NotifyAccess')).toBe('all');
    expect(setting('WatchdogSec')).toBe('30');
    expect(setting('Restart')).toBe('always');
  });

  it('pings at half the watchdog, and the default bounds for "unhealthy" are shorter than it', () => {
    const watchdogMs = Number(setting('WatchdogSec')) * 1000;
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: String(watchdogMs * 1000) }, 1)).toBe(watchdogMs / 2);
    const c = loadConfig({ env: {} });
    const bus = busStaleBoundMs({ pollIntervalMs: c.supervision.pollIntervalMs, replyTimeoutMs: c.serial.replyTimeoutMs, readRetries: c.serial.readRetries, openAllTimeoutMs: c.serial.openAllTimeoutMs, boards: c.boards.length });
    expect(bus).toBeLessThan(watchdogMs);
    expect(DEFAULT_MAX_LOOP_LAG_MS).toBeLessThan(watchdogMs / 2);
  });
});

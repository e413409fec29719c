import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enterCode as enterCodeOn, PINS, screen, startKiosk, tapDigits, type KioskUnderTest } from '../helpers/kiosk-browser.js';
import { useKioskInChromium } from '../helpers/kiosk-suite.js';
import * as store from '../../src/store/index.js';

/**
 * The kiosk as people use it, in real Chromium: `cabinet-kiosk start` in
 * browser mode on a simulated cabinet over a socat PTY. Every screen is
 * photographed into test-results/screens (the README shows a few of them).
 */
const SHOTS = join(process.cwd(), 'test-results', 'screens');

describe('the kiosk in Chromium (browser mode, simulated cabinet)', { timeout: 60_000 }, () => {
  const ui = useKioskInChromium(() => startKiosk());
  let kiosk: KioskUnderTest;
  let page: Page;
  beforeAll(() => mkdirSync(SHOTS, { recursive: true }));
  beforeEach(() => ({ kiosk, page } = ui));

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const openFramesFor = ui.openFramesFor;

  async function deposit(size = 'M'): Promise<{ code: string; compartmentId: string; board: number; lock: number }> {
    const stored = await kiosk.cli('deposit', '--size', size);
    return stored as { code: string; compartmentId: string; board: number; lock: number };
  }

  const enterCode = (code: string) => enterCodeOn(page, code);

  it('a customer picks up with a code: the right lock gets its open frame and the door is shown', async () => {
    await shot('attract-zh');
    const parcel = await deposit('M');
    const before = openFramesFor(parcel.board, parcel.lock);
    await page.locator('[data-testid="start-pickup"]').click();
    await screen(page, 'code');
    await tapDigits(page, parcel.code);
    // In clear by default (a typo nobody sees feeds the lockout); the hide toggle masks it.
    await expect(page.locator('[data-testid="code-field"]').textContent()).resolves.toBe(parcel.code);
    await page.locator('[data-testid="code-show"]').click();
    await expect(page.locator('[data-testid="code-field"]').textContent()).resolves.not.toContain(parcel.code);
    await shot('code-entry');
    // The opening screen may last one frame on the simulator: note each door number it shows.
    await page.evaluate(`
      window.__openingDoors = [];
      new MutationObserver(() => {
        const door = document.querySelector('[data-testid="opening"]')?.getAttribute('data-door');
        if (door && window.__openingDoors.at(-1) !== door) window.__openingDoors.push(door);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    await page.locator('[data-key="ok"]').click();
    await screen(page, 'open');
    // "Opening door N…" named the door before the outcome.
    await expect(page.evaluate('window.__openingDoors')).resolves.toEqual([parcel.compartmentId]);
    await expect(page.locator('[data-testid="door-number"]').textContent()).resolves.toContain(parcel.compartmentId);
    await expect(page.locator(`[data-compartment="${parcel.compartmentId}"][data-highlight="true"]`).count()).resolves.toBe(1);
    await shot('door-open');
    expect(openFramesFor(parcel.board, parcel.lock)).toBe(before + 1);
    await page.locator('[data-testid="done"]').click();
    await screen(page, 'thanks');
    await screen(page, 'attract');
  });

  it('a USB scanner (keyboard digits and Enter) feeds the same field', async () => {
    const parcel = await deposit('S');
    await page.keyboard.type(parcel.code);
    await page.keyboard.press('Enter');
    await screen(page, 'open');
    await expect(page.locator('[data-testid="door-number"]').textContent()).resolves.toContain(parcel.compartmentId);
  });

  it('an expired code gets its own message, with what to do and the support phone', async () => {
    const parcel = await deposit('M');
    // Time passes beyond the parcel's pickup window.
    const db = new Database(join(kiosk.dir, 'kiosk.db'), { timeout: 5000 });
    try {
      db.prepare("UPDATE pickup_codes SET valid_until = ? WHERE parcel_id = (SELECT id FROM parcels WHERE compartment_id = ? AND state = 'stored')").run(Date.now() - 1000, parcel.compartmentId);
    } finally {
      db.close();
    }
    await enterCode(parcel.code);
    await screen(page, 'error');
    await expect(page.locator('main#app').getAttribute('data-error-code')).resolves.toBe('code-expired');
    await expect(page.locator('main#app').textContent()).resolves.toContain('400-800-1234');
    await shot('error-expired');
  });

  it('five refused codes bring the lockout message with the seconds left', async () => {
    // The expired code of the test before counts too: every refusal is a guess (no oracle), so the fourth wrong code is the fifth refusal.
    const codes: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      await enterCode('10000' + i);
      await screen(page, 'error');
      codes.push((await page.locator('main#app').getAttribute('data-error-code')) ?? '');
      if (i < 3) {
        await page.locator('[data-testid="error-back"]').click();
        await screen(page, 'code');
        // the field starts empty again
        await expect(page.locator('[data-key="ok"]').isDisabled()).resolves.toBe(true);
      }
    }
    expect(codes).toEqual(['code-invalid', 'code-invalid', 'code-invalid', 'locked-out']);
    const seconds = Number(await page.locator('[data-testid="lockout-seconds"]').textContent());
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(3);
    await shot('error-locked-out');
    // Let the short test lockout pass before the next test types a code.
    await page.waitForTimeout(3200);
  });

  it('a courier drop-off behind the PIN issues a code that then opens the same door', async () => {
    await page.locator('[data-testid="start-courier"]').click();
    await screen(page, 'staff-login');
    await shot('courier-pin');
    await tapDigits(page, PINS.courier);
    await page.locator('[data-key="ok"]').click();
    await screen(page, 'courier-menu');
    await page.locator('[data-testid="courier-dropoff"]').click();
    await screen(page, 'dropoff-size');
    await shot('dropoff-size');
    await page.locator('[data-size="L"]').click();
    await screen(page, 'dropoff-open');
    await shot('dropoff-open');
    const compartmentId = (await page.locator('[data-testid="door-number"]').textContent())?.trim() ?? '';
    expect(compartmentId).not.toBe('');
    // The simulated door swings shut by itself; the code appears when it does.
    await screen(page, 'dropoff-code', 15_000);
    const code = ((await page.locator('[data-testid="issued-code"]').textContent()) ?? '').replace(/\D/g, '');
    expect(code).toMatch(/^\d{6}$/);
    await shot('dropoff-code');
    await page.locator('[data-testid="dropoff-finish"]').click();
    await screen(page, 'attract');

    await enterCode(code);
    await screen(page, 'open');
    await expect(page.locator('[data-testid="door-number"]').textContent()).resolves.toContain(compartmentId);
  });

  it('the language toggle switches every text to English and back', async () => {
    await expect(page.locator('main#app').getAttribute('lang')).resolves.toBe('zh');
    const zh = await page.locator('[data-testid="start-pickup"]').textContent();
    await page.locator('[data-testid="lang-toggle"]').click();
    await expect(page.locator('main#app').getAttribute('lang')).resolves.toBe('en');
    const en = await page.locator('[data-testid="start-pickup"]').textContent();
    expect(en).not.toBe(zh);
    expect(en).toMatch(/[A-Za-z]/);
    await shot('attract-en');
    await page.locator('[data-testid="start-pickup"]').click();
    await screen(page, 'code');
    await expect(page.locator('main#app').getAttribute('lang')).resolves.toBe('en');
    await page.locator('[data-testid="lang-toggle"]').click();
    await expect(page.locator('main#app').getAttribute('lang')).resolves.toBe('zh');
  });

  it('the whole keypad fits on screen, portrait and landscape, with touch targets of at least 64 px', async () => {
    await page.locator('[data-testid="start-pickup"]').click();
    await screen(page, 'code');
    for (const viewport of [{ width: 1080, height: 1920 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(viewport);
      for (const key of ['1', '0', 'clear', 'back', 'ok']) {
        const box = await page.locator(`[data-key="${key}"]`).boundingBox();
        expect(box, key).not.toBeNull();
        expect(box!.width).toBeGreaterThanOrEqual(64);
        expect(box!.height).toBeGreaterThanOrEqual(64);
        expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
        expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      }
      expect(await page.evaluate('document.scrollingElement.scrollHeight <= innerHeight')).toBe(true);
    }
    await shot('code-entry-landscape');
  });

  it('idle on the code screen returns to the start and forgets the typed digits', async () => {
    await page.locator('[data-testid="start-pickup"]').click();
    await screen(page, 'code');
    await tapDigits(page, '123');
    await expect(page.locator('[data-key="ok"]').isDisabled()).resolves.toBe(true);
    await screen(page, 'attract', 8000);
    await page.locator('[data-testid="start-pickup"]').click();
    await screen(page, 'code');
    await expect(page.locator('[data-testid="code-field"]').textContent()).resolves.not.toMatch(/\d|•|\*/);
  });

  it('a technician opens a door from service mode and sees the bus diagnostics', async () => {
    await page.locator('[data-testid="start-technician"]').click();
    await screen(page, 'staff-login');
    await tapDigits(page, PINS.technician);
    await page.locator('[data-key="ok"]').click();
    await screen(page, 'service');
    const cell = page.locator('[data-testid="svc-compartment"][data-compartment="7"]');
    await cell.waitFor();
    await shot('service-grid');
    const before = openFramesFor(1, 7);
    await cell.click();
    await page.locator('[data-testid="svc-open"]').click();
    await expect.poll(() => openFramesFor(1, 7), { timeout: 5000 }).toBe(before + 1);
    await expect.poll(() => cell.getAttribute('data-door'), { timeout: 5000 }).toBe('open');
    await page.locator('[data-tab="diagnostics"]').click();
    await expect(page.locator('main#app').textContent()).resolves.toContain(String(kiosk.simulator.lines[0]?.['path'] ?? '/dev/pts'));
    await shot('service-diagnostics');
    await page.locator('[data-testid="svc-exit"]').click();
    await screen(page, 'attract');
  });

  it('service mode lists the orders a vendor notified and what a vendor said about our reports', async () => {
    // Written into the agent's own database file, as the receiver and the Dingshang callback would.
    const db = store.openDatabase(join(kiosk.dir, 'kiosk.db'), { busyTimeoutMs: 5000 });
    try {
      const now = Date.now();
      store.recordNotifiedOrder(db, { source: 'yopoint', orderRef: 'OD-FETCHED', cabinetRef: 'cab-77', paidAt: now - 60_000, receivedAt: now - 60_000 });
      store.completeVendorOrder(db, 'yopoint', 'OD-FETCHED', { ReceiptNo: 'OD-FETCHED' }, now - 59_000);
      store.recordNotifiedOrder(db, { source: 'yopoint', orderRef: 'OD-WAITING', cabinetRef: 'cab-77', paidAt: null, receivedAt: now - 30_000 });
      store.failVendorOrderFetch(db, 'yopoint', 'OD-WAITING', 'gateway timeout', now - 29_000);
      const picked = store.recordEvent(db, { type: 'parcel.picked-up', parcelId: null, payload: {}, occurredAt: now - 20_000 }, ['dingshang']);
      store.markDelivered(db, picked.id, 'dingshang', now - 19_000, { vendorRef: '4711' });
      store.recordVendorResult(db, 'dingshang', '4711', { orderId: 4711, outcome: 'failed', failReason: 'Slot Invalid' }, now - 10_000);
    } finally {
      store.closeDatabase(db);
    }
    await page.locator('[data-testid="start-technician"]').click();
    await screen(page, 'staff-login');
    await tapDigits(page, PINS.technician);
    await page.locator('[data-key="ok"]').click();
    await screen(page, 'service');
    await page.locator('[data-tab="outbox"]').click();
    const orders = page.locator('[data-testid="svc-vendor-orders"] tbody tr');
    await orders.first().waitFor();
    expect(await orders.evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-order')}:${r.getAttribute('data-fetched')}`))).toEqual(['OD-WAITING:no', 'OD-FETCHED:yes']);
    expect(await orders.first().textContent()).toContain('gateway timeout');
    const result = page.locator('[data-testid="svc-vendor-results"] tbody tr');
    expect(await result.count()).toBe(1);
    expect([await result.getAttribute('data-ref'), await result.getAttribute('data-outcome')]).toEqual(['4711', 'failed']);
    expect(await result.locator('[data-field="reason"]').textContent()).toBe('Slot Invalid');
    await shot('service-outbox-vendors');
    await page.locator('[data-testid="svc-exit"]').click();
    await screen(page, 'attract');
  });
});

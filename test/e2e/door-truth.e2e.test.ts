import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/renderer/i18n/messages.js';
import { fill } from '../../src/renderer/logic/format.js';
import { JsonLineProcess } from '../helpers/cli.js';
import { enterCode as enterCodeOn, PINS, screen, startKiosk, tapDigits, withSilentBoard, type KioskUnderTest } from '../helpers/kiosk-browser.js';
import { useKioskInChromium } from '../helpers/kiosk-suite.js';

/**
 * The screen tells the truth about every door, in real Chromium against a
 * real agent on a simulated cabinet whose doors stay where they are put
 * (auto-close off): a pickup whose board never answers says the door may have
 * opened, and a courier logging in after a power cut is asked about each
 * compartment a drop-off left open before anything else.
 */
const SHOTS = join(process.cwd(), 'test-results', 'screens');
const zh = MESSAGES.zh;

describe('door outcomes and needs-check in Chromium (browser mode, simulated cabinet)', { timeout: 90_000 }, () => {
  const ui = useKioskInChromium(() => startKiosk({}, { autoCloseMs: 0 }));
  let kiosk: KioskUnderTest;
  let page: Page;
  beforeAll(() => mkdirSync(SHOTS, { recursive: true }));
  beforeEach(() => ({ kiosk, page } = ui));

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const text = async () => (await page.locator('main#app').textContent()) ?? '';
  const openFramesFor = ui.openFramesFor;

  /** The next open frame the simulator takes after `seen`. */
  async function nextOpenFrame(seen: ReadonlySet<Record<string, unknown>>): Promise<{ board: number; lock: number }> {
    const frame = await kiosk.simulator.next((l) => !seen.has(l) && l['event'] === 'frame' && l['kind'] === 'open');
    return { board: Number(frame['board']), lock: Number(frame['lock']) };
  }

  /** A courier drop-off from the CLI whose door the test closes (the doors here never swing shut by themselves). */
  async function deposit(size: string): Promise<{ code: string; compartmentId: string; board: number; lock: number }> {
    const seen = new Set(kiosk.simulator.lines);
    const stored = kiosk.cli('deposit', '--size', size);
    const door = await nextOpenFrame(seen);
    await kiosk.simulatorCommand(`close ${door.board} ${door.lock}`);
    return (await stored) as { code: string; compartmentId: string; board: number; lock: number };
  }

  const enterCode = (code: string) => enterCodeOn(page, code);

  it('a pickup whose board never answers says the door may have opened, with its number; the retry opens it; a third try gets the staff contact', async () => {
    const parcel = await deposit('M');
    const before = openFramesFor(parcel.board, parcel.lock);
    // The lock stays shut and the board answers nothing, not even the door reads after the open:
    // the agent cannot tell what the door did.
    await withSilentBoard(
      kiosk,
      async () => {
        await enterCode(parcel.code);
        await screen(page, 'pickup-outcome', 30_000);
      },
      parcel,
    );
    expect(openFramesFor(parcel.board, parcel.lock)).toBe(before + 1);
    await expect(page.locator('[data-testid="door-number"]').textContent()).resolves.toBe(parcel.compartmentId);
    const said = await text();
    expect(said).toContain(fill(zh.doorMaybeTitle, { door: parcel.compartmentId }));
    expect(said).toContain(zh.pickupMaybeRetry);
    expect(said).not.toContain('失败');
    await shot('pickup-maybe-opened');

    // "If it did not open, type your code again": the code's one re-open.
    await page.locator('[data-testid="pickup-retry"]').click();
    await screen(page, 'code');
    await enterCode(parcel.code);
    await screen(page, 'open', 15_000);
    await expect(page.locator('[data-testid="door-number"]').textContent()).resolves.toBe(parcel.compartmentId);
    expect(openFramesFor(parcel.board, parcel.lock)).toBe(before + 2);
    await page.locator('[data-testid="done"]').click();
    await screen(page, 'thanks');

    // Two pulses are all one code may cause: the third try is sent to staff, with no "Try again".
    await page.locator('[data-testid="thanks-home"]').click();
    await screen(page, 'attract');
    await enterCode(parcel.code);
    await screen(page, 'error', 15_000);
    await expect(page.locator('main#app').getAttribute('data-error-code')).resolves.toBe('code-used');
    expect(await text()).toContain('400-800-1234');
    await expect(page.locator('[data-testid="support"]').isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-testid="error-back"]').getAttribute('data-action')).resolves.toBe('backToStart');
    expect(openFramesFor(parcel.board, parcel.lock)).toBe(before + 2);
  });

  it('a code whose two opens both went unanswered sends the customer to staff, and refuses a third pulse', async () => {
    const parcel = await deposit('S');
    const before = openFramesFor(parcel.board, parcel.lock);
    await withSilentBoard(
      kiosk,
      async () => {
        await enterCode(parcel.code);
        await screen(page, 'pickup-outcome', 30_000);
        await page.locator('[data-testid="pickup-retry"]').click();
        await screen(page, 'code');
        await enterCode(parcel.code);
        // The same screen again, now without the keypad: "If it did not open, please contact staff", phone and QR.
        await page.locator('main#app[data-screen="pickup-outcome"] [data-testid="support"]').waitFor({ timeout: 30_000 });
      },
      parcel,
    );
    expect(openFramesFor(parcel.board, parcel.lock)).toBe(before + 2);
    await expect(page.locator('[data-testid="door-number"]').textContent()).resolves.toBe(parcel.compartmentId);
    await expect(page.locator('[data-testid="pickup-retry"]').count()).resolves.toBe(0);
    const said = await text();
    expect(said).toContain(fill(zh.doorMaybeTitle, { door: parcel.compartmentId }));
    expect(said).toContain(zh.pickupMaybeStaff);
    expect(said).toContain('400-800-1234');
    await shot('pickup-maybe-opened-staff');

    await page.locator('[data-testid="done"]').click();
    await screen(page, 'thanks');
    await page.locator('[data-testid="thanks-home"]').click();
    await screen(page, 'attract');
    await enterCode(parcel.code);
    await screen(page, 'error', 15_000);
    await expect(page.locator('main#app').getAttribute('data-error-code')).resolves.toBe('code-open-limit');
    expect(await text()).toContain('400-800-1234');
    await expect(page.locator('[data-testid="error-back"]').getAttribute('data-action')).resolves.toBe('backToStart');
    expect(openFramesFor(parcel.board, parcel.lock)).toBe(before + 2);
    await shot('error-code-open-limit');
  });

  async function login(role: 'courier' | 'technician'): Promise<void> {
    await page.locator(`[data-testid="start-${role}"]`).click();
    await screen(page, 'staff-login');
    await tapDigits(page, PINS[role]);
    await page.locator('[data-key="ok"]').click();
  }

  it('a courier whose drop-off door may have opened is asked at once whether a parcel is inside; "no" frees it and goes back to the sizes', async () => {
    await login('courier');
    await screen(page, 'courier-menu');
    await page.locator('[data-testid="courier-dropoff"]').click();
    await screen(page, 'dropoff-size');
    const seen = new Set(kiosk.simulator.lines);
    await withSilentBoard(kiosk, async () => {
      await page.locator('[data-size="L"]').click();
      await screen(page, 'check', 30_000);
    });
    const door = await nextOpenFrame(seen);
    const id = (await page.locator('[data-testid="check"]').getAttribute('data-compartment')) ?? '';
    const status = (await kiosk.cli('status')) as { compartments: Array<{ id: string; board: number; lock: number; parcel: { state: string } | null }> };
    expect(status.compartments.find((c) => c.id === id)).toMatchObject({ board: door.board, lock: door.lock, parcel: { state: 'awaiting-dropoff' } });
    await expect(page.locator('[data-testid="check-question"]').textContent()).resolves.toBe(fill(zh.checkLive, { door: id }));
    await shot('dropoff-maybe-opened-check');
    await page.locator('[data-testid="check-no"]').click();
    await screen(page, 'dropoff-size');
    const after = (await kiosk.cli('status')) as { compartments: Array<{ id: string; parcel: unknown }> };
    expect(after.compartments.find((c) => c.id === id)?.parcel ?? null).toBeNull();
  });

  it("a technician's open that may have opened says so, marks the compartment in the grid and asks about it there", async () => {
    const parcel = await deposit('XL');
    await login('technician');
    await screen(page, 'service');
    const cell = page.locator(`[data-testid="svc-compartment"][data-compartment="${parcel.compartmentId}"]`);
    await cell.click();
    await withSilentBoard(
      kiosk,
      async () => {
        await page.locator('[data-testid="svc-open"]').click();
        await page.locator('[data-testid="svc-notice"]').waitFor({ timeout: 30_000 });
      },
      parcel,
    );
    await expect(page.locator('[data-testid="svc-notice"]').getAttribute('data-kind')).resolves.toBe('warn');
    await expect(page.locator('[data-testid="svc-notice"]').textContent()).resolves.toBe(fill(zh.svcMaybeOpened, { door: parcel.compartmentId }));
    await expect.poll(() => cell.getAttribute('data-needs-check'), { timeout: 5000 }).toBe('true');
    await expect(cell.textContent()).resolves.toContain(zh.svcNeedsCheck);
    await shot('service-needs-check');

    await page.locator('[data-testid="svc-check"]').click();
    await screen(page, 'check');
    await expect(page.locator('[data-testid="check"]').getAttribute('data-kind')).resolves.toBe('technician');
    await expect(page.locator('[data-testid="check-question"]').textContent()).resolves.toBe(fill(zh.checkOpened, { door: parcel.compartmentId }));
    await page.locator('[data-testid="check-yes"]').click();
    await screen(page, 'service');
    const again = page.locator(`[data-testid="svc-compartment"][data-compartment="${parcel.compartmentId}"]`);
    await expect.poll(() => again.getAttribute('data-needs-check'), { timeout: 5000 }).toBe('false');
    const status = (await kiosk.cli('status')) as { compartments: Array<{ id: string; parcel: { state: string } | null }> };
    expect(status.compartments.find((c) => c.id === parcel.compartmentId)?.parcel?.state).toBe('stored');
  });

  it('after a power cut during two drop-offs, a courier login asks about each compartment first: yes issues the code, no frees it', async () => {
    // Two couriers' doors open; the agent dies before either door is seen closing.
    const cli = (...args: string[]) => new JsonLineProcess(['--config', kiosk.configPath, '--json', ...args], {}, { cwd: kiosk.dir });
    let seen = new Set(kiosk.simulator.lines);
    const first = cli('deposit', '--size', 'S');
    const a = await nextOpenFrame(seen);
    seen = new Set(kiosk.simulator.lines);
    const second = cli('deposit', '--size', 'S');
    const b = await nextOpenFrame(seen);
    const before = (await kiosk.cli('status')) as { compartments: Array<{ id: string; board: number; lock: number }> };
    const idOf = (door: { board: number; lock: number }) => before.compartments.find((c) => c.board === door.board && c.lock === door.lock)?.id ?? '';
    const [idA, idB] = [idOf(a), idOf(b)];
    expect(idA).not.toBe('');
    expect(idB).not.toBe(idA);
    await first.stop('SIGKILL');
    await second.stop('SIGKILL');
    await kiosk.restartAgent();
    await kiosk.simulatorCommand(`close ${a.board} ${a.lock}`);
    await kiosk.simulatorCommand(`close ${b.board} ${b.lock}`);

    await page.goto(await kiosk.screenUrl());
    await screen(page, 'attract');
    await login('courier');

    // The question comes before the courier menu, one compartment at a time.
    await screen(page, 'check');
    const asked = (await page.locator('[data-testid="check"]').getAttribute('data-compartment')) ?? '';
    expect([idA, idB]).toContain(asked);
    const [yes, no] = asked === idA ? [idA, idB] : [idB, idA];
    await expect(page.locator('[data-testid="check-question"]').textContent()).resolves.toBe(fill(zh.checkDropoff, { door: yes }));
    await shot('needs-check-dropoff');
    await page.locator('[data-testid="check-yes"]').click();

    // Yes: the interrupted drop-off is stored now, its code shown like a normal drop-off's.
    await screen(page, 'dropoff-code');
    await expect(page.locator('[data-testid="door-number"]').textContent()).resolves.toBe(yes);
    const code = ((await page.locator('[data-testid="issued-code"]').textContent()) ?? '').replace(/\D/g, '');
    expect(code).toMatch(/^\d{6}$/);
    await page.locator('[data-testid="dropoff-next"]').click();

    await screen(page, 'check');
    await expect(page.locator('[data-testid="check"]').getAttribute('data-compartment')).resolves.toBe(no);
    await expect(page.locator('[data-testid="check-question"]').textContent()).resolves.toBe(fill(zh.checkDropoff, { door: no }));
    await page.locator('[data-testid="check-no"]').click();
    await screen(page, 'courier-menu');

    // What the screen said is what the cabinet holds: "yes" stored (its code opens it), "no" free again.
    const after = (await kiosk.cli('status')) as { compartments: Array<{ id: string; parcel: { state: string } | null }> };
    expect(after.compartments.find((c) => c.id === yes)?.parcel?.state).toBe('stored');
    expect(after.compartments.find((c) => c.id === no)?.parcel ?? null).toBeNull();
    const picked = await kiosk.cli('pickup', code);
    expect(picked).toMatchObject({ outcome: 'opened', compartmentId: yes });

    // No question is left for the next login.
    await page.locator('[data-testid="staff-logout"]').click();
    await screen(page, 'attract');
    await login('courier');
    await screen(page, 'courier-menu');
  });
});

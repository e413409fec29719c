import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimPulseEvent } from '../../../src/drivers/simulator/board-simulator.js';
import { applyCommissioned, applyProposal, proposalPath } from '../../../src/main/commission/apply.js';
import { loadConfig } from '../../../src/main/config/load-config.js';
import { createLogger } from '../../../src/main/logging.js';
import { runAgent, type RunningAgent } from '../../../src/main/run-agent.js';
import { KioskError } from '../../../src/shared/errors.js';
import { ptyTransport, requireSocat } from '../../helpers/pty.js';

/**
 * Commissioning from the screen, inside a running agent (the calls behind
 * `commission.*`): the agent lets go of the line, the scan finds the
 * simulator's board on its PTY, a pulse really reaches the lock, Save
 * writes the file as `setup` does (the old one kept) and asks for the
 * restart; Cancel writes nothing; customers are refused meanwhile.
 */
const LONG = 120_000;
let dir: string;
let running: RunningAgent | undefined;

beforeAll(() => {
  requireSocat();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ck-commission-')));
  return () => rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function cabinetFile(name: string): { file: string; text: string } {
  const file = join(dir, `${name}.yaml`);
  const text = [
    'cabinet:',
    "  id: CK-COMMISSION # the operator's id",
    'serial:',
    '  path: simulator',
    `database: ./${name}/kiosk.db`,
    'simulator:',
    `  transport: ${ptyTransport()}`,
    '  autoCloseMs: 150',
    'boards:',
    '  - { address: 3, protocol: xor-8a, locks: 8 }',
    'log: { file: false }',
    '',
  ].join('\n');
  writeFileSync(file, text, { mode: 0o640 });
  return { file, text };
}

async function start(file?: string): Promise<RunningAgent> {
  const config = file ? loadConfig({ file }) : loadConfig({ env: {}, cwd: join(dir, 'embedded') });
  running = await runAgent(config, await createLogger(config, { stdout: false }), { jobs: false });
  return running;
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; meta: Record<string, unknown> }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KioskError);
  return err as KioskError;
}

describe('commissioning from the screen, on the simulator over a PTY', () => {
  it('scans, pulses the lock asked for, saves the door map into the file (old one kept) and asks for a restart; doors are refused meanwhile', { timeout: LONG }, async () => {
    const { file, text } = cabinetFile('save');
    const { agent } = await start(file);
    const pulses: SimPulseEvent[] = [];
    agent.hardware.simulator!.simulator.on('pulse', (p) => pulses.push(p));
    let restarted: string | null = null;
    void agent.restartRequested.then((why) => (restarted = why));

    const begun = await agent.commissioning.begin();
    expect(begun).toMatchObject({ port: agent.hardware.simulator!.agentPath, simulator: true, configFile: file });
    expect(begun.current).toHaveLength(8);
    expect(begun.current[0]).toMatchObject({ board: 3, lock: 1 });
    // The line is the technician's now: nobody else's door opens.
    expect((await refusal(agent.kiosk.pickup('12345678', 'keypad'))).code).toBe('cabinet-in-setup');
    expect((await refusal(agent.kiosk.openCompartment(begun.current[0]!.compartment, 'technician:test'))).code).toBe('cabinet-in-setup');
    // A second begin (the screen reloaded) is the same session.
    expect(await agent.commissioning.begin()).toEqual(begun);

    const progress: Array<{ protocol: string; found?: { address: number; locks: number } }> = [];
    const bus = await agent.commissioning.scan((p) => progress.push(p));
    // The status reply carries 24 lock positions; the 8 the file gives this board are kept.
    expect(bus).toMatchObject({ protocol: 'xor-8a', boards: [{ address: 3, locks: 8 }], leftOut: [] });
    expect(new Set(progress.map((p) => p.protocol))).toEqual(new Set(['xor-8a', 'kerong-cu', 'modbus-relay']));
    expect(progress.filter((p) => p.found).map((p) => p.found)).toEqual([{ address: 3, locks: 24 }]);
    expect(pulses).toEqual([]);

    expect(await agent.commissioning.pulse(3, 5)).toEqual({ outcome: 'opened' });
    expect(pulses.map((p) => `${p.board}/${p.lock}`)).toEqual(['3/5']);
    expect((await refusal(agent.commissioning.pulse(3, 9))).code).toBe('bad-request');
    expect((await refusal(agent.commissioning.save([{ board: 3, lock: 1, compartment: 'D1', size: 'S' }, { board: 3, lock: 2, compartment: 'D1', size: 'M' }]))).code).toBe('bad-request');
    expect((await refusal(agent.commissioning.save([{ board: 3, lock: 1, compartment: 'D1', size: 'S' }, { board: 3, lock: 1, compartment: 'D2', size: 'M' }]))).code).toBe('bad-request');
    expect(readFileSync(file, 'utf8')).toBe(text);

    const saved = await agent.commissioning.save([
      { board: 3, lock: 5, compartment: 'D5', size: 'XL' },
      { board: 3, lock: 1, compartment: 'D1', size: 'S' },
    ]);
    expect(saved).toMatchObject({ file, applied: 'written' });
    const written = readFileSync(file, 'utf8');
    expect(written).toContain("# the operator's id");
    expect(parseYaml(written)).toMatchObject({
      // The demo's line stays the simulator: its PTY is made anew at each start.
      serial: { path: 'simulator', baudRate: 9600 },
      boards: [{ address: 3, protocol: 'xor-8a', locks: 8 }],
      compartments: [{ id: 'D5', board: 3, lock: 5, size: 'XL' }, { id: 'D1', board: 3, lock: 1, size: 'S' }],
    });
    expect(readFileSync(saved.backup!, 'utf8')).toBe(text);
    expect(loadConfig({ file }).compartments.map((c) => c.id)).toEqual(['D5', 'D1']);
    expect(await agent.restartRequested).toBe('commissioning saved');
    expect(restarted).toBe('commissioning saved');
    // Ended: nothing more is taken until the restart.
    expect((await refusal(agent.commissioning.scan())).code).toBe('cabinet-in-setup');
  });

  it('Cancel writes nothing and asks for the restart that takes the line back', { timeout: LONG }, async () => {
    const { file, text } = cabinetFile('cancel');
    const { agent } = await start(file);
    await agent.commissioning.begin();
    expect(await agent.commissioning.cancel()).toBeNull();
    expect(await agent.restartRequested).toBe('commissioning cancelled');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(dir).filter((f) => f.startsWith('cancel.yaml.'))).toEqual([]);
  });

  it('a technician who walks away: setup is cancelled after the grace time unless taken up again', { timeout: LONG }, async () => {
    const { file, text } = cabinetFile('abandon');
    const { agent } = await start(file);
    await agent.commissioning.begin();
    // The screen's connection dropped; the technician logs in again and takes it up in time.
    agent.commissioning.abandonAfter(200);
    await agent.commissioning.begin();
    let restarted: string | null = null;
    void agent.restartRequested.then((why) => (restarted = why));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(restarted).toBeNull();
    // Logged out (or idle) with setup open: cancelled at once.
    agent.commissioning.abandonAfter(0);
    expect(await agent.restartRequested).toBe('commissioning cancelled');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a line where no board answers: commission-failed, bus-silent, with what to check', { timeout: LONG }, async () => {
    const { file } = cabinetFile('silent');
    const { agent } = await start(file);
    await agent.commissioning.begin();
    agent.hardware.simulator!.simulator.setFault('no-reply');
    const err = await refusal(agent.commissioning.scan());
    expect(err.code).toBe('commission-failed');
    // Said for the screen: no command-line flag the technician cannot type here.
    expect(err.meta).toMatchObject({ reason: 'bus-silent', hint: expect.stringMatching(/A\/B wiring/) });
    expect(err.meta['hint']).not.toMatch(/--/);
    // Nothing to pulse or save before a scan that found the line.
    expect((await refusal(agent.commissioning.pulse(3, 1))).code).toBe('bad-request');
  });

  it('on the embedded defaults there is no file to write: Save says how to start with one', { timeout: LONG }, async () => {
    const { agent } = await start();
    const begun = await agent.commissioning.begin();
    expect(begun.configFile).toBeNull();
    const err = await refusal(agent.commissioning.save([{ board: 1, lock: 1, compartment: 'A1', size: 'M' }]));
    expect(err.code).toBe('commission-failed');
    expect(err.meta).toMatchObject({ reason: 'config-invalid', hint: expect.stringMatching(/--config FILE/) });
  });
});

describe('an agent that may not write its configuration hands the proposal over', () => {
  it('leaves the line and door map in its data folder; `setup --apply` (the root unit) writes them and removes it', () => {
    const { file, text } = cabinetFile('handover');
    const dataDir = join(dir, 'handover-data');
    const bus = { path: '/dev/serial/by-id/usb-FTDI-if00-port0', baudRate: 19200, protocol: 'xor-8a' as const, boards: [{ address: 3, locks: 8 }], doors: [{ board: 3, lock: 2, compartment: 'H2', size: 'M' as const }] };
    const handed = applyCommissioned(file, dataDir, bus, { mayReplace: () => false });
    expect(handed).toEqual({ file, backup: null, applied: 'handed-over' });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(JSON.parse(readFileSync(proposalPath(dataDir), 'utf8'))).toEqual(bus);

    const applied = applyProposal(proposalPath(dataDir), file);
    expect(applied.applied).toBe('written');
    expect(parseYaml(readFileSync(file, 'utf8'))).toMatchObject({ serial: { path: bus.path, baudRate: 19200 }, compartments: [{ id: 'H2', board: 3, lock: 2, size: 'M' }] });
    expect(readFileSync(applied.backup!, 'utf8')).toBe(text);
    expect(existsSync(proposalPath(dataDir))).toBe(false);
  });

  it('a proposal with a key beyond the line and the door map is refused and set aside', () => {
    const { file, text } = cabinetFile('smuggle');
    const dataDir = join(dir, 'smuggle-data');
    applyCommissioned(file, dataDir, { path: 'simulator', baudRate: 9600, protocol: 'xor-8a', boards: [{ address: 3, locks: 8 }], doors: null }, { mayReplace: () => false });
    const proposal = proposalPath(dataDir);
    writeFileSync(proposal, JSON.stringify({ ...(JSON.parse(readFileSync(proposal, 'utf8')) as object), staff: { technicianPin: '0000' } }));
    expect(() => applyProposal(proposal, file)).toThrow(/not a commissioning proposal/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(`${proposal}.rejected`)).toBe(true);
  });
});

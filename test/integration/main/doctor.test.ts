import { chmodSync, chownSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/drivers/simulator/start-simulator.js';
import { doctorReportSchema, type CheckResult, type DoctorReport } from '../../../src/main/doctor/check.js';
import { assertBuilt, JsonLineProcess, runCli } from '../../helpers/cli.js';
import { ptyTransport } from '../../helpers/pty.js';
import { NOBODY, runJsonAs } from '../../helpers/run-as.js';
import { BIN } from '../../helpers/cli.js';

/**
 * `cabinet-kiosk doctor` against the board simulator on a socat PTY, run as
 * the technician would (the built CLI): the bus faults it must tell apart,
 * a missing device, a device another user may not open, and a running agent
 * that keeps the port while the doctor asks it.
 */
const DIALOUT_GID = 20;
const LONG = 120_000;

let dir: string;
let sim: SimulatorHandle;

function check(r: DoctorReport, id: string): CheckResult {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}: ${r.checks.map((x) => `${x.id}=${x.status}`).join(', ')}`);
  return c;
}

function writeConfig(name: string, doc: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ ui: { shell: 'none' }, database: `./data-${name}/kiosk.db`, ...doc }));
  chmodSync(path, 0o644);
  return path;
}

async function doctor(config: string, extra: string[] = []): Promise<{ code: number | null; report: DoctorReport }> {
  const r = await runCli(['--config', config, '--json', 'doctor', ...extra], {}, { timeoutMs: LONG });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}): ${r.stdout} ${r.stderr}`);
  }
  return { code: r.code, report: doctorReportSchema.parse(json) };
}

beforeAll(async () => {
  assertBuilt();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ck-doctor-')));
  chmodSync(dir, 0o755);
  // Boards 1, 2, 3 speak xor-8a; the configurations below get some of them wrong on purpose.
  sim = await startSimulator({ boards: [1, 2, 3].map((address) => ({ address, protocol: 'xor-8a' as const, locks: 12 })), autoCloseMs: 200, transport: ptyTransport() });
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => sim.simulator.clearFaults());

describe('doctor on a PTY bus', () => {
  it('tells a good board, a wrong protocol and a silent board apart, prints the --json schema, exits 1', { timeout: LONG }, async () => {
    sim.simulator.setFault('no-reply', { board: 3 });
    const config = writeConfig('faults.json', {
      serial: { path: sim.agentPath, baudRate: 9600 },
      boards: [
        { address: 1, protocol: 'xor-8a', locks: 12 },
        { address: 2, protocol: 'kerong-cu', locks: 12 },
        { address: 3, protocol: 'xor-8a', locks: 12 },
      ],
    });
    const { code, report } = await doctor(config, ['--no-discovery']);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.bus).toBe('doctor');
    expect(check(report, 'serial.device').status).toBe('pass');
    expect(check(report, 'board.1').status).toBe('pass');
    expect(check(report, 'board.2')).toMatchObject({ status: 'fail', summary: expect.stringContaining('answers as xor-8a, not kerong-cu') });
    expect(check(report, 'board.3')).toMatchObject({ status: 'fail', summary: expect.stringContaining('does not answer') });
    expect(check(report, 'boards.protocol')).toMatchObject({ status: 'fail', summary: expect.stringContaining('two protocols on one bus') });
    // Headless configured: no display is a warning, never a failure.
    expect(check(report, 'display.output').status).toBe('warn');
    for (const c of report.checks.filter((x) => x.status === 'fail' || x.status === 'warn')) expect(c.action).toBeTruthy();
  });

  it('discovery lists boards that answer but are not configured', { timeout: LONG }, async () => {
    const config = writeConfig('discovery.json', { serial: { path: sim.agentPath, baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 12 }] });
    const { report } = await doctor(config);
    expect(check(report, 'board.1').status).toBe('pass');
    expect(check(report, 'bus.discovery')).toMatchObject({ status: 'warn', summary: expect.stringMatching(/xor-8a 2 .*xor-8a 3/) });
  });

  it('a missing device fails with the ports seen, and the boards are not asked', { timeout: LONG }, async () => {
    const config = writeConfig('missing.json', { serial: { path: '/dev/ttyUSB-ck-missing', baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 12 }] });
    const { code, report } = await doctor(config, ['--no-discovery']);
    expect(code).toBe(1);
    expect(check(report, 'serial.device')).toMatchObject({ status: 'fail', summary: expect.stringContaining('does not exist') });
    expect(check(report, 'boards.answer')).toMatchObject({ status: 'fail', summary: expect.stringContaining('could not be opened') });
  });

  it('another user not in the device group: serial.access fails naming the group and usermod; behind a closed folder, it says so', { timeout: LONG }, async () => {
    const device = realpathSync(sim.agentPath);
    chownSync(device, 0, DIALOUT_GID);
    chmodSync(device, 0o660);
    // The PTY's own node, as udev would name it: the link lives in a folder only root may search.
    const config = writeConfig('nobody.json', { serial: { path: device, baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 12 }], database: join(dir, 'nobody-data', 'kiosk.db') });
    mkdirSync(join(dir, 'nobody-data'), { mode: 0o777 });
    chmodSync(join(dir, 'nobody-data'), 0o777);
    const report = doctorReportSchema.parse(await runJsonAs(NOBODY, [BIN, '--config', config, '--json', 'doctor', '--no-discovery'], 'doctor as nobody'));
    expect(report.ok).toBe(false);
    expect(check(report, 'serial.access')).toMatchObject({ status: 'fail', summary: expect.stringContaining('group dialout'), action: expect.stringContaining('usermod -aG dialout nobody') });
    expect(check(report, 'boards.answer')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/permission denied/i) });
    const hidden = writeConfig('nobody-link.json', { serial: { path: sim.agentPath, baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 12 }], database: join(dir, 'nobody-data', 'kiosk.db') });
    const behind = doctorReportSchema.parse(await runJsonAs(NOBODY, [BIN, '--config', hidden, '--json', 'doctor', '--no-discovery'], 'doctor as nobody'));
    expect(check(behind, 'serial.access')).toMatchObject({ status: 'fail', summary: expect.stringContaining('EACCES') });
  });
});

describe('doctor with nothing failing', () => {
  it('exits 0 and prints one line per check (headless demo cabinet: the display is a warning, the simulator info)', { timeout: LONG }, async () => {
    const config = writeConfig('clean.json', { simulator: { transport: 'mock' } });
    const r = await runCli(['--config', config, 'doctor'], {}, { timeoutMs: LONG });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^info\s+serial\.device\s+serial\.path is "simulator"/m);
    expect(r.stdout).toMatch(/^WARN\s+display\.output .*\n\s+→ connect the screen/m);
    expect(r.stdout).toMatch(/^0 fail, \d+ warn, \d+ pass, \d+ info$/m);
  });
});

describe('doctor beside a running agent', () => {
  let agent: JsonLineProcess | undefined;
  afterAll(async () => {
    await agent?.stop();
  });

  it('asks the agent (which keeps the port) instead of opening the line; the agent still drives its boards afterwards', { timeout: LONG }, async () => {
    const config = writeConfig('agent.json', { serial: { path: sim.agentPath, baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 12 }, { address: 2, protocol: 'xor-8a', locks: 12 }] });
    agent = new JsonLineProcess(['--config', config, 'start', '--json', '--ui', 'none']);
    await agent.next((l) => l['event'] === 'ready', 60_000);
    const { report } = await doctor(config);
    expect(report.bus).toBe('agent');
    expect(check(report, 'board.1').status).toBe('pass');
    expect(check(report, 'board.2').status).toBe('pass');
    expect(check(report, 'bus.discovery').status).toBe('info');
    expect(check(report, 'database.integrity')).toMatchObject({ status: 'pass', summary: expect.stringContaining('running agent') });
    // Another user cannot ask the agent (its socket is 0600 in a 0700 folder): the line is left alone all the same.
    const other = doctorReportSchema.parse(await runJsonAs(NOBODY, [BIN, '--config', config, '--json', 'doctor'], 'doctor as nobody'));
    expect(other.bus).toBe('none');
    expect(check(other, 'boards.answer').summary).toContain("is not this user's");
    const opened = await runCli(['--config', config, '--json', 'open', '1'], {}, { timeoutMs: LONG });
    expect(opened.code).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({ compartmentId: '1', outcome: 'opened' });
  });
});

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, statSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/drivers/simulator/start-simulator.js';
import type { SimPulseEvent } from '../../../src/drivers/simulator/board-simulator.js';
import { assertBuilt, BIN, JsonLineProcess, runCli, type CliResult } from '../../helpers/cli.js';
import { ptyTransport } from '../../helpers/pty.js';

/**
 * `cabinet-kiosk setup` against the board simulator on a socat PTY: the scan
 * finds the boards, each mapped lock is really pulsed (the simulator sees
 * it), the file is replaced atomically with the old one kept, and the lines
 * it cannot use are refused with their own code.
 */
const LONG = 120_000;
let dir: string;
let sim: SimulatorHandle;
const pulses: SimPulseEvent[] = [];

/** setup with stdin fed from `input` (the technician's answers). */
function setupWithStdin(args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`setup did not finish: ${stdout} ${stderr}`))), LONG);
    child.on('exit', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  assertBuilt();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ck-setup-')));
  sim = await startSimulator({ boards: [1, 2].map((address) => ({ address, protocol: 'xor-8a' as const, locks: 12 })), autoCloseMs: 100, transport: ptyTransport() });
  sim.simulator.on('pulse', (p) => pulses.push(p));
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('setup on a PTY bus', () => {
  it('non-interactive: scans, pulses each listed lock, writes a valid file and keeps the old one', { timeout: LONG }, async () => {
    const file = join(dir, 'cabinet.yaml');
    const before = 'cabinet:\n  id: AT1003 # the operator\'s id\nserial:\n  path: simulator\nui: { shell: none }\n';
    writeFileSync(file, before);
    chmodSync(file, 0o640);
    const answers = join(dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ locks: { '1': 12, '2': 12 }, doors: [{ board: 1, lock: 1, compartment: 'A1', size: 'S' }, { board: 2, lock: 7, compartment: 'B7', size: 'XL' }, { board: 2, lock: 8, skip: true }] }));
    pulses.length = 0;
    const r = await runCli(['--config', file, '--json', 'setup', '--port', sim.agentPath, '--protocol', 'xor-8a', 'kerong-cu', '--baud', '9600', '--answers', answers], {}, { timeoutMs: LONG });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; backup: string; protocol: string; baudRate: number; boards: unknown[] };
    expect(out).toMatchObject({ ok: true, protocol: 'xor-8a', baudRate: 9600, boards: [{ address: 1, locks: 12 }, { address: 2, locks: 12 }] });
    expect(pulses.map((p) => `${p.board}/${p.lock}`)).toEqual(['1/1', '2/7']);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain("# the operator's id");
    expect(parseYaml(written)).toMatchObject({
      cabinet: { id: 'AT1003' },
      serial: { path: sim.agentPath, baudRate: 9600 },
      compartments: [{ id: 'A1', board: 1, lock: 1, size: 'S' }, { id: 'B7', board: 2, lock: 7, size: 'XL' }],
    });
    expect(readFileSync(out.backup, 'utf8')).toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const check = await runCli(['--config', file, 'config', 'check']);
    expect(check.code, check.stderr).toBe(0);
  });

  it('interactive: the technician names each door as it opens, "r" pulses again, "q" ends', { timeout: LONG }, async () => {
    const file = join(dir, 'interactive.json');
    pulses.length = 0;
    const r = await setupWithStdin(['--config', file, 'setup', '--port', sim.agentPath, '--protocol', 'xor-8a', '--baud', '9600', '--addresses', '1'], 'L1\nL\n\nr\nL3\n\nq\n');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('board 1 lock 1: pulsed — the board says the door opened');
    expect(pulses.map((p) => `${p.board}/${p.lock}`)).toEqual(['1/1', '1/2', '1/3', '1/3', '1/4']);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { compartments: unknown[]; boards: unknown[] };
    expect(written.compartments).toEqual([{ id: 'L1', board: 1, lock: 1, size: 'L' }, { id: 'L3', board: 1, lock: 3, size: 'M' }]);
    expect(written.boards).toEqual([{ address: 1, protocol: 'xor-8a', locks: 24 }]);
  });

  it('a silent line is bus-silent, a missing device port-missing; nothing is written', { timeout: LONG }, async () => {
    const file = join(dir, 'untouched.json');
    sim.simulator.setFault('no-reply', true);
    try {
      const silent = await runCli(['--config', file, '--json', 'setup', '--port', sim.agentPath, '--protocol', 'xor-8a', '--baud', '9600', '--addresses', '1-4', '--no-map'], {}, { timeoutMs: LONG });
      expect(silent.code).toBe(3);
      expect(JSON.parse(silent.stdout)).toMatchObject({ ok: false, error: { code: 'bus-silent' } });
    } finally {
      sim.simulator.clearFaults();
    }
    const missing = await runCli(['--config', file, 'setup', '--port', '/dev/ttyUSB-ck-missing', '--no-map'], {}, { timeoutMs: LONG });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error \[port-missing\]/);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses while an agent of that configuration holds the line (agent-running)', { timeout: LONG }, async () => {
    const file = join(dir, 'running.json');
    writeFileSync(file, JSON.stringify({ serial: { path: sim.agentPath, baudRate: 9600 }, boards: [{ address: 1, protocol: 'xor-8a', locks: 12 }], ui: { shell: 'none' }, database: './running-data/kiosk.db' }));
    const agent = new JsonLineProcess(['--config', file, 'start', '--json', '--ui', 'none']);
    try {
      await agent.next((l) => l['event'] === 'ready', 60_000);
      const r = await runCli(['--config', file, 'setup', '--no-map'], {}, { timeoutMs: LONG });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error \[agent-running\]/);
    } finally {
      await agent.stop();
    }
  });
});

describe('setup on a line with two protocols', () => {
  let mixed: SimulatorHandle;
  beforeAll(async () => {
    mixed = await startSimulator({ boards: [{ address: 1, protocol: 'xor-8a', locks: 8 }, { address: 3, protocol: 'kerong-cu', locks: 16 }], transport: ptyTransport() });
  });
  afterAll(async () => {
    await mixed?.close();
  });

  it('is refused with bus-mixed-protocols, naming both, and writes nothing', { timeout: LONG }, async () => {
    const file = join(dir, 'mixed.json');
    const r = await runCli(['--config', file, '--json', 'setup', '--port', mixed.agentPath, '--protocol', 'xor-8a', 'kerong-cu', '--baud', '9600', '--addresses', '0-4', '--no-map'], {}, { timeoutMs: LONG });
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(out.error.code).toBe('bus-mixed-protocols');
    expect(out.error.message).toContain('xor-8a at 1');
    expect(out.error.message).toContain('kerong-cu at 3');
    expect(out.error.message).toContain('not supported');
    expect(existsSync(file)).toBe(false);
  });
});

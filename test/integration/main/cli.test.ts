import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socatAvailable } from '../../../src/drivers/index.js';
import { assertBuilt, JsonLineProcess, runCli } from '../../helpers/cli.js';

/**
 * The technician's CLI against a real agent process, whose serial port is one
 * end of a socat PTY pair served by `cabinet-kiosk simulate` in another process.
 */
let dir: string;
let config: string;
let simulator: JsonLineProcess;
let agent: JsonLineProcess | undefined;

const cli = (...args: string[]) => runCli(['--config', config, ...args]);
const json = async (...args: string[]) => {
  const r = await cli('--json', ...args);
  if (r.code !== 0) throw new Error(`cabinet-kiosk ${args.join(' ')} exited ${r.code}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};
const opensOf = (lock: number, board = 1) => simulator.lines.filter((l) => l['event'] === 'frame' && l['kind'] === 'open' && l['board'] === board && l['lock'] === lock).length;

beforeAll(async () => {
  assertBuilt();
  if (!socatAvailable()) throw new Error('socat is required for the PTY tests: apt-get install socat (.ci/run does)');
  dir = mkdtempSync(join(tmpdir(), 'ck-cli-'));
  simulator = new JsonLineProcess(['simulate', '--json', '--protocol', 'xor-8a', '--boards', '2', '--locks', '8', '--auto-close-ms', '300']);
  const ready = await simulator.next((l) => l['event'] === 'ready');
  config = join(dir, 'kiosk.json');
  writeFileSync(
    config,
    JSON.stringify({
      cabinet: { id: 'CLI-TEST' },
      serial: { path: ready['path'], baudRate: 9600 },
      boards: [
        { address: 1, protocol: 'xor-8a', locks: 8 },
        { address: 2, protocol: 'xor-8a', locks: 8 },
      ],
      compartments: [
        { id: 'A1', board: 1, lock: 1, size: 'S' },
        { id: 'A2', board: 1, lock: 2, size: 'M' },
        { id: 'B1', board: 2, lock: 1, size: 'L' },
      ],
      database: './data/kiosk.db',
      supervision: { activePollMs: 50, pollIntervalMs: 500 },
      outbox: { destinations: ['operator'] },
      log: { file: false },
    }),
  );
});

afterAll(async () => {
  await agent?.stop();
  await simulator?.stop();
});

describe('cabinet-kiosk CLI', () => {
  it('works without a running agent: status reads the doors in-process', async () => {
    const status = await json('status');
    expect(status['cabinet']).toMatchObject({ id: 'CLI-TEST' });
    const compartments = status['compartments'] as Array<{ id: string; door: string }>;
    expect(compartments.map((c) => [c.id, c.door])).toEqual([['A1', 'closed'], ['A2', 'closed'], ['B1', 'closed']]);
    expect(status['database']).toMatchObject({ quickCheck: { ok: true } });
  });

  it('start runs the agent; a second start is refused', async () => {
    agent = new JsonLineProcess(['--config', config, 'start', '--json', '--ui', 'none']);
    const ready = await agent.next((l) => l['event'] === 'ready');
    expect(ready['coldStartMs']).toBeGreaterThan(0);
    const second = await cli('start', '--json', '--ui', 'none');
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('another cabinet-kiosk agent is running');
  });

  it('deposit opens a door, waits for it to close, prints the code; pickup opens the same door', async () => {
    const stored = await json('deposit', '--size', 'M', '--courier', 'SF', '--tracking', 'SF123');
    expect(stored).toMatchObject({ compartmentId: 'A2', board: 1, lock: 2, size: 'M' });
    expect(String(stored['code'])).toMatch(/^\d{6}$/);
    expect(opensOf(2)).toBe(1);

    const human = await cli('pickup', String(stored['code']));
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('compartment A2 is open: take the parcel and close the door\n');
    expect(opensOf(2)).toBe(2);

    const outbox = await json('outbox');
    // The counts, and the dead and skipped rows with their reason (none here) and what vendors reported (none).
    expect(outbox).toMatchObject({ byDestination: { operator: { dead: 0, skipped: 0 } }, skipped: 0, unsent: [], reported: [] });
    expect(Number(outbox['pending'])).toBeGreaterThanOrEqual(2);
  });

  it('a wrong code exits 1 with one line that says what to do', async () => {
    const r = await cli('pickup', '000000');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error [code-invalid]: pickup code not accepted — check the code and type it again\n');
  });

  it('technician open, out of service, and status with --json', async () => {
    expect(await json('open', 'B1')).toMatchObject({ compartmentId: 'B1', board: 2, lock: 1 });
    expect(opensOf(1, 2)).toBe(1);
    await json('service', 'A1', '--off', '--reason', 'hinge');
    const r = await cli('deposit', 'A1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[compartment-out-of-service\]/);
    const status = await json('status');
    const a1 = (status['compartments'] as Array<{ id: string; outOfService: boolean; outOfServiceReason: string }>).find((c) => c.id === 'A1');
    expect(a1).toMatchObject({ outOfService: true, outOfServiceReason: 'hinge' });
    expect(status['agent']).toMatchObject({ pid: agent!.child.pid });
  });

  it('service needs exactly one of --on and --off', async () => {
    const r = await cli('service', 'A1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('say --off (out of service) or --on (back in service)');
    expect((await cli('service', 'A1', '--on')).code).toBe(0);
  });

  it('a bad configuration exits 2 and names the key', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ boards: [{ address: 1, protocol: 'xor-9z', locks: 8 }] }));
    const r = await runCli(['--config', bad, 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('boards[0].protocol:');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM and removes its socket', async () => {
    expect(await agent!.stop()).toBe(0);
    const status = await json('status');
    expect(status['agent']).not.toMatchObject({ pid: agent!.child.pid });
  });
});

import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSerialPorts } from '../../../src/drivers/transport/discovery.js';

let dir: string;
let byId: string;
let dev: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'discovery-'));
  byId = join(dir, 'serial', 'by-id');
  dev = join(dir, 'dev');
  await mkdir(byId, { recursive: true });
  await mkdir(dev);
  for (const name of ['ttyUSB0', 'ttyUSB10', 'ttyUSB2', 'ttyACM0', 'ttyS0', 'tty0', 'null']) await writeFile(join(dev, name), '');
  await symlink('../../dev/ttyUSB0', join(byId, 'usb-FTDI_FT232R_A1B2C3-if00-port0'));
  // A udevadm that fails, to prove a failing SerialPort.list() is caught too.
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'udevadm'), '#!/bin/sh\nexit 3\n');
  await chmod(join(dir, 'bin', 'udevadm'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const expected = () => [
  { path: join(byId, 'usb-FTDI_FT232R_A1B2C3-if00-port0'), source: 'by-id', target: join(dev, 'ttyUSB0') },
  { path: join(dev, 'ttyACM0'), source: 'dev' },
  { path: join(dev, 'ttyS0'), source: 'dev' },
  { path: join(dev, 'ttyUSB0'), source: 'dev' },
  { path: join(dev, 'ttyUSB2'), source: 'dev' },
  { path: join(dev, 'ttyUSB10'), source: 'dev' },
];

describe('listSerialPorts without udevadm (§G.1)', () => {
  it('falls back to the filesystem when udevadm is not on PATH', async () => {
    expect(await listSerialPorts({ path: join(dir, 'nothing-here'), byIdDir: byId, devDir: dev })).toEqual(expected());
  });

  it('falls back when udevadm exists but fails', async () => {
    const saved = process.env.PATH;
    process.env.PATH = join(dir, 'bin');
    try {
      expect(await listSerialPorts({ byIdDir: byId, devDir: dev })).toEqual(expected());
    } finally {
      process.env.PATH = saved;
    }
  });

  it('a whole process with PATH lacking udevadm lists ports and exits cleanly (no uncaught exception)', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const script = join(dir, 'list.mts');
    await writeFile(script, [
      `import { listSerialPorts } from ${JSON.stringify(join(root, 'src/drivers/transport/discovery.ts'))};`,
      "process.on('uncaughtException', (e) => { console.log('UNCAUGHT ' + e.message); process.exit(9); });",
      `const ports = await listSerialPorts({ byIdDir: ${JSON.stringify(byId)}, devDir: ${JSON.stringify(dev)} });`,
      'await new Promise((r) => setTimeout(r, 200));',
      'console.log(JSON.stringify(ports.map((p) => p.source)));',
    ].join('\n'));
    const res = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), script], {
      cwd: root, env: { ...process.env, PATH: join(dir, 'nothing-here') }, encoding: 'utf8', timeout: 20_000,
    });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(JSON.stringify(['by-id', 'dev', 'dev', 'dev', 'dev', 'dev']));
    expect(res.status).toBe(0);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/main/config/load-config.js';

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ck-config-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('with no file gives the demo cabinet on the simulator', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/kiosk' });
    expect(config.serial.path).toBe('simulator');
    expect(config.database).toBe('/srv/kiosk/data/kiosk.db');
    expect(config.dataDir).toBe('/srv/kiosk/data');
    expect(config.compartments).toHaveLength(24);
    expect(config.compartments[0]).toEqual({ id: '1', board: 1, lock: 1, size: 'S' });
    expect(config.source).toBe('embedded defaults');
  });

  it('accepts the JSON shape of the issue, paths relative to the file', () => {
    const file = tempFile(
      'kiosk.json',
      JSON.stringify({
        cabinet: { id: 'AT1003' },
        serial: { path: '/dev/ttyUSB0', baudRate: 9600 },
        boards: [{ address: 1, protocol: 'xor-8a', locks: 24 }],
        compartments: [{ id: '5', board: 1, lock: 5, size: 'M' }],
        database: './data/kiosk.db',
      }),
    );
    const config = loadConfig({ file });
    expect(config.cabinet.id).toBe('AT1003');
    expect(config.serial).toMatchObject({ path: '/dev/ttyUSB0', baudRate: 9600, replyTimeoutMs: 1500, quietMs: 25 });
    expect(config.boards[0]).toMatchObject({ feedbackPolarity: 'closed-when-active', statusByteOrder: 'nearest-marker-first' });
    expect(config.database).toBe(join(file, '..', 'data', 'kiosk.db'));
  });

  it('uses the public demo PINs on the simulator only; a real port without PINs keeps the staff screens shut', () => {
    const demo = loadConfig({ file: tempFile('demo.json', '{}') });
    expect(demo.staff).toMatchObject({ courierPin: '2468', technicianPin: '1357', demoPins: true });
    const real = loadConfig({ file: tempFile('real.json', JSON.stringify({ serial: { path: '/dev/ttyUSB0' }, staff: { technicianPin: '864209' } })) });
    expect(real.staff).toMatchObject({ courierPin: null, technicianPin: '864209', demoPins: false });
    const same = configError(() => loadConfig({ file: tempFile('same.json', JSON.stringify({ staff: { courierPin: '1111', technicianPin: '1111' } })) }));
    expect(same.issues.some((i) => i.startsWith('staff.technicianPin:'))).toBe(true);
    expect(configError(() => loadConfig({ file: tempFile('short.json', JSON.stringify({ staff: { courierPin: '12' } })) })).issues[0]).toMatch(/^staff.courierPin: a PIN is 4 to 12 digits/);
  });

  it('reads YAML and CABINET_KIOSK_CONFIG', () => {
    const file = tempFile('kiosk.yaml', 'cabinet:\n  id: Y1\nboards:\n  - { address: 3, protocol: kerong-cu, locks: 16 }\n');
    const config = loadConfig({ env: { CABINET_KIOSK_CONFIG: file } });
    expect(config.cabinet.id).toBe('Y1');
    expect(config.compartments).toHaveLength(16);
  });

  it('names each bad key and says what is wrong', () => {
    const file = tempFile('bad.json', JSON.stringify({ boards: [{ address: 1, protocol: 'xor-9z', locks: 0 }], serial: { baudRate: -1, colour: 'red' } }));
    const err = configError(() => loadConfig({ file }));
    expect(err.code).toBe('config-invalid');
    expect(err.issues.some((i) => i.startsWith('boards[0].protocol:'))).toBe(true);
    expect(err.issues.some((i) => i.startsWith('boards[0].locks:'))).toBe(true);
    expect(err.issues.some((i) => i.startsWith('serial.baudRate:'))).toBe(true);
    expect(err.issues.some((i) => i.startsWith('serial:') && i.includes('colour'))).toBe(true);
  });

  it('checks compartments against the boards', () => {
    const file = tempFile(
      'cross.json',
      JSON.stringify({
        boards: [{ address: 1, protocol: 'xor-8a', locks: 8 }],
        compartments: [
          { id: 'A', board: 2, lock: 1 },
          { id: 'B', board: 1, lock: 9 },
          { id: 'C', board: 1, lock: 1 },
          { id: 'C', board: 1, lock: 1 },
        ],
      }),
    );
    const err = configError(() => loadConfig({ file }));
    expect(err.issues).toEqual(
      expect.arrayContaining([
        'compartments[0].board: no board with address 2 in "boards"',
        'compartments[1].lock: board 1 has only 8 locks',
        'compartments[3].id: compartment id "C" is used twice',
        'compartments[3].lock: board 1 lock 1 is given to two compartments',
      ]),
    );
  });

  it('says when the file is missing or not parseable', () => {
    expect(configError(() => loadConfig({ file: '/nonexistent/kiosk.json' })).code).toBe('config-not-found');
    const broken = configError(() => loadConfig({ file: tempFile('broken.json', '{ "cabinet": ') }));
    expect(broken.code).toBe('config-unreadable');
    expect(broken.message).toContain('not valid JSON');
  });
});

describe('serial defaults', () => {
  it('baud follows the first board protocol, as the drivers define it', async () => {
    const { DEFAULT_BAUD_RATES } = await import('../../../src/drivers/index.js');
    for (const protocol of ['xor-8a', 'kerong-cu', 'modbus-relay'] as const) {
      const f = tempFile(`${protocol}.json`, JSON.stringify({ boards: [{ address: 1, protocol, locks: 8 }] }));
      expect(loadConfig({ file: f }).serial.baudRate).toBe(DEFAULT_BAUD_RATES[protocol]);
    }
    const file = tempFile('k.json', JSON.stringify({ boards: [{ address: 0, protocol: 'kerong-cu', locks: 16 }] }));
    expect(loadConfig({ file }).serial.baudRate).toBe(19200);
    expect(loadConfig({ env: {} }).serial.baudRate).toBe(9600);
  });
});

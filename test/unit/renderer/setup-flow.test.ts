import { describe, expect, it } from 'vitest';
import { PULSE_OUTCOMES, type CommissionBus, type MappedDoorView } from '../../../src/shared/contract.js';
import { MESSAGES } from '../../../src/renderer/i18n/messages.js';
import { idProblem, lockOrder, proposedDoor, pulseTone, SETUP_START, setupReducer, setupRunning, withDoor, type SetupEvent, type SetupStart, type SetupState } from '../../../src/renderer/logic/setup-flow.js';

const bus: CommissionBus = { protocol: 'xor-8a', baudRate: 9600, boards: [{ address: 2, locks: 2 }, { address: 1, locks: 3 }], leftOut: [] };
const start: SetupStart = {
  port: '/dev/pts/3',
  simulator: true,
  configFile: '/etc/cabinet-kiosk/config.yaml',
  current: [
    { board: 1, lock: 2, compartment: '7', size: 'L' },
    { board: 2, lock: 1, compartment: 'B1', size: 'XL' },
  ],
};
const door = (board: number, lock: number, compartment: string, size: MappedDoorView['size'] = 'M'): MappedDoorView => ({ board, lock, compartment, size });
const play = (events: SetupEvent[], from: SetupState = SETUP_START): SetupState => events.reduce(setupReducer, from);

describe('the Setup tab story (logic/setup-flow.ts)', () => {
  it('walks the locks board by board, lock 1 upwards', () => {
    expect(lockOrder(bus)).toEqual([
      { board: 1, lock: 1 },
      { board: 1, lock: 2 },
      { board: 1, lock: 3 },
      { board: 2, lock: 1 },
      { board: 2, lock: 2 },
    ]);
    expect(lockOrder(null)).toEqual([]);
  });

  it('starts each lock with this session’s answer, else the door map in use, else empty and M', () => {
    expect(proposedDoor({ board: 1, lock: 2 }, start.current, [])).toEqual({ compartment: '7', size: 'L' });
    expect(proposedDoor({ board: 1, lock: 2 }, start.current, [door(1, 2, 'A2', 'S')])).toEqual({ compartment: 'A2', size: 'S' });
    expect(proposedDoor({ board: 1, lock: 3 }, start.current, [])).toEqual({ compartment: '', size: 'M' });
  });

  it('refuses an empty id, one over 32 characters, and one another lock already has', () => {
    const mapped = [door(1, 1, 'A1')];
    expect(idProblem('  ', { board: 1, lock: 2 }, mapped)).toEqual({ kind: 'empty' });
    expect(idProblem('x'.repeat(33), { board: 1, lock: 2 }, mapped)).toEqual({ kind: 'too-long' });
    expect(idProblem('x'.repeat(32), { board: 1, lock: 2 }, mapped)).toBeNull();
    expect(idProblem(' A1 ', { board: 1, lock: 2 }, mapped)).toEqual({ kind: 'taken', board: 1, lock: 1 });
    // The same lock may keep its own id.
    expect(idProblem('A1', { board: 1, lock: 1 }, mapped)).toBeNull();
  });

  it('keeps one answer per lock, in lock order', () => {
    expect(withDoor([door(2, 1, 'B'), door(1, 1, 'A')], door(1, 3, 'C'))).toEqual([door(1, 1, 'A'), door(1, 3, 'C'), door(2, 1, 'B')]);
    expect(withDoor([door(1, 1, 'A')], door(1, 1, 'Z', 'XL'))).toEqual([door(1, 1, 'Z', 'XL')]);
  });

  it('begins, scans, maps, skips, and reaches the review after the last lock', () => {
    let s = play([{ type: 'begun', start }]);
    expect(s.step).toBe('line');
    expect(setupRunning(s)).toBe(true);
    // Mapping needs a scanned line.
    expect(play([{ type: 'map' }], s).step).toBe('line');
    s = play([{ type: 'scanned', bus }, { type: 'map' }], s);
    expect([s.step, s.at]).toEqual(['mapping', 0]);
    s = play([{ type: 'door', door: door(1, 1, 'A1', 'S') }, { type: 'door', door: door(1, 2, 'A2', 'L') }, { type: 'skip' }, { type: 'skip' }], s);
    expect([s.step, s.at]).toEqual(['mapping', 4]);
    s = play([{ type: 'skip' }], s);
    expect(s.step).toBe('review');
    expect(s.mapped).toEqual([door(1, 1, 'A1', 'S'), door(1, 2, 'A2', 'L')]);
    // Back to mapping lands on the last lock, not past it.
    s = play([{ type: 'back-to-mapping' }], s);
    expect([s.step, s.at]).toEqual(['mapping', 4]);
    s = play([{ type: 'finish' }, { type: 'saved', saved: { file: start.configFile!, backup: `${start.configFile!}.bak`, applied: 'written' } }], s);
    expect(s.step).toBe('saved');
    expect(setupRunning(s)).toBe(false);
  });

  it('a skipped lock gives back an id it had; a new scan drops answers for locks no longer on the line', () => {
    let s = play([{ type: 'begun', start }, { type: 'scanned', bus }, { type: 'map' }, { type: 'door', door: door(1, 1, 'A1') }, { type: 'back-to-mapping' }]);
    s = { ...s, at: 0 };
    expect(play([{ type: 'skip' }], s).mapped).toEqual([]);
    s = play([{ type: 'door', door: door(2, 2, 'B2') }], { ...s, at: 4 });
    expect(s.mapped.map((d) => d.compartment)).toEqual(['A1', 'B2']);
    const smaller: CommissionBus = { ...bus, boards: [{ address: 1, locks: 3 }] };
    expect(play([{ type: 'scanned', bus: smaller }], s).mapped.map((d) => d.compartment)).toEqual(['A1']);
  });

  it('says every pulse outcome in both languages, with a tone', () => {
    for (const outcome of PULSE_OUTCOMES) {
      expect(['ok', 'warn', 'error']).toContain(pulseTone(outcome));
      for (const m of [MESSAGES.en, MESSAGES.zh]) expect(m.pulseOutcomes[outcome].trim()).not.toBe('');
    }
    expect(MESSAGES.en.pulseOutcomes['no-reply-door-closed']).toBe(MESSAGES.en.pulseOutcomes['still-locked']);
    expect(pulseTone('not-sent')).toBe('error');
  });
});

import { describe, expect, it } from 'vitest';
import { KIOSK_ERROR_CODES } from '../../../src/shared/errors.js';
import { ERROR_HINTS } from '../../../src/main/cli/hints.js';
import { PRINTERS } from '../../../src/main/cli/output.js';

const print = (command: string, value: unknown): string => {
  const printer = PRINTERS[command];
  if (!printer) throw new Error(`no printer for ${command}`);
  return printer(value);
};

describe('CLI output of door answers', () => {
  const door = { compartmentId: '7', board: 1, lock: 7, parcelId: 'p1', reopened: false };

  it('a pickup says each of the three outcomes in words, never "failed" for unknown', () => {
    expect(print('pickup', { ...door, outcome: 'opened', opensLeft: 1 })).toBe('compartment 7 is open: take the parcel and close the door');
    expect(print('pickup', { ...door, outcome: 'unknown', opensLeft: 1 })).toBe('compartment 7 may have opened: check it; typing the code again re-opens it once');
    expect(print('pickup', { ...door, outcome: 'unknown', opensLeft: 0 })).toMatch(/^compartment 7 may have opened: check it; if it did not open, the code has no open left: staff must help/);
    expect(print('pickup', { ...door, outcome: 'not-opened', opensLeft: 1 })).toBe('compartment 7 did not open (the lock stayed shut): type the code again to try once more');
    for (const outcome of ['opened', 'unknown'] as const) expect(print('pickup', { ...door, outcome, opensLeft: 0 })).not.toMatch(/fail/i);
  });

  it('technician opens and returns say the outcome too', () => {
    expect(print('open', { ...door, outcome: 'opened' })).toBe('compartment 7 is open (board 1, lock 7)');
    expect(print('open', { ...door, outcome: 'not-opened' })).toMatch(/^compartment 7 did not open \(the lock stayed shut\): check board 1, lock 7/);
    expect(print('open', { ...door, outcome: 'unknown' })).toMatch(/^compartment 7 may have opened: check it; .*is a parcel inside\?/);
    expect(print('return', { ...door, outcome: 'unknown' })).toMatch(/^compartment 7 may have opened: check it; whether parcel p1 is still inside/);
    expect(print('return', { ...door, outcome: 'opened' })).toBe('compartment 7 is open: take parcel p1 out');
  });

  it('has a next step for every error code, the new ones included', () => {
    for (const code of KIOSK_ERROR_CODES) expect(ERROR_HINTS[code]?.trim(), code).toBeTruthy();
    expect(ERROR_HINTS['code-open-limit']).toMatch(/two opens/);
    expect(ERROR_HINTS['storage-full']).toMatch(/free space/);
    expect(ERROR_HINTS['compartment-needs-check']).toMatch(/parcel is inside/);
  });
});

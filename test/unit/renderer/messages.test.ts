import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/shared/contract.js';
import { COMPARTMENT_SIZES, DOOR_STATES, PARCEL_STATES } from '../../../src/shared/domain.js';
import { KIOSK_ERROR_CODES } from '../../../src/shared/errors.js';
import { MESSAGES } from '../../../src/renderer/i18n/messages.js';
import { OOS_REASONS } from '../../../src/renderer/logic/oos-reasons.js';
import { placeholders } from '../../../src/renderer/logic/format.js';

/** Every leaf of a catalogue as `path → string`. */
function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) for (const [p, v] of leaves(child, path ? `${path}.${key}` : key)) out.set(p, v);
  } else {
    out.set(path, value);
  }
  return out;
}

const en = leaves(MESSAGES.en);
const zh = leaves(MESSAGES.zh);

describe('message catalogue', () => {
  it('has a catalogue for every contract language', () => {
    expect(Object.keys(MESSAGES).sort()).toEqual([...LANGUAGES].sort());
  });

  it('has the same keys in Chinese and English', () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
  });

  it('has no empty or non-string entry', () => {
    for (const [lang, catalogue] of [
      ['en', en],
      ['zh', zh],
    ] as const) {
      for (const [key, value] of catalogue) {
        expect(typeof value, `${lang}.${key}`).toBe('string');
        expect((value as string).trim(), `${lang}.${key}`).not.toBe('');
      }
    }
  });

  it('says what happened and what to do next for every KioskErrorCode, in both languages', () => {
    for (const lang of LANGUAGES) {
      for (const code of KIOSK_ERROR_CODES) {
        const text = MESSAGES[lang].errors[code];
        expect(text?.title.trim(), `${lang} ${code} title`).toBeTruthy();
        expect(text?.next.trim(), `${lang} ${code} next step`).toBeTruthy();
        expect(text.next, `${lang} ${code}: the next step is not the title again`).not.toBe(text.title);
      }
      expect(Object.keys(MESSAGES[lang].errors).sort()).toEqual([...KIOSK_ERROR_CODES].sort());
    }
  });

  it('names every size, door state, parcel state and out-of-service reason', () => {
    for (const lang of LANGUAGES) {
      const m = MESSAGES[lang];
      expect(Object.keys(m.sizes).sort()).toEqual([...COMPARTMENT_SIZES].sort());
      expect(Object.keys(m.doorStates).sort()).toEqual([...DOOR_STATES].sort());
      expect(Object.keys(m.parcelStates).sort()).toEqual([...PARCEL_STATES].sort());
      expect(Object.keys(m.oosReasons).sort()).toEqual([...OOS_REASONS].sort());
    }
  });

  it('uses the same {placeholders} in both languages', () => {
    for (const [key, value] of en) {
      expect(placeholders(String(zh.get(key))), key).toEqual(placeholders(String(value)));
    }
  });

  it('really is translated: the Chinese catalogue is mostly Chinese', () => {
    const han = /\p{Script=Han}/u;
    const untranslated = [...zh].filter(([key, v]) => !han.test(String(v)) && String(v) === en.get(key));
    // Only symbols and the language toggle's own name may be the same in both.
    expect(untranslated.map(([k]) => k).filter((k) => !['none'].includes(k))).toEqual([]);
  });

  it('has the customer-facing sentences the issue asks for', () => {
    expect(MESSAGES.en.openTitle).toContain('{door}');
    expect(MESSAGES.en.openInstruction).toMatch(/take your parcel and close the door/i);
    expect(MESSAGES.en.unavailableBanner).toBe('Cabinet temporarily unavailable');
    expect(MESSAGES.en.fatalTitle).toBe('This screen must be opened from the kiosk agent');
    expect(MESSAGES.en.lockoutCountdown).toContain('{seconds}');
    expect(MESSAGES.zh.lockoutCountdown).toContain('{seconds}');
  });
});

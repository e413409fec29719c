import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/shared/contract.js';
import { KIOSK_ERROR_CODES } from '../../../src/shared/errors.js';
import { MESSAGES } from '../../../src/renderer/i18n/messages.js';
import type { Screen } from '../../../src/renderer/logic/screens.js';
import {
  doorClipNames,
  doorWaitPrompt,
  numberClipNames,
  screenPrompt,
  SPOKEN_ERRORS,
  SPOKEN_KEYS,
  utterance,
  voiceClipProblems,
  voiceClips,
  type VoiceManifest,
} from '../../../src/renderer/logic/voice-script.js';

const VOICE_DIR = new URL('../../../src/renderer/assets/voice/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', VOICE_DIR), 'utf8')) as VoiceManifest & {
  format: { codec: string; sampleRate: number };
  clips: Record<string, { text: string; file: string; bytes: number; sha256: string }>;
};
const expected = voiceClips(MESSAGES);
const known = new Set(expected.map((c) => c.id));

describe('the recorded voice (src/renderer/assets/voice, scripts/build-voice.ts)', () => {
  it('has a clip, recorded from the current words, for every spoken catalogue key in both languages', () => {
    for (const lang of LANGUAGES) {
      for (const key of SPOKEN_KEYS) expect(expected.some((c) => c.lang === lang && c.id.startsWith(`${lang}/${key}.`)), `${lang}.${key}`).toBe(true);
      for (const code of SPOKEN_ERRORS) expect(known.has(`${lang}/e.${code}`), `${lang}.errors.${code}`).toBe(true);
    }
    expect(voiceClipProblems(expected, manifest)).toEqual([]);
  });

  it('reports a clip that is missing, or recorded from words the catalogue no longer holds', () => {
    const { ['zh/openTitle.1']: _gone, ...rest } = manifest.clips;
    expect(voiceClipProblems(expected, { clips: rest })).toEqual(['zh/openTitle.1: no clip for "号柜门已打开"']);
    const edited = { ...manifest.clips, 'en/codeTitle.0': { ...manifest.clips['en/codeTitle.0']!, text: 'Type your code' } };
    expect(voiceClipProblems(expected, { clips: edited })).toEqual(['en/codeTitle.0: recorded "Type your code", the catalogue says "Enter your pickup code"']);
  });

  it('ships each clip as the µ-law WAV the manifest describes, and nothing the manifest does not list', () => {
    expect(manifest.format).toMatchObject({ codec: 'mu-law', sampleRate: 11_025 });
    expect(Object.keys(manifest.clips).sort()).toEqual([...known].sort());
    let total = 0;
    for (const [id, clip] of Object.entries(manifest.clips)) {
      const wav = readFileSync(new URL(clip.file, VOICE_DIR));
      expect(clip.file, id).toBe(`${id}.wav`);
      expect(wav.length, id).toBe(clip.bytes);
      expect(createHash('sha256').update(wav).digest('hex'), id).toBe(clip.sha256);
      expect(wav.toString('ascii', 0, 4) + wav.toString('ascii', 8, 16), id).toBe('RIFFWAVEfmt ');
      // WAVE format 7 (µ-law), mono, 11025 Hz, 8 bits; the data chunk runs to the end of the file.
      expect([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)], id).toEqual([7, 1, 11_025, 8]);
      expect(wav.toString('ascii', 50, 54), id).toBe('data');
      expect(wav.readUInt32LE(54), id).toBe(wav.length - 58);
      expect(wav.length - 58, `${id} holds at least 0.1 s`).toBeGreaterThan(1_100);
      total += wav.length;
    }
    // The whole voice stays small enough to commit (measured: about 1.6 MiB for 146 clips).
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });

  it('composes door numbers from a few clips: English 0–19 and the tens, Mandarin 0–10', () => {
    expect(numberClipNames(7, 'en')).toEqual(['n7']);
    expect(numberClipNames(13, 'en')).toEqual(['n13']);
    expect(numberClipNames(40, 'en')).toEqual(['n40']);
    expect(numberClipNames(22, 'en')).toEqual(['n20', 'n2']);
    expect(numberClipNames(10, 'zh')).toEqual(['n10']);
    expect(numberClipNames(12, 'zh')).toEqual(['n10', 'n2']);
    expect(numberClipNames(20, 'zh')).toEqual(['n2', 'n10']);
    expect(numberClipNames(99, 'zh')).toEqual(['n9', 'n10', 'n9']);
    // Past 99 and for letters, character by character.
    expect(doorClipNames('105', 'en')).toEqual(['n1', 'n0', 'n5']);
    expect(doorClipNames('a12', 'zh')).toEqual(['cA', 'n1', 'n2']);
    for (const lang of LANGUAGES) {
      for (let n = 0; n <= 120; n++) for (const name of doorClipNames(String(n), lang)) expect(known.has(`${lang}/${name}`), `${lang} ${n}: ${name}`).toBe(true);
    }
  });

  it('says "Door 5 is open" around the number, in each language word order', () => {
    expect(utterance([{ key: 'openTitle', door: '5' }, { key: 'openInstruction' }], 'en', MESSAGES.en)).toEqual(['en/openTitle.0', 'en/n5', 'en/openTitle.1', 'en/openInstruction.0']);
    expect(utterance([{ key: 'openTitle', door: '5' }, { key: 'openInstruction' }], 'zh', MESSAGES.zh)).toEqual(['zh/n5', 'zh/openTitle.1', 'zh/openInstruction.0']);
    expect(utterance([{ key: 'doorMaybeTitle', door: '5' }], 'en', MESSAGES.en)).toEqual(['en/doorMaybeTitle.0', 'en/n5', 'en/doorMaybeTitle.1']);
    expect(utterance([{ error: 'storage-full' }], 'zh', MESSAGES.zh)).toEqual(['zh/e.storage-full']);
  });

  it('gives each screen a prompt made only of recorded clips', () => {
    const screens: Screen[] = [
      { name: 'code', initial: '' },
      { name: 'pickup-unknown' },
      { name: 'pickup-outcome', compartmentId: '17', outcome: 'unknown', opensLeft: 1 },
      { name: 'pickup-outcome', compartmentId: '17', outcome: 'unknown', opensLeft: 0 },
      { name: 'pickup-outcome', compartmentId: '17', outcome: 'not-opened', opensLeft: 1 },
      { name: 'pickup-outcome', compartmentId: '17', outcome: 'not-opened', opensLeft: 0 },
      { name: 'thanks' },
      { name: 'dropoff-open', compartmentId: 'B7', parcelId: 'p' },
      { name: 'return-open', compartmentId: '3', outcome: 'opened' },
      { name: 'return-open', compartmentId: '3', outcome: 'unknown' },
      { name: 'door-not-opened', compartmentId: '3', back: { name: 'dropoff-size' } },
      ...KIOSK_ERROR_CODES.map((code): Screen => ({ name: 'error', error: { code }, back: { name: 'attract' } })),
    ];
    for (const lang of LANGUAGES) {
      for (const s of screens) for (const id of utterance(screenPrompt(s), lang, MESSAGES[lang])) expect(known.has(id), `${s.name}: ${id}`).toBe(true);
    }
    expect(screenPrompt({ name: 'pickup-outcome', compartmentId: '17', outcome: 'unknown', opensLeft: 1 })).toEqual([
      { key: 'doorMaybeTitle', door: '17' },
      { key: 'pickupMaybeRetry', door: '17' },
    ]);
    for (const lang of LANGUAGES) {
      for (const phase of ['waiting', 'remind', 'leaving', 'leave'] as const) {
        for (const id of utterance(doorWaitPrompt(phase, '8'), lang, MESSAGES[lang])) expect(known.has(id), `${phase}: ${id}`).toBe(true);
      }
    }
    expect(utterance(doorWaitPrompt('remind', '8'), 'zh', MESSAGES.zh)).toEqual(['zh/closeDoorReminder.0', 'zh/n8', 'zh/closeDoorReminder.1']);
    expect(doorWaitPrompt('waiting', '8')).toEqual([]);
    expect(screenPrompt({ name: 'error', error: { code: 'pin-invalid' }, back: { name: 'attract' } })).toEqual([]);
    expect(screenPrompt({ name: 'attract' })).toEqual([]);
  });
});

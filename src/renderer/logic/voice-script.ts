import type { Language } from '../../shared/contract.js';
import { assertNever } from '../../shared/domain.js';
import type { KioskErrorCode } from '../../shared/errors.js';
import type { Messages } from '../i18n/messages.js';
import { pickupOutcomeText } from './door-outcome.js';
import type { DoorWaitPhase } from './door-wait.js';
import type { Screen } from './screens.js';

/**
 * What the kiosk says, as recorded clips: which catalogue sentences are
 * spoken, how a sentence with `{door}` is cut into clips around the door
 * number, and which clips each screen plays. The same functions feed the
 * build (scripts/build-voice.ts records every clip listed by `voiceClips`)
 * and the player, so a clip the screen asks for is a clip that was recorded;
 * test/unit/renderer/voice.test.ts holds the committed clips to the catalogue.
 */

type TextKey = { [K in keyof Messages]: Messages[K] extends string ? K : never }[keyof Messages];

/** Catalogue sentences with a spoken clip; those with `{door}` are recorded in parts around it. */
export const SPOKEN_KEYS = [
  'codeTitle',
  'openTitle',
  'openInstruction',
  'doorMaybeTitle',
  'doorNotOpenedTitle',
  'pickupMaybeRetry',
  'pickupMaybeStaff',
  'pickupNotOpenedRetry',
  'pickupNotOpenedStaff',
  'dropoffInstruction',
  'returnInstruction',
  'returnMaybeInstruction',
  'pickupLostTitle',
  'closeDoorReminder',
  'closeDoorLeaving',
  'thanksTitle',
] as const satisfies readonly TextKey[];
export type SpokenKey = (typeof SPOKEN_KEYS)[number];

/** Refusals a customer meets at the keypad: their title is spoken. Staff-side errors stay silent. */
export const SPOKEN_ERRORS = [
  'code-invalid',
  'code-expired',
  'code-used',
  'code-open-limit',
  'locked-out',
  'door-did-not-open',
  'compartment-out-of-service',
  'storage-full',
  'hardware-unavailable',
  'cabinet-in-setup',
] as const satisfies readonly KioskErrorCode[];
export type SpokenError = (typeof SPOKEN_ERRORS)[number];

/** Door numbers up to this are said as numbers, composed from a few clips; other ids are read character by character. */
export const MAX_SPOKEN_NUMBER = 99;
const SPELLED_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The number clips a language has: English says 0–19 and the tens
 * ("twenty" + "three"), Mandarin 0–10 (十 is n10: 十二 = n10 n2, 二十三 =
 * n2 n10 n3). Ten times fewer clips than one per number, for the same words.
 */
export function numberClipValues(lang: Language): number[] {
  switch (lang) {
    case 'en':
      return [...Array.from({ length: 20 }, (_, n) => n), 20, 30, 40, 50, 60, 70, 80, 90];
    case 'zh':
      return Array.from({ length: 11 }, (_, n) => n);
    default:
      return assertNever(lang, 'language');
  }
}

/** Clip names that say `n` (0 … MAX_SPOKEN_NUMBER) in `lang`. */
export function numberClipNames(n: number, lang: Language): string[] {
  const tens = Math.floor(n / 10);
  const units = n % 10;
  switch (lang) {
    case 'en':
      if (n < 20) return [`n${n}`];
      return units ? [`n${tens * 10}`, `n${units}`] : [`n${tens * 10}`];
    case 'zh':
      if (n <= 10) return [`n${n}`];
      return [...(tens > 1 ? [`n${tens}`] : []), 'n10', ...(units ? [`n${units}`] : [])];
    default:
      return assertNever(lang, 'language');
  }
}

export type Phrase = { key: SpokenKey; door?: string } | { error: SpokenError };

/** One clip to record: `id` is also its file name under the voice folder (`en/openTitle.0` → en/openTitle.0.wav). */
export interface ClipSource {
  id: string;
  lang: Language;
  text: string;
}

export const clipId = (lang: Language, name: string): string => `${lang}/${name}`;

/** Whether a piece of a sentence has anything to say (not only spaces and punctuation). */
const speakable = (text: string): boolean => /[\p{L}\p{N}]/u.test(text);

/** The pieces of a sentence around `{door}` (one piece when it has none), trimmed; empty pieces are kept as ''. */
function pieces(text: string): string[] {
  return text.split('{door}').map((p) => p.trim());
}

/** Clip names for a door id: its number, or one clip per digit and letter. */
export function doorClipNames(id: string, lang: Language): string[] {
  if (/^\d+$/.test(id) && Number(id) <= MAX_SPOKEN_NUMBER) return numberClipNames(Number(id), lang);
  const names: string[] = [];
  for (const ch of id.toUpperCase()) {
    if (ch >= '0' && ch <= '9') names.push(`n${ch}`);
    else if (SPELLED_LETTERS.includes(ch)) names.push(`c${ch}`);
  }
  return names;
}

/** Every clip the voice can play in every language, with the text the speech engine reads. */
export function voiceClips(catalogues: Readonly<Record<Language, Messages>>): ClipSource[] {
  const out: ClipSource[] = [];
  for (const lang of Object.keys(catalogues) as Language[]) {
    const m = catalogues[lang];
    for (const key of SPOKEN_KEYS) {
      pieces(m[key]).forEach((text, i) => {
        if (speakable(text)) out.push({ id: clipId(lang, `${key}.${i}`), lang, text });
      });
    }
    for (const code of SPOKEN_ERRORS) out.push({ id: clipId(lang, `e.${code}`), lang, text: m.errors[code].title });
    for (const n of numberClipValues(lang)) out.push({ id: clipId(lang, `n${n}`), lang, text: lang === 'zh' && n === 10 ? '十' : String(n) });
    for (const letter of SPELLED_LETTERS) out.push({ id: clipId(lang, `c${letter}`), lang, text: letter });
  }
  return out;
}

/** The clip ids that say `phrases` in `lang`, in order. */
export function utterance(phrases: readonly Phrase[], lang: Language, m: Messages): string[] {
  const ids: string[] = [];
  for (const phrase of phrases) {
    if ('error' in phrase) {
      ids.push(clipId(lang, `e.${phrase.error}`));
      continue;
    }
    const parts = pieces(m[phrase.key]);
    parts.forEach((text, i) => {
      if (i > 0 && phrase.door !== undefined) ids.push(...doorClipNames(phrase.door, lang).map((n) => clipId(lang, n)));
      if (speakable(text)) ids.push(clipId(lang, `${phrase.key}.${i}`));
    });
  }
  return ids;
}

const isSpokenKey = (key: string): key is SpokenKey => (SPOKEN_KEYS as readonly string[]).includes(key);
const isSpokenError = (code: string): code is SpokenError => (SPOKEN_ERRORS as readonly string[]).includes(code);

/** What a screen says when it appears; a screen not named here says nothing. */
export function screenPrompt(screen: Screen): Phrase[] {
  switch (screen.name) {
    case 'code':
      return [{ key: 'codeTitle' }];
    case 'open':
      return [{ key: 'openTitle', door: screen.compartmentId }, { key: 'openInstruction' }];
    case 'pickup-outcome': {
      const text = pickupOutcomeText(screen.outcome, screen.opensLeft);
      return [text.title, text.next].filter(isSpokenKey).map((key) => ({ key, door: screen.compartmentId }));
    }
    case 'pickup-unknown':
      return [{ key: 'pickupLostTitle' }];
    case 'thanks':
      return [{ key: 'thanksTitle' }];
    case 'error':
      return isSpokenError(screen.error.code) ? [{ error: screen.error.code }] : [];
    case 'dropoff-open':
      return [{ key: 'openTitle', door: screen.compartmentId }, { key: 'dropoffInstruction' }];
    case 'return-open':
      return screen.outcome === 'opened'
        ? [{ key: 'openTitle', door: screen.compartmentId }, { key: 'returnInstruction' }]
        : [{ key: 'doorMaybeTitle', door: screen.compartmentId }, { key: 'returnMaybeInstruction' }];
    case 'door-not-opened':
      return [{ key: 'doorNotOpenedTitle', door: screen.compartmentId }];
    default:
      // Every other screen is silent: the attract screen, the spinner, and what staff read for themselves.
      return [];
  }
}

/** What the open door's wait says as it goes on (logic/door-wait.ts): "please close door N", then "… returning to the start". */
export function doorWaitPrompt(phase: DoorWaitPhase, door: string): Phrase[] {
  switch (phase) {
    case 'remind':
      return [{ key: 'closeDoorReminder', door }];
    case 'leaving':
      return [{ key: 'closeDoorLeaving', door }];
    case 'waiting':
    case 'leave':
      return [];
    default:
      return assertNever(phase, 'door wait phase');
  }
}

/** The part of scripts/build-voice.ts's manifest a check reads. */
export interface VoiceManifest {
  clips: Record<string, { text: string; file: string }>;
}

/**
 * What keeps the recorded clips from saying the catalogue: a clip missing,
 * or recorded from other words than the catalogue now holds (rerun
 * scripts/build-voice.ts). Empty when every clip is there and current.
 */
export function voiceClipProblems(expected: readonly ClipSource[], manifest: VoiceManifest): string[] {
  const problems: string[] = [];
  for (const clip of expected) {
    const recorded = manifest.clips[clip.id];
    if (!recorded) problems.push(`${clip.id}: no clip for "${clip.text}"`);
    else if (recorded.text !== clip.text) problems.push(`${clip.id}: recorded "${recorded.text}", the catalogue says "${clip.text}"`);
  }
  return problems;
}

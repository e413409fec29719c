import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../../../src/renderer/i18n/messages.js';
import { buildFonts, FACES, fontCodePoints, missingCharacters, screenCharacters, subsetFace } from '../../../tools/fonts/build-fonts.js';

const ASSETS = new URL('../../../dist/renderer/assets/', import.meta.url);

/** Every string of a catalogue. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

describe('shipped fonts (tools/fonts/build-fonts.ts)', { timeout: 60_000 }, () => {
  it('the screen characters hold every character of both catalogues, digits and the code mask', () => {
    const chars = new Set(screenCharacters());
    for (const s of [...strings(MESSAGES.zh), ...strings(MESSAGES.en), '0123456789', '•']) for (const c of s) expect(chars.has(c), `${c} in ${s}`).toBe(true);
  });

  it('the fonts in dist/renderer have a glyph for every screen character, in each weight', async () => {
    if (!existsSync(ASSETS)) throw new Error('dist/renderer/assets is missing: run `npm run build`');
    const files = readdirSync(ASSETS);
    for (const weight of [400, 700] as const) {
      const fonts = await Promise.all(
        FACES.filter((f) => f.weight === weight).map(async (f) => {
          const stem = f.file.replace(/\.woff2$/, '');
          const built = files.find((name) => name.startsWith(`${stem}-`) && name.endsWith('.woff2'));
          if (!built) throw new Error(`${f.file} is not in dist/renderer/assets: run \`npm run build\``);
          return fontCodePoints(readFileSync(new URL(built, ASSETS)));
        }),
      );
      expect(missingCharacters(screenCharacters(), fonts), `weight ${weight}`).toEqual([]);
    }
  });

  it('a character the subset was not cut for is reported missing (the check can fail)', async () => {
    const text = screenCharacters();
    const sc = FACES.find((f) => f.family === 'Kiosk Sans SC' && f.weight === 400)!;
    const { codePoints } = await subsetFace(sc, text);
    expect(missingCharacters(`${MESSAGES.zh.attractTitle}`, [codePoints])).toEqual([]);
    // 龘 is in the source face but not in the catalogue: cut away.
    expect(missingCharacters(`${MESSAGES.zh.attractTitle}龘`, [codePoints])).toEqual(['龘']);
  });

  it('the build refuses a screen character that no shipped face has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-fonts-'));
    try {
      await expect(buildFonts(dir, screenCharacters('\u{1F4E6}'))).rejects.toThrow(/U\+1F4E6/);
      expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

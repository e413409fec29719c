import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert } from 'fontverter';
import { Blob, Face } from 'harfbuzzjs';
import subsetFont from 'subset-font';
import { MESSAGES } from '../../src/renderer/i18n/messages.js';

/**
 * The screen's fonts, built from the installed @fontsource packages and cut
 * down to the characters the screen can show: every string of the zh and en
 * catalogues plus printable ASCII (door numbers, codes, dates, cabinet ids,
 * the service tables) and the few symbols the components draw themselves.
 * The kiosk never loads a font from the network, and a machine without any
 * CJK font still renders every Chinese string (docs: README, "Screen").
 *
 * `vite.renderer.config.ts` runs `buildFonts` before each renderer build, so
 * a string added to the catalogue is in the next build's fonts; the build
 * fails when a character is in neither face.
 */

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the renderer's stylesheet finds them (`url('./fonts/…')`); generated, not committed. */
export const FONT_DIR = join(ROOT, 'src/renderer/fonts');

export interface ShippedFace {
  /** File name under FONT_DIR and in dist/renderer/assets (with Vite's hash). */
  file: string;
  /** The @font-face family in styles.css. */
  family: 'Kiosk Sans' | 'Kiosk Sans SC';
  weight: 400 | 700;
  /** The @fontsource file it is cut from. */
  source: string;
}

export const FACES: readonly ShippedFace[] = [
  { file: 'kiosk-sans-400.woff2', family: 'Kiosk Sans', weight: 400, source: '@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff2' },
  { file: 'kiosk-sans-700.woff2', family: 'Kiosk Sans', weight: 700, source: '@fontsource/noto-sans/files/noto-sans-latin-700-normal.woff2' },
  { file: 'kiosk-sans-sc-400.woff2', family: 'Kiosk Sans SC', weight: 400, source: '@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff2' },
  { file: 'kiosk-sans-sc-700.woff2', family: 'Kiosk Sans SC', weight: 700, source: '@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-700-normal.woff2' },
];

/**
 * Characters the components put on screen outside the catalogue: the code
 * mask (logic/code-entry.ts MASK_CHAR), separators and ellipses of data
 * cells, typographic quotes a cabinet name may hold.
 */
const UI_SYMBOLS = '•·—–…‘’“”×±°';

function leaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'object' && value !== null) for (const child of Object.values(value)) leaves(child, out);
  return out;
}

/** Printable ASCII: digits of codes and door numbers, dates, ids, hex, the service tables. */
const ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

/** Every character the screen shows, once each, sorted by code point. */
export function screenCharacters(extra = ''): string {
  const text = [ASCII, UI_SYMBOLS, ...leaves(MESSAGES.zh), ...leaves(MESSAGES.en), extra].join('');
  return [...new Set([...text].filter((c) => !/\p{Cc}/u.test(c)))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!).join('');
}

/** The code points a font (sfnt, WOFF or WOFF2) maps to a glyph. */
export async function fontCodePoints(font: Buffer): Promise<Set<number>> {
  const sfnt = font.toString('ascii', 0, 4) === 'wOF2' || font.toString('ascii', 0, 4) === 'wOFF' ? await convert(font, 'sfnt') : font;
  return new Set(new Face(new Blob(sfnt)).collectUnicodes());
}

/** Characters of `text` (whitespace aside) that none of `fonts` has a glyph for. */
export function missingCharacters(text: string, fonts: ReadonlyArray<ReadonlySet<number>>): string[] {
  return [...new Set(text)].filter((c) => !/\s|\p{Cc}/u.test(c) && !fonts.some((f) => f.has(c.codePointAt(0)!)));
}

export interface BuiltFace extends ShippedFace {
  bytes: number;
  codePoints: Set<number>;
}

/** Cuts one face down to `text`, as WOFF2. */
export async function subsetFace(face: ShippedFace, text: string): Promise<{ woff2: Buffer; codePoints: Set<number> }> {
  const sfnt = await subsetFont(readFileSync(require.resolve(face.source)), text, { targetFormat: 'sfnt' });
  return { woff2: await convert(sfnt, 'woff2'), codePoints: await fontCodePoints(sfnt) };
}

interface Manifest {
  key: string;
  faces: Array<{ file: string; bytes: number }>;
}

/**
 * Writes the four faces into `outDir` (skipped when the characters and
 * sources are those of the last run) and returns their sizes. Throws, naming
 * them, when a screen character is in no face.
 */
export async function buildFonts(outDir = FONT_DIR, text = screenCharacters()): Promise<Array<{ file: string; bytes: number }>> {
  const hash = createHash('sha256').update(text);
  for (const face of FACES) hash.update(face.file).update(readFileSync(require.resolve(face.source)));
  const key = hash.digest('hex');
  const manifestPath = join(outDir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (old.key === key && old.faces.every((f) => existsSync(join(outDir, f.file)))) return old.faces;
  }
  const built = await Promise.all(FACES.map(async (face) => ({ face, ...(await subsetFace(face, text)) })));
  for (const weight of [400, 700] as const) {
    const lost = missingCharacters(
      text,
      built.filter((b) => b.face.weight === weight).map((b) => b.codePoints),
    );
    if (lost.length > 0) throw new Error(`fonts: no shipped ${weight} face has a glyph for ${lost.map((c) => `${c} (U+${c.codePointAt(0)!.toString(16).toUpperCase()})`).join(', ')}`);
  }
  mkdirSync(outDir, { recursive: true });
  for (const b of built) writeFileSync(join(outDir, b.face.file), b.woff2);
  const faces = built.map((b) => ({ file: b.face.file, bytes: b.woff2.length }));
  writeFileSync(manifestPath, JSON.stringify({ key, faces } satisfies Manifest, null, 2) + '\n');
  return faces;
}

/** The stylesheet of the fallback face, in FONT_DIR; styles.css imports it. */
export const FALLBACK_CSS = 'fallback.css';
/** The @fontsource stylesheet the fallback is taken from: Noto Sans SC 400, cut by unicode-range. */
const FALLBACK_SOURCE = '@fontsource/noto-sans-sc/400.css';

/**
 * Text the catalogue does not hold (an operator's cabinet name, an address, a
 * sender's name from a vendor) still needs a glyph on a machine without CJK
 * fonts: 'Kiosk Sans SC Fallback' is the whole of Noto Sans SC 400 in
 * @fontsource's unicode-range slices (woff2 only), after the cut faces in
 * every font stack. Chromium fetches a slice only when a character on screen
 * is in it and in no face before it, so the first screen loads none; bold
 * text in it is synthesised.
 */
export function buildFallback(outDir = FONT_DIR): { files: number; bytes: number } {
  const cssPath = require.resolve(FALLBACK_SOURCE);
  const css = readFileSync(cssPath, 'utf8');
  const blocks = [...css.matchAll(/@font-face\s*\{([^}]*)\}/g)].map((m) => m[1]!);
  const dir = join(outDir, 'fallback');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  const rules: string[] = [];
  for (const block of blocks) {
    const file = /url\(\.\/files\/([\w-]+\.woff2)\)/.exec(block)?.[1];
    const range = /unicode-range:\s*([^;]+);/.exec(block)?.[1];
    if (!file || !range) throw new Error(`fonts: ${FALLBACK_SOURCE} has a face without a woff2 file or a unicode-range`);
    const from = join(dirname(cssPath), 'files', file);
    copyFileSync(from, join(dir, file));
    bytes += readFileSync(from).length;
    rules.push(`@font-face {\n  font-family: 'Kiosk Sans SC Fallback';\n  font-weight: 400;\n  font-display: swap;\n  src: url('./fallback/${file}') format('woff2');\n  unicode-range: ${range.trim()};\n}\n`);
  }
  if (rules.length === 0) throw new Error(`fonts: no face in ${FALLBACK_SOURCE}`);
  writeFileSync(join(outDir, FALLBACK_CSS), `/* Built by tools/fonts/build-fonts.ts from ${FALLBACK_SOURCE}; not committed. */\n${rules.join('\n')}`);
  return { files: rules.length, bytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const fallback = buildFallback();
  console.log(`fallback\t${fallback.files} slices, ${(fallback.bytes / 1024).toFixed(0)} KB`);
  const faces = await buildFonts();
  for (const f of faces) console.log(`${f.file}\t${(f.bytes / 1024).toFixed(1)} KB`);
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../../src/renderer/styles.css', import.meta.url), 'utf8');

/** WCAG 2.x relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const palette = new Map([...css.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
const noted = [...css.matchAll(/^\s*\*\s*(--[\w-]+) on (--[\w-]+) = ([\d.]+):1/gm)].map((m) => ({ fg: m[1]!, bg: m[2]!, ratio: Number(m[3]) }));

describe('palette contrast (WCAG AA)', () => {
  it('notes the ratios of the text/background pairs in the stylesheet', () => {
    expect(noted.length).toBeGreaterThan(20);
  });

  it('every noted pair is at least 4.5:1 and the note is right', () => {
    for (const { fg, bg, ratio } of noted) {
      const a = palette.get(fg);
      const b = palette.get(bg);
      expect(a, fg).toBeDefined();
      expect(b, bg).toBeDefined();
      const real = contrast(a!, b!);
      expect(real, `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      expect(Math.abs(real - ratio), `${fg} on ${bg}: noted ${ratio}, is ${real.toFixed(2)}`).toBeLessThan(0.01);
    }
  });
});

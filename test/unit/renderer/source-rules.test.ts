import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RENDERER = join(ROOT, 'src/renderer');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else out.push(path);
  }
  return out;
}

const sources = files(RENDERER).filter((f) => /\.(ts|tsx)$/.test(f));
const read = (f: string) => readFileSync(f, 'utf8');
/** Strips comments so the rules read code, not prose about it. */
const code = (f: string) => read(f).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('renderer source rules (CSP, security, catalogue)', () => {
  it('never writes HTML from strings or evaluates code', () => {
    for (const f of sources) {
      const text = code(f);
      for (const banned of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'dangerouslySetInnerHTML', 'document.write', 'eval(', 'new Function', 'renderSVG']) {
        expect(text.includes(banned), `${relative(ROOT, f)} uses ${banned}`).toBe(false);
      }
    }
  });

  it('has no `any` type', () => {
    for (const f of sources) expect(/(:|<|as)\s*any\b/.test(code(f)), relative(ROOT, f)).toBe(false);
  });

  it('sets no inline style attributes and no inline event attributes in markup', () => {
    for (const f of sources.filter((s) => s.endsWith('.tsx'))) {
      expect(/\sstyle=/.test(code(f)), relative(ROOT, f)).toBe(false);
    }
    const html = read(join(RENDERER, 'index.html'));
    expect(html).not.toMatch(/\son\w+=/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).toContain("script-src 'self'");
  });

  it('puts no words in components: JSX text comes from the catalogue', () => {
    for (const f of sources.filter((s) => s.endsWith('.tsx'))) {
      // Text between a tag's end and the next tag or expression holding a letter or a Han character
      // (code between `=>` or `a > b` and a tag has operators or brackets, JSX text does not).
      const literal = code(f).match(/(?<![=-])>([^<>{}()=;?&|]*[A-Za-z\p{Script=Han}][^<>{}()=;?&|]*)[<{]/u);
      expect(literal?.[0] ?? null, relative(ROOT, f)).toBeNull();
    }
  });

  it('imports nothing outside src/renderer and src/shared (besides preact, uqr and zod)', () => {
    for (const f of sources) {
      for (const m of read(f).matchAll(/from\s+'([^']+)'/g)) {
        const spec = m[1] ?? '';
        if (spec.startsWith('.')) {
          const target = relative(ROOT, join(f, '..', spec));
          expect(target.startsWith('src/renderer/') || target.startsWith('src/shared/'), `${relative(ROOT, f)} → ${spec}`).toBe(true);
        } else {
          expect(['preact', 'preact/hooks', 'uqr', 'zod'], `${relative(ROOT, f)} → ${spec}`).toContain(spec);
        }
      }
    }
  });
});

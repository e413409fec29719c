import { fail, info, pass, type CheckResult } from '../check.js';

export interface FontFacts {
  /** dist/renderer, where the screen's files are built. */
  rendererDir: string;
  /** Font files (woff2/woff/ttf/otf) found under it, relative. */
  shipped: string[];
  /** System fonts covering Chinese (fc-list :lang=zh), or why they were not asked. */
  systemCjk: { families: string[] } | { reason: string };
}

/** The shipped faces (tools/fonts/build-fonts.ts): the Chinese cut is named `…-sc-…` (Noto Sans SC), every other face covers Latin (Noto Sans). */
const CJK = /(^|[-_./])(sc|cjk|zh)([-_.]|$)/i;

/** `fonts.zh`, `fonts.en`: the app ships its own fonts (the screen must not depend on what the OS has); system CJK fonts are a fact. */
export function fontChecks(f: FontFacts): CheckResult[] {
  const action = `rebuild the screen (\`npm run build\`) or reinstall the package: its fonts are missing from ${f.rendererDir}`;
  const zh = f.shipped.filter((p) => CJK.test(p));
  const en = f.shipped.filter((p) => !CJK.test(p));
  const out = [
    zh.length ? pass('fonts.zh', `Chinese font shipped (${zh.length} file(s), e.g. ${zh[0]})`) : fail('fonts.zh', `no Chinese font file in ${f.rendererDir}`, action),
    en.length ? pass('fonts.en', `Latin font shipped (${en.length} file(s), e.g. ${en[0]})`) : fail('fonts.en', `no Latin font file in ${f.rendererDir}`, action),
  ];
  const sys = f.systemCjk;
  out.push(info('fonts.system-cjk', 'families' in sys ? (sys.families.length ? `system CJK fonts: ${sys.families.slice(0, 3).join(', ')}${sys.families.length > 3 ? ' …' : ''}` : 'no system CJK font (the shipped one is used)') : `system CJK fonts not listed: ${sys.reason}`));
  return out;
}

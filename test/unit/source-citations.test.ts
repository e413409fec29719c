/**
 * Citations point at what a reader of the repository can open
 * (docs/architecture.md, style rule 18): no comment, README, test name or
 * error message under src/, test/, bench/, tools/, docs/ or in README.md
 * names a path outside the repository (the old spec folder, its seeds, its
 * architecture and style files, a bare `<vendor>.md`), and every
 * `docs/….md §X` cited names a section that exists in that file (a heading
 * `## §X …` or an anchor `**§X …**`), every `docs/architecture.md, style rule N`
 * a heading `### Style rule N`. A bare `§X` in a vendor's files (src/cloud/aituo,
 * tools/mock-cloud/aituo.ts, test/unit/cloud/aituo …) cites that vendor's page,
 * in the drivers the lock-board page, and is checked the same way.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SCANNED = ['src', 'test', 'bench', 'tools', 'docs', 'README.md'];
const TEXT = /\.(ts|tsx|js|mjs|cjs|md|json|ya?ml|css|html)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'test-results']);
/** This file: its fixtures are wrong on purpose, and the third test shows each one is caught. */
const SELF = relative(root, fileURLToPath(import.meta.url));

/** Paths that only the spec's authors had. Spelled in pieces so this file does not cite them itself. */
const OUTSIDE: { rule: string; rx: RegExp }[] = [
  { rule: 'the shared folder beside the repository', rx: new RegExp(['', 'work', 'shared'].join('\\/') + '\\b') },
  { rule: 'the old spec or seed folder', rx: new RegExp('\\bshared\\/(spec|seed)s\\b') },
  { rule: 'the old spec folder', rx: new RegExp('(?<![\\w-])' + 'spec' + 's\\/') },
  { rule: 'the old seed folder', rx: new RegExp('(?<![\\w-])' + 'seed' + 's\\/') },
  { rule: 'the old spec README', rx: new RegExp('\\b' + 'spec' + 's README\\b') },
  { rule: 'the old architecture file', rx: new RegExp('\\b' + 'ARCHI' + 'TECTURE\\b') },
  { rule: 'the old style file', rx: new RegExp('\\b' + 'STY' + 'LE(\\.md\\b| rules?\\b)') },
  {
    rule: 'a bare vendor or lock-board file name (write docs/vendors/<vendor>.md or docs/lock-boards.md)',
    rx: new RegExp('(?<![\\w/.\\[-])(dingshang|yopoint|aituo|hongxun|webhooks|lock-boards)' + '\\.md\\b'),
  },
];

/** A run of `§X` ids after a docs path: `§3.2/§3.3`, `§2.4 / §10.3`, `§1–§10`, `§A.6, §B.6`. */
const DOCS_CITATION = /docs\/([\w./-]+\.md)`?((?:(?:\s*(?:,|\/|–|-|and)\s*|\s+)§[0-9A-Z][\w.]*)+)/g;
const STYLE_CITATION = /docs\/architecture\.md,? style rule (\d+)/gi;

export type Problem = { file: string; line: number; text: string; why: string };

/**
 * The docs page a bare `§X` in a file refers to: a vendor folder's files cite
 * their vendor's page by number alone (its README says so), the drivers the
 * lock-board page. Null: bare numbers there are not checked (issue sections…).
 */
export function contextDoc(file: string): string | null {
  const vendor = /(?:^|[/-])(dingshang|yopoint|aituo|hongxun)(?=[/.-])/.exec(file);
  if (vendor) return `vendors/${vendor[1]}.md`;
  if (/(?:^|\/)(drivers|lock-boards)(?:\/|\.md$)|^test\/fixtures\/(xor-8a|kerong-cu|modbus-relay)\./.test(file)) return 'lock-boards.md';
  return null;
}

/** The section ids of a markdown file: headings `## §X …` and anchors `**§X …**`; style rules `### Style rule N`. */
export function sectionsOf(markdown: string): { sections: Set<string>; styleRules: Set<string> } {
  const sections = new Set<string>();
  const styleRules = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+§([0-9A-Z][\w.]*)/gm)) sections.add(trimId(m[1]!));
  for (const m of markdown.matchAll(/\*\*§([0-9A-Z][\w.]*)/g)) sections.add(trimId(m[1]!));
  for (const m of markdown.matchAll(/^#{1,6}\s+Style rule (\d+)\b/gim)) styleRules.add(m[1]!);
  return { sections, styleRules };
}

function trimId(id: string): string {
  return id.replace(/\.+$/, '');
}

/** Every problem in one file's text. `readDoc` gives a docs file's text (path relative to docs/), or null when absent. */
export function findProblems(file: string, text: string, readDoc: (path: string) => string | null): Problem[] {
  const problems: Problem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    // Relative markdown links inside docs/ (`[aituo.md](aituo.md)`) are links, not citations.
    const checked = raw.replace(/\[[^\]]*\]\([^)\s]*\)/g, '');
    for (const { rule, rx } of OUTSIDE) {
      if (rx.test(checked)) problems.push({ file, line, text: raw.trim(), why: `cites outside the repository: ${rule}` });
    }
    for (const m of raw.matchAll(DOCS_CITATION)) {
      const doc = m[1]!;
      const body = readDoc(doc);
      if (body === null) {
        problems.push({ file, line, text: raw.trim(), why: `docs/${doc} does not exist` });
        continue;
      }
      const { sections } = sectionsOf(body);
      for (const id of m[2]!.matchAll(/§([0-9A-Z][\w.]*)/g)) {
        const want = trimId(id[1]!);
        if (!sections.has(want)) problems.push({ file, line, text: raw.trim(), why: `docs/${doc} has no section §${want}` });
      }
    }
    const context = contextDoc(file);
    if (context !== null) {
      // What is left once the explicit docs citations and issue references are taken out cites `context`.
      const bare = raw.replace(DOCS_CITATION, '').replace(/\bissue\s+#?\d+(?:(?:\s*(?:,|\/|–|-|and)\s*|\s+)§[\w.]+)+/gi, '');
      const ids = [...bare.matchAll(/§([0-9A-Z][\w.]*)/g)].map((id) => trimId(id[1]!));
      if (ids.length > 0) {
        const body = readDoc(context);
        const { sections } = sectionsOf(body ?? '');
        for (const want of ids) {
          if (!sections.has(want)) problems.push({ file, line, text: raw.trim(), why: `docs/${context} has no section §${want} (a bare § here cites that page)` });
        }
      }
    }
    for (const m of raw.matchAll(STYLE_CITATION)) {
      const body = readDoc('architecture.md');
      if (body === null || !sectionsOf(body).styleRules.has(m[1]!)) {
        problems.push({ file, line, text: raw.trim(), why: `docs/architecture.md has no "Style rule ${m[1]}" heading` });
      }
    }
  });
  return problems;
}

function* walk(path: string): Generator<string> {
  const full = join(root, path);
  if (!existsSync(full)) return;
  if (statSync(full).isFile()) {
    if (TEXT.test(path)) yield path;
    return;
  }
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIP_DIRS.has(entry.name)) continue;
    yield* walk(relative(root, join(full, entry.name)));
  }
}

function readRepoDoc(path: string): string | null {
  const full = join(root, 'docs', path);
  return existsSync(full) ? readFileSync(full, 'utf8') : null;
}

describe('source citations (docs/architecture.md, style rule 18)', () => {
  it('nothing under src/, test/, bench/, tools/, docs/ or in README.md cites outside the repository or a missing docs section', () => {
    const files = SCANNED.flatMap((p) => [...walk(p)]).filter((file) => file !== SELF);
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) => findProblems(file, readFileSync(join(root, file), 'utf8'), readRepoDoc));
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.why}\n    ${p.text}`)).toEqual([]);
  });

  it('the docs pages the code cites exist and carry their section numbers', () => {
    for (const [doc, ids] of [
      ['lock-boards.md', ['A.5', 'A.8.1', 'B.5', 'C.2', 'G.6']],
      ['vendors/dingshang.md', ['2.3', '6.5', '10', '12.4']],
      ['vendors/yopoint.md', ['2.4', '4.7', '10.3']],
      ['vendors/aituo.md', ['2.1', '3.2', '3.3']],
      ['vendors/hongxun.md', ['3', '7.8', '9.2']],
      ['vendors/webhooks.md', ['1', '3', '5']],
      ['architecture.md', ['2', '5', '6', '8']],
    ] as const) {
      const body = readRepoDoc(doc);
      expect(body, `docs/${doc}`).not.toBeNull();
      for (const id of ids) expect(sectionsOf(body!).sections.has(id), `docs/${doc} §${id}`).toBe(true);
    }
  });

  it('fails on the citations it exists to catch (fixtures)', () => {
    const docs: Record<string, string> = {
      'vendors/dingshang.md': '# Dingshang\n## §2 Signature\n### §2.3 Raw or encoded\n- **§12.4** callback\n',
      'lock-boards.md': '## §A Protocol A\n- **§A.8.1** Echo.\n',
      'architecture.md': '## §5 Crash rules\n### Style rule 4: one request on the bus\n',
    };
    const readDoc = (p: string): string | null => docs[p] ?? null;
    const check = (text: string): string[] => findProblems('fixture.ts', text, readDoc).map((p) => p.why);
    const outside = ['', 'work', 'shared', 'specs', 'aituo.md'].join('/');

    // Citations that must fail.
    expect(check(`// Implements ${outside} §3.2`)).not.toEqual([]);
    expect(check(`// written from ${['..', 'shared', 'specs', ''].join('/')}`)).not.toEqual([]);
    expect(check(`// UNVERIFIED: ${'dingshang'}.md §2.3 (raw vs URL-encoded)`)).not.toEqual([]);
    expect(check(`/** echo (${'lock-boards'}.md §A.8.1) */`)).not.toEqual([]);
    expect(check(`// ${'STY'}LE rule 4`)).not.toEqual([]);
    expect(check(`// (${'ARCHI'}TECTURE "crash and power-loss rules")`)).not.toEqual([]);
    expect(check(`// (${'spec'}s README "Role of each vendor")`)).not.toEqual([]);
    expect(check(`// example (${'seed'}s/004)`)).not.toEqual([]);
    expect(check('// docs/vendors/dingshang.md §99.9')).toEqual(['docs/vendors/dingshang.md has no section §99.9']);
    expect(check('// docs/vendors/dingshang.md §2.3 / §7.1')).toEqual(['docs/vendors/dingshang.md has no section §7.1']);
    expect(check('// docs/vendors/nobody.md §1')).toEqual(['docs/vendors/nobody.md does not exist']);
    expect(check('// docs/architecture.md, style rule 9')).toEqual(['docs/architecture.md has no "Style rule 9" heading']);

    // A bare § in a vendor's or the drivers' files cites that vendor's page or the lock-board page.
    expect(findProblems('src/cloud/dingshang/signer.ts', '// §2.3: raw; §7.1 too', readDoc).map((p) => p.why)).toEqual([
      'docs/vendors/dingshang.md has no section §7.1 (a bare § here cites that page)',
    ]);
    expect(findProblems('src/drivers/xor-8a/codec.ts', '// echo (§A.8.1); the door is read (issue #2 §3)', readDoc)).toEqual([]);
    expect(findProblems('src/drivers/xor-8a/codec.ts', '// push frames (§A.5)', readDoc).map((p) => p.why)).toEqual([
      'docs/lock-boards.md has no section §A.5 (a bare § here cites that page)',
    ]);
    expect(contextDoc('tools/mock-cloud/yopoint-notify.ts')).toBe('vendors/yopoint.md');
    expect(contextDoc('test/fixtures/kerong-cu.ts')).toBe('lock-boards.md');
    expect(contextDoc('src/cloud/sync/drainer.ts')).toBeNull();

    // Citations that must pass, and look-alikes that are not citations.
    expect(check('// UNVERIFIED: docs/vendors/dingshang.md §2.3 (raw vs URL-encoded); §10 of the vendor')).toEqual([]);
    expect(check('/** docs/vendors/dingshang.md §2, §2.3, §12.4. */')).toEqual([]);
    expect(check('Implements `docs/lock-boards.md` §A; echo: docs/lock-boards.md §A.8.1.')).toEqual([]);
    expect(check('// (docs/architecture.md §5, crash rules; docs/architecture.md, style rule 4)')).toEqual([]);
    expect(check("import { logger } from '../shared/logger.js';")).toEqual([]);
    expect(check('| [dingshang.md](dingshang.md) | Dingshang |')).toEqual([]);
    expect(check('export const CABINET_CHANGED_DOC_STYLE = 1; // seeds it once at start')).toEqual([]);
  });
});

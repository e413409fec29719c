import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, parseConfig } from '../../../src/main/config/load-config.js';
import { configSchema } from '../../../src/main/config/schema.js';
import { durationRegistry, MAX_TIMER_MS } from '../../../src/shared/duration.js';

/**
 * Every duration in the configuration is bounded (a Node timer turns more than
 * 2^31−1 ms into 1 ms). The keys are discovered by walking the schema, so a
 * key added later is checked without editing this file.
 */

type Segment = string | 0;
interface Leaf {
  path: Segment[];
  schema: z.ZodType;
}

/** The slice of zod's internal definition the walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every number in the schema with its path; `0` stands for "an element of this array". */
function numberLeaves(schema: z.ZodType, path: Segment[] = [], out: Leaf[] = []): Leaf[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'number':
      out.push({ path, schema });
      break;
    case 'object':
      for (const [key, child] of Object.entries(def.shape ?? {})) numberLeaves(child, [...path, key], out);
      break;
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      numberLeaves(def.innerType!, path, out);
      break;
    case 'array':
      numberLeaves(def.element!, [...path, 0], out);
      break;
    case 'pipe':
      numberLeaves(def.in!, path, out);
      break;
    case 'union':
      for (const option of def.options ?? []) numberLeaves(option, path, out);
      break;
    case 'record':
      numberLeaves(def.valueType!, [...path, 'any-key'], out);
      break;
    default:
      break;
  }
  return out;
}

/** A key whose name says it is a length of time. */
const LOOKS_LIKE_DURATION = /(Ms|Seconds|Minutes|Hours|Days)$|interval|timeout|ttl|delay|window|skew|heartbeat/i;
/** Named like one, but not a duration: a time-zone offset, bounded to ±14 h where it is declared. */
const NOT_DURATIONS = new Set(['utcOffsetMinutes']);

const leaves = numberLeaves(configSchema);
const named = (leaf: Leaf) => String(leaf.path.filter((p) => p !== 0).at(-1));
const durations = leaves.flatMap((leaf) => {
  const meta = durationRegistry.get(leaf.schema);
  return meta ? [{ ...leaf, ...meta }] : [];
});
const escaped = (text: string) => text.replace(/[.[\]]/g, '\\$&');
const shown = (path: Segment[]) => path.map((p, i) => (p === 0 ? '[0]' : `${i ? '.' : ''}${p}`)).join('');

/**
 * A configuration with every optional section present (the demo with every
 * vendor switched on, plus the parts it leaves out), each duration at its
 * maximum: the case under test then changes one key only.
 */
function fixture(): Record<string, unknown> {
  const doc = parseYaml(readFileSync(new URL('../../../examples/demo-cloud.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
  doc['boards'] = [{ address: 1, protocol: 'kerong-cu', locks: 12 }];
  const cloud = doc['cloud'] as Record<string, Record<string, unknown>>;
  cloud['aituo']!['api'] = { baseUrl: 'http://127.0.0.1:8787/aituo/api' };
  cloud['fleet'] = { url: 'mqtt://127.0.0.1:1883', secret: 'fleet-command-key-0001' };
  for (const d of durations) setAt(doc, d.path, d.max);
  return doc;
}

function setAt(doc: Record<string, unknown>, path: Segment[], value: unknown): void {
  let node: Record<string | number, unknown> = doc;
  path.forEach((segment, i) => {
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment] ?? (path[i + 1] === 0 ? [{}] : {});
    node[segment] = next;
    node = next as Record<string | number, unknown>;
  });
}

function issuesOf(doc: unknown): string[] {
  try {
    parseConfig(doc, 'test');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

describe('every duration in the configuration is bounded', () => {
  it('finds the durations (the walk reaches the nested vendor sections)', () => {
    const paths = durations.map((d) => shown(d.path));
    for (const expected of ['serial.replyTimeoutMs', 'staff.sessionIdleMs', 'pickup.parcelTtlHours', 'cloud.channel.heartbeatMs', 'cloud.webhooks[0].timeoutMs', 'cloud.aituo.api.timeoutMs', 'cloud.yopoint.notifyMaxSkewMs', 'cloud.receiver.retryCapMs']) {
      expect(paths).toContain(expected);
    }
  });

  it('no number named like a duration escapes the bounded helper (src/shared/duration.ts)', () => {
    const unbounded = leaves.filter((l) => LOOKS_LIKE_DURATION.test(named(l)) && !NOT_DURATIONS.has(named(l)) && !durationRegistry.has(l.schema)).map((l) => shown(l.path));
    expect(unbounded).toEqual([]);
  });

  it('no maximum is above what a Node timer holds', () => {
    const over = durations.filter((d) => d.max * (d.unit === 'h' ? 3_600_000 : 1) > MAX_TIMER_MS).map((d) => shown(d.path));
    expect(over).toEqual([]);
  });

  it('the fixture with every duration at its maximum is a valid configuration', () => {
    expect(issuesOf(fixture())).toEqual([]);
  });

  describe.each(durations.map((d) => [shown(d.path), d] as const))('%s', (name, d) => {
    it(`2^31 is refused, naming the key and its maximum`, () => {
      const doc = fixture();
      setAt(doc, d.path, 2 ** 31);
      const issues = issuesOf(doc);
      expect(issues).toContainEqual(expect.stringMatching(new RegExp(`^${escaped(name)}: must be at most ${d.max} `)));
      // Nothing else is wrong, bar a cross-key rule that names it (requestTimeoutMs ≥ headersTimeoutMs).
      expect(issues.filter((i) => !i.includes(named(d)))).toEqual([]);
    });

    it(`its maximum (${d.max} ${d.unit}) is accepted, just above it is not`, () => {
      const doc = fixture();
      setAt(doc, d.path, d.max);
      expect(issuesOf(doc)).toEqual([]);
      setAt(doc, d.path, d.max + 1);
      expect(issuesOf(doc)).toContainEqual(expect.stringMatching(new RegExp(`^${escaped(name)}: must be at most`)));
    });
  });
});

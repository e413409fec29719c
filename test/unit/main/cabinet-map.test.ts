import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cabinetMapIssues, cabinetMapView } from '../../../src/main/config/cabinet-map.js';
import { ConfigError, parseConfig } from '../../../src/main/config/load-config.js';

/** One board of 6 locks: compartments 1…6 when `compartments` is left out. */
const boards = [{ address: 1, protocol: 'xor-8a', locks: 6 }];
/** A 3 × 3 front: the screen top middle, 2 tall, the rest one cell each. */
const layout = {
  columns: 3,
  rows: 3,
  screen: { column: 2, row: 1 },
  compartments: [
    { id: '1', column: 1, row: 1 },
    { id: '2', column: 1, row: 2, rowSpan: 2 },
    { id: '3', column: 2, row: 2 },
    { id: '4', column: 2, row: 3 },
    { id: '5', column: 3, row: 1, rowSpan: 2 },
    { id: '6', column: 3, row: 3 },
  ],
};

/** The issues `parseConfig` reports for this layout, as `path: message` lines. */
function issuesOf(doc: Record<string, unknown>): string[] {
  try {
    parseConfig({ boards, ...doc }, 'test');
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

const withPlaces = (compartments: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => ({ layout: { ...layout, ...extra, compartments } });

describe('the cabinet map (config `layout`)', () => {
  it('is optional: without it nothing changes', () => {
    expect(parseConfig({ boards }, 'test').layout).toBeUndefined();
  });

  it('takes a front with spans and the screen, and hands the screen the places with their spans filled in', () => {
    const parsed = parseConfig({ boards, layout }, 'test');
    const view = cabinetMapView(parsed.layout!);
    expect(view.screen).toEqual({ column: 2, row: 1, columnSpan: 1, rowSpan: 1 });
    expect(view.places.find((p) => p.id === '2')).toEqual({ id: '2', column: 1, row: 2, columnSpan: 1, rowSpan: 2 });
    expect(view.places).toHaveLength(6);
  });

  it('checks ids against the configured compartments when they are listed', () => {
    const compartments = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'].map((id, i) => ({ id, board: 1, lock: i + 1 }));
    const places = layout.compartments.map((p, i) => ({ ...p, id: compartments[i]!.id }));
    expect(issuesOf({ compartments, layout: { ...layout, compartments: places } })).toEqual([]);
    expect(issuesOf({ compartments, layout })).toContain('layout.compartments[0].id: no compartment "1" (the ids are those of "compartments", or 1…n when it is left out)');
  });

  it('refuses two compartments on one cell, naming both and the cell', () => {
    const places = layout.compartments.map((p) => (p.id === '3' ? { ...p, row: 3 } : p));
    expect(issuesOf(withPlaces(places))).toEqual(['layout.compartments[3]: compartment "4" overlaps compartment "3" at column 2, row 3']);
  });

  it('refuses a tall compartment that runs into another, and one over the screen', () => {
    const tall = layout.compartments.map((p) => (p.id === '1' ? { ...p, rowSpan: 2 } : p));
    expect(issuesOf(withPlaces(tall))).toEqual(['layout.compartments[1]: compartment "2" overlaps compartment "1" at column 1, row 2']);
    const overScreen = layout.compartments.map((p) => (p.id === '3' ? { ...p, row: 1, rowSpan: 2 } : p));
    expect(issuesOf(withPlaces(overScreen))).toEqual(['layout.compartments[2]: compartment "3" overlaps the screen at column 2, row 1']);
  });

  it('refuses a place outside the grid', () => {
    const out = layout.compartments.map((p) => (p.id === '6' ? { ...p, column: 4 } : p));
    expect(issuesOf(withPlaces(out))).toEqual(['layout.compartments[5].column: compartment "6" reaches column 4, but the map has 3 columns']);
    const tooTall = layout.compartments.map((p) => (p.id === '6' ? { ...p, rowSpan: 2 } : p));
    expect(issuesOf(withPlaces(tooTall))).toEqual(['layout.compartments[5].rowSpan: compartment "6" reaches row 4, but the map has 3 rows']);
    expect(issuesOf({ layout: { ...layout, screen: { column: 2, row: 0 } } })).toEqual(['layout.screen.row: Too small: expected number to be >=1']);
  });

  it('refuses an unknown compartment, one placed twice, and one left without a place', () => {
    const unknown = [...layout.compartments.slice(0, 5), { id: '7', column: 3, row: 3 }];
    expect(issuesOf(withPlaces(unknown))).toEqual([
      'layout.compartments[5].id: no compartment "7" (the ids are those of "compartments", or 1…n when it is left out)',
      'layout.compartments: every compartment needs a place; missing: "6"',
    ]);
    const twice = [...layout.compartments, { id: '1', column: 1, row: 1 }];
    expect(issuesOf(withPlaces(twice))).toEqual(['layout.compartments[6].id: compartment "1" is placed twice (also at layout.compartments[0])']);
  });

  it('refuses keys it does not know (a typo is not silently ignored)', () => {
    expect(issuesOf({ layout: { ...layout, colums: 3 } })).toEqual(['layout: Unrecognized key: "colums"']);
  });

  it('validates the pure check without the schema too (every cell claimed once)', () => {
    const parsed = parseConfig({ boards, layout }, 'test').layout!;
    expect(cabinetMapIssues(parsed, ['1', '2', '3', '4', '5', '6'])).toEqual([]);
    expect(cabinetMapIssues(parsed, ['1', '2', '3', '4', '5', '6', '7'])).toEqual([{ path: ['compartments'], message: 'every compartment needs a place; missing: "7"' }]);
  });

  it('the commented example in examples/cabinet-map.yaml is a valid configuration', () => {
    const doc = parseYaml(readFileSync(new URL('../../../examples/cabinet-map.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
    const parsed = parseConfig(doc, 'examples/cabinet-map.yaml');
    expect(parsed.layout?.screen).toBeDefined();
    expect(parsed.ui.voice).toBe(true);
  });
});

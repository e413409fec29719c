import { z } from 'zod';
import type { CabinetMap } from '../../shared/contract.js';

/**
 * The physical cabinet front in the configuration (`layout`): a grid of
 * columns and rows, each compartment's place in it (a tall or wide one spans
 * several cells) and where the screen sits, so the touchscreen draws the
 * cabinet as the customer sees it and marks "you are here". Without a
 * `layout` the screen draws one column per board, as before.
 */

export const MAX_MAP_COLUMNS = 24;
export const MAX_MAP_ROWS = 32;

const placeSchema = z
  .object({
    /** 1 is the leftmost column as the customer faces the cabinet. */
    column: z.number().int().min(1).max(MAX_MAP_COLUMNS),
    /** 1 is the top row. */
    row: z.number().int().min(1).max(MAX_MAP_ROWS),
    columnSpan: z.number().int().min(1).max(MAX_MAP_COLUMNS).default(1),
    /** A tall compartment covers this many rows downwards from `row`. */
    rowSpan: z.number().int().min(1).max(MAX_MAP_ROWS).default(1),
  })
  .strict();

export const cabinetMapSchema = z
  .object({
    columns: z.number().int().min(1).max(MAX_MAP_COLUMNS),
    rows: z.number().int().min(1).max(MAX_MAP_ROWS),
    /** Where the touchscreen sits on the front ("you are here"); left out when it stands apart. */
    screen: placeSchema.optional(),
    compartments: z.array(placeSchema.extend({ id: z.string().min(1).max(32) }).strict()).min(1),
  })
  .strict();

export type CabinetMapSettings = z.output<typeof cabinetMapSchema>;
type Place = z.output<typeof placeSchema>;

export interface MapIssue {
  /** Below the `layout` key. */
  path: Array<string | number>;
  message: string;
}

/**
 * What is wrong with a map for these compartment ids: a place outside the
 * grid, two things on one cell, an id that is no compartment, a compartment
 * given two places or none. Every issue names the place and what it collides with.
 */
export function cabinetMapIssues(map: CabinetMapSettings, compartmentIds: readonly string[]): MapIssue[] {
  const issues: MapIssue[] = [];
  const known = new Set(compartmentIds);
  const placed = new Map<string, number>();
  /** `column/row` → what covers that cell. */
  const cells = new Map<string, string>();

  const claim = (place: Place, what: string, path: MapIssue['path']): void => {
    const lastColumn = place.column + place.columnSpan - 1;
    const lastRow = place.row + place.rowSpan - 1;
    if (lastColumn > map.columns) issues.push({ path: [...path, place.columnSpan > 1 ? 'columnSpan' : 'column'], message: `${what} reaches column ${lastColumn}, but the map has ${map.columns} columns` });
    if (lastRow > map.rows) issues.push({ path: [...path, place.rowSpan > 1 ? 'rowSpan' : 'row'], message: `${what} reaches row ${lastRow}, but the map has ${map.rows} rows` });
    const clashes = new Set<string>();
    for (let c = place.column; c <= Math.min(lastColumn, map.columns); c++) {
      for (let r = place.row; r <= Math.min(lastRow, map.rows); r++) {
        const key = `${c}/${r}`;
        const holder = cells.get(key);
        if (holder) clashes.add(`${holder} at column ${c}, row ${r}`);
        else cells.set(key, what);
      }
    }
    if (clashes.size) issues.push({ path, message: `${what} overlaps ${[...clashes].join('; ')}` });
  };

  if (map.screen) claim(map.screen, 'the screen', ['screen']);
  map.compartments.forEach((place, i) => {
    const path = ['compartments', i];
    if (!known.has(place.id)) {
      issues.push({ path: [...path, 'id'], message: `no compartment "${place.id}" (the ids are those of "compartments", or 1…n when it is left out)` });
      return;
    }
    const first = placed.get(place.id);
    if (first !== undefined) {
      issues.push({ path: [...path, 'id'], message: `compartment "${place.id}" is placed twice (also at layout.compartments[${first}])` });
      return;
    }
    placed.set(place.id, i);
    claim(place, `compartment "${place.id}"`, path);
  });
  const missing = compartmentIds.filter((id) => !placed.has(id));
  if (missing.length) issues.push({ path: ['compartments'], message: `every compartment needs a place; missing: ${missing.map((id) => `"${id}"`).join(', ')}` });
  return issues;
}

/** The map as the screen receives it (session.info). */
export function cabinetMapView(map: CabinetMapSettings): CabinetMap {
  const place = ({ column, row, columnSpan, rowSpan }: Place) => ({ column, row, columnSpan, rowSpan });
  return {
    columns: map.columns,
    rows: map.rows,
    screen: map.screen ? place(map.screen) : null,
    places: map.compartments.map((c) => ({ id: c.id, ...place(c) })),
  };
}

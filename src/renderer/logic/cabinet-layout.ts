import type { CabinetMap, CompartmentView, GridPlace } from '../../shared/contract.js';

/** A drawn column of the cabinet front: the compartments of one board, top to bottom by lock number. */
export interface CabinetColumn {
  key: string;
  board: number;
  cells: CompartmentView[];
}

/** A tall board is drawn as several columns of at most this many doors. */
export const MAX_CELLS_PER_COLUMN = 12;

/** Columns for the cabinet drawing: one per board (split when tall), boards and locks in order. */
export function cabinetColumns(compartments: readonly CompartmentView[], maxPerColumn = MAX_CELLS_PER_COLUMN): CabinetColumn[] {
  const columns: CabinetColumn[] = [];
  for (const [board, cells] of groupByBoard(compartments)) {
    for (let i = 0; i < cells.length; i += maxPerColumn) {
      columns.push({ key: `${board}:${i}`, board, cells: cells.slice(i, i + maxPerColumn) });
    }
  }
  return columns;
}

/** Compartments grouped by board address (ascending), each group sorted by lock. */
export function groupByBoard(compartments: readonly CompartmentView[]): Array<[number, CompartmentView[]]> {
  const byBoard = new Map<number, CompartmentView[]>();
  for (const c of compartments) {
    const list = byBoard.get(c.board);
    if (list) list.push(c);
    else byBoard.set(c.board, [c]);
  }
  return [...byBoard.entries()].sort(([a], [b]) => a - b).map(([board, list]) => [board, [...list].sort((x, y) => x.lock - y.lock)]);
}

/** A compartment at its configured place on the cabinet front (1-based grid lines, spans ≥ 1). */
export interface PlacedCell extends GridPlace {
  compartment: CompartmentView;
}

export interface MappedCabinet {
  columns: number;
  rows: number;
  cells: PlacedCell[];
  /** "You are here", or null when the screen is not on the cabinet front. */
  screen: GridPlace | null;
}

/**
 * The cabinet front drawn from the configured map: each compartment the
 * agent reports, at its place. A compartment the map does not place (the
 * agent's configuration check refuses that) is left out rather than guessed.
 */
export function mappedCabinet(compartments: readonly CompartmentView[], map: CabinetMap): MappedCabinet {
  const byId = new Map(compartments.map((c) => [c.id, c]));
  const cells: PlacedCell[] = [];
  for (const { id, column, row, columnSpan, rowSpan } of map.places) {
    const compartment = byId.get(id);
    if (compartment) cells.push({ compartment, column, row, columnSpan, rowSpan });
  }
  return { columns: map.columns, rows: map.rows, cells, screen: map.screen };
}

/** CSS grid placement of a place: `column / span n`, `row / span n`. */
export function gridArea(place: GridPlace): { gridColumn: string; gridRow: string } {
  return { gridColumn: `${place.column} / span ${place.columnSpan}`, gridRow: `${place.row} / span ${place.rowSpan}` };
}

import type { CompartmentView } from '../../shared/contract.js';

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

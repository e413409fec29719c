import { describe, expect, it } from 'vitest';
import type { CabinetMap, CompartmentView } from '../../../src/shared/contract.js';
import { cabinetColumns, gridArea, mappedCabinet } from '../../../src/renderer/logic/cabinet-layout.js';

const view = (id: string, board: number, lock: number): CompartmentView => ({
  id,
  board,
  lock,
  size: 'M',
  door: 'closed',
  doorSince: 0,
  outOfService: false,
  occupied: false,
  reserved: false,
  needsCheck: false,
});

const compartments = [view('1', 1, 1), view('2', 1, 2), view('3', 2, 1), view('4', 2, 2)];

describe('cabinet drawing layout', () => {
  it('without a map: one column per board, locks top to bottom (as before the map existed)', () => {
    const columns = cabinetColumns([...compartments].reverse());
    expect(columns.map((c) => [c.key, c.cells.map((x) => x.id)])).toEqual([
      ['1:0', ['1', '2']],
      ['2:0', ['3', '4']],
    ]);
    expect(cabinetColumns(Array.from({ length: 14 }, (_, i) => view(String(i + 1), 1, i + 1))).map((c) => c.cells.length)).toEqual([12, 2]);
  });

  it('with a map: each compartment at its configured place, the screen kept apart', () => {
    const map: CabinetMap = {
      columns: 2,
      rows: 3,
      screen: { column: 1, row: 1, columnSpan: 1, rowSpan: 1 },
      places: [
        { id: '4', column: 2, row: 1, columnSpan: 1, rowSpan: 3 },
        { id: '1', column: 1, row: 2, columnSpan: 1, rowSpan: 1 },
        { id: '2', column: 1, row: 3, columnSpan: 1, rowSpan: 1 },
        // On the map but not reported by the agent: not drawn.
        { id: '9', column: 1, row: 3, columnSpan: 1, rowSpan: 1 },
      ],
    };
    const drawn = mappedCabinet(compartments, map);
    expect(drawn.columns).toBe(2);
    expect(drawn.rows).toBe(3);
    expect(drawn.screen).toEqual(map.screen);
    expect(drawn.cells.map((c) => [c.compartment.id, c.column, c.row, c.rowSpan])).toEqual([
      ['4', 2, 1, 3],
      ['1', 1, 2, 1],
      ['2', 1, 3, 1],
    ]);
  });

  it('places a cell on CSS grid lines with its spans', () => {
    expect(gridArea({ column: 4, row: 1, columnSpan: 1, rowSpan: 3 })).toEqual({ gridColumn: '4 / span 1', gridRow: '1 / span 3' });
    expect(gridArea({ column: 1, row: 7, columnSpan: 2, rowSpan: 1 })).toEqual({ gridColumn: '1 / span 2', gridRow: '7 / span 1' });
  });
});

import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useRef } from 'preact/hooks';
import type { CompartmentView, GridPlace } from '../../shared/contract.js';
import { cabinetColumns, gridArea, mappedCabinet } from '../logic/cabinet-layout.js';
import { useMessages, useServices, useStore } from './context.js';

/**
 * The cabinet front as the customer sees it; the open compartment is
 * highlighted. Not interactive. With a configured map (`layout`) each
 * compartment sits at its place and the screen is marked "you are here";
 * without one, one column per board, cell height by size.
 */
export function CabinetDrawing({ highlight }: { highlight: string }) {
  const { stores, info } = useServices();
  const m = useMessages();
  const overview = useStore(stores.overview);
  const map = info.cabinetMap;
  const columns = useMemo(() => (map ? [] : cabinetColumns(overview?.compartments ?? [])), [overview, map]);
  const mapped = useMemo(() => (map ? mappedCabinet(overview?.compartments ?? [], map) : null), [overview, map]);

  if (mapped) {
    if (mapped.cells.length === 0) return null;
    return (
      <MappedFront columns={mapped.columns} rows={mapped.rows} label={m.drawingLabel}>
        {mapped.cells.map((cell) => (
          <Cell key={cell.compartment.id} c={cell.compartment} on={cell.compartment.id === highlight} place={cell} />
        ))}
        {mapped.screen ? (
          <ScreenMarker place={mapped.screen} label={m.youAreHere} />
        ) : null}
      </MappedFront>
    );
  }
  if (columns.length === 0) return null;
  return (
    <div class="cabinet" role="img" aria-label={m.drawingLabel}>
      {columns.map((col) => (
        <div class="cabinet-col" key={col.key}>
          {col.cells.map((c) => (
            <Cell key={c.id} c={c} on={c.id === highlight} />
          ))}
        </div>
      ))}
    </div>
  );
}

/**
 * Grid lines set through the CSSOM, not a `style` attribute: the CSP allows
 * no inline style markup (test/unit/renderer/source-rules.test.ts).
 */
function useGrid<T extends HTMLElement>(apply: (style: CSSStyleDeclaration) => void, key: string) {
  const ref = useRef<T>(null);
  useLayoutEffect(() => {
    if (ref.current) apply(ref.current.style);
  }, [key]);
  return ref;
}

function MappedFront({ columns, rows, label, children }: { columns: number; rows: number; label: string; children: ComponentChildren }) {
  const ref = useGrid<HTMLDivElement>((style) => {
    style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
    style.gridTemplateRows = `repeat(${rows}, minmax(0, 1fr))`;
  }, `${columns}x${rows}`);
  return (
    <div ref={ref} class="cabinet cabinet-mapped" role="img" aria-label={label} data-columns={columns} data-rows={rows}>
      {children}
    </div>
  );
}

function placeGrid(place: GridPlace): (style: CSSStyleDeclaration) => void {
  const area = gridArea(place);
  return (style) => {
    style.gridColumn = area.gridColumn;
    style.gridRow = area.gridRow;
  };
}

const placeKey = (p: GridPlace): string => `${p.column}/${p.row}/${p.columnSpan}/${p.rowSpan}`;

function ScreenMarker({ place, label }: { place: GridPlace; label: string }) {
  const ref = useGrid<HTMLDivElement>(placeGrid(place), placeKey(place));
  return (
    <div ref={ref} class="cabinet-screen" data-testid="you-are-here" data-column={place.column} data-row={place.row}>
      <span class="cabinet-screen-label">{label}</span>
    </div>
  );
}

function Cell({ c, on, place }: { c: CompartmentView; on: boolean; place?: GridPlace }) {
  const ref = useGrid<HTMLDivElement>(place ? placeGrid(place) : () => undefined, place ? placeKey(place) : '');
  return (
    <div
      ref={ref}
      class={`cabinet-cell size-${c.size}${on ? ' is-highlight' : ''}`}
      data-compartment={c.id}
      data-highlight={on ? 'true' : 'false'}
      data-door={c.door}
      data-column={place?.column}
      data-row={place?.row}
    >
      <span class="cabinet-cell-id">{c.id}</span>
    </div>
  );
}

import { useMemo } from 'preact/hooks';
import { cabinetColumns } from '../logic/cabinet-layout.js';
import { useMessages, useServices, useStore } from './context.js';

/**
 * The cabinet front as the customer sees it, one column per board, cell
 * height by size; the open compartment is highlighted. Not interactive.
 */
export function CabinetDrawing({ highlight }: { highlight: string }) {
  const { stores } = useServices();
  const m = useMessages();
  const overview = useStore(stores.overview);
  const columns = useMemo(() => cabinetColumns(overview?.compartments ?? []), [overview]);
  if (columns.length === 0) return null;
  return (
    <div class="cabinet" role="img" aria-label={m.drawingLabel}>
      {columns.map((col) => (
        <div class="cabinet-col" key={col.key}>
          {col.cells.map((c) => {
            const on = c.id === highlight;
            return (
              <div key={c.id} class={`cabinet-cell size-${c.size}${on ? ' is-highlight' : ''}`} data-compartment={c.id} data-highlight={on ? 'true' : 'false'} data-door={c.door}>
                <span class="cabinet-cell-id">{c.id}</span>
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}

import { useEffect, useState } from 'preact/hooks';
import type { CallOutput, ContractError } from '../../../shared/contract.js';
import { screenAfterReturnOpen } from '../../logic/door-outcome.js';
import { formatDateTime } from '../../logic/format.js';
import { useAlive, useLanguage, useMessages, useServices } from '../context.js';
import { Spinner } from '../widgets.js';
import { useChecksThen } from './check.js';
import { DoorOpenView } from './pickup.js';

type Returnable = CallOutput<'return.list'>[number];

/** Expired, cancelled and stored parcels a courier may take back; a tap opens the door. */
export function ReturnListScreen() {
  const { api, nav, refreshOverview } = useServices();
  const m = useMessages();
  const lang = useLanguage();
  const alive = useAlive();
  const [rows, setRows] = useState<Returnable[] | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = (error: ContractError): void => nav.fail(error, { name: 'return-list' });
  const load = (): void => {
    setRows(null);
    void api.call('return.list', {}).then((result) => {
      if (!alive.current) return;
      if (result.ok) setRows(result.value);
      else fail(result.error);
    });
  };
  useEffect(load, []);

  const open = (compartmentId: string): void => {
    setBusy(true);
    void api.call('return.open', { compartmentId }).then((result) => {
      if (!alive.current) return;
      if (!result.ok) {
        fail(result.error);
        return;
      }
      refreshOverview();
      nav.go(screenAfterReturnOpen(result.value));
    });
  };

  return (
    <section class="list-screen">
      <h1>{m.returnTitle}</h1>
      <div class="table-list" role="table">
        <div class="list-row list-head" role="row">
          <span role="columnheader">{m.colCompartment}</span>
          <span role="columnheader">{m.colSize}</span>
          <span role="columnheader">{m.colState}</span>
          <span role="columnheader">{m.colTracking}</span>
          <span role="columnheader">{m.colExpiry}</span>
        </div>
        <div class="list-body">
          {rows === null ? <Spinner /> : null}
          {rows?.length === 0 ? <p class="empty">{m.returnEmpty}</p> : null}
          {rows?.map((r) => (
            <button
              key={`${r.compartmentId}:${r.storedAt ?? ''}`}
              type="button"
              role="row"
              class={`list-row return-row state-${r.state}`}
              data-testid="return-row"
              data-compartment={r.compartmentId}
              disabled={busy}
              onClick={() => open(r.compartmentId)}
            >
              <span class="cell-strong" role="cell">
                {r.compartmentId}
              </span>
              <span role="cell">{m.sizes[r.size]}</span>
              <span role="cell" class="state-label">
                {m.parcelStates[r.state]}
              </span>
              <span role="cell" class="mono">
                {r.trackingNo ?? m.none}
              </span>
              <span role="cell">{r.expiresAt === null ? m.none : formatDateTime(r.expiresAt, lang)}</span>
            </button>
          ))}
        </div>
      </div>
      <div class="actions">
        <button type="button" class="btn btn-secondary" data-testid="staff-back" disabled={busy} onClick={() => nav.go({ name: 'courier-menu' })}>
          {m.back}
        </button>
        <button type="button" class="btn btn-secondary" data-testid="return-refresh" disabled={busy} onClick={load}>
          {m.refresh}
        </button>
      </div>
    </section>
  );
}

/** The return's door is open, or may be (`unknown`: after Done the courier answers whether the parcel is still inside). */
export function ReturnOpenScreen({ compartmentId, outcome }: { compartmentId: string; outcome: 'opened' | 'unknown' }) {
  const { nav } = useServices();
  const m = useMessages();
  const checksThen = useChecksThen();
  const [busy, setBusy] = useState(false);
  const maybe = outcome === 'unknown';
  const done = (): void => {
    if (!maybe) return nav.go({ name: 'return-list' });
    setBusy(true);
    void checksThen({ name: 'return-list' });
  };
  return (
    <DoorOpenView compartmentId={compartmentId} title={maybe ? m.doorMaybeTitle : undefined} instruction={maybe ? m.returnMaybeInstruction : m.returnInstruction}>
      <button type="button" class="btn btn-primary btn-large" data-testid="done" disabled={busy} onClick={done}>
        {m.done}
      </button>
    </DoorOpenView>
  );
}

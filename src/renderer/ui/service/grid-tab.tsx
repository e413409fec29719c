import { useEffect, useMemo, useState } from 'preact/hooks';
import type { CompartmentView } from '../../../shared/contract.js';
import { ageText, doorReading } from '../../logic/age.js';
import { groupByBoard } from '../../logic/cabinet-layout.js';
import { serviceOpenNotice } from '../../logic/door-outcome.js';
import { fill } from '../../logic/format.js';
import { OOS_REASONS, type OosReason } from '../../logic/oos-reasons.js';
import { useMessages, useServices, useStore } from '../context.js';
import { useChecksThen } from '../screens/check.js';
import { ConfirmDialog } from '../widgets.js';
import { NoticeLine, useServiceCalls } from './common.js';

/** Live door states; a tapped cell gets open / out-of-service actions; "Open all" asks twice. */
export function GridTab() {
  const { api, stores, refreshOverview } = useServices();
  const m = useMessages();
  const checksThen = useChecksThen();
  const overview = useStore(stores.overview);
  const health = useStore(stores.health);
  const link = useStore(stores.connection);
  const boards = useMemo(() => groupByBoard(overview?.compartments ?? []), [overview]);
  // Nothing reads the doors while the bus is down, released for setup, or the agent is away: each shows unknown, with the age of what was seen last.
  const stale = (health !== null && health.lockBus !== 'connected') || link !== 'open';
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!stale) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [stale]);
  const readingOf = (c: CompartmentView) => doorReading(c, health?.lockBus ?? null, link === 'open', now);
  const doorText = (c: CompartmentView): string => {
    const r = readingOf(c);
    return r.stale ? fill(m.doorAge, { state: m.doorStates[r.stale.lastSeen], age: ageText(r.stale.ageMs, m) }) : m.doorStates[r.door];
  };
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [reason, setReason] = useState<OosReason>('other');
  const [confirmStep, setConfirmStep] = useState<0 | 1 | 2>(0);
  const { busy, notice, setNotice, run } = useServiceCalls();
  useEffect(refreshOverview, []);

  const selected = overview?.compartments.find((c) => c.id === selectedId) ?? null;
  const count = overview?.compartments.length ?? 0;

  const openOne = (c: CompartmentView): void => {
    void run(api.call('service.open', { compartmentId: c.id }), (v) => {
      const said = serviceOpenNotice(v.outcome);
      setNotice({ kind: said.kind, text: fill(m[said.text], { door: v.compartmentId }) });
      refreshOverview();
    });
  };
  const toggleService = (c: CompartmentView): void => {
    const outOfService = !c.outOfService;
    void run(api.call('service.setOutOfService', { compartmentId: c.id, outOfService, reason: outOfService ? reason : null }), () => {
      setNotice({ kind: 'ok', text: m.svcSaved });
      refreshOverview();
    });
  };
  const cancelCodes = (c: CompartmentView): void => {
    void run(api.call('service.cancelVendorCodes', { compartmentId: c.id }), (v) => {
      setNotice({ kind: 'ok', text: fill(m.svcCodesCancelled, { cancelled: v.cancelled, failed: v.failed }) });
    });
  };
  const openAll = (): void => {
    setConfirmStep(0);
    void run(api.call('service.openAll', { confirm: 'open-all' }), (v) => {
      const summary = fill(m.openAllResult, { opened: v.opened.length, unknown: v.unknown.length, failed: v.failed.length });
      const failed = v.failed.map((f) => `${f.compartmentId} (${f.code})`).join(', ');
      const parts = [summary, ...(v.unknown.length ? [fill(m.openAllUnknown, { list: v.unknown.join(', ') })] : []), ...(failed ? [fill(m.openAllFailed, { list: failed })] : [])];
      setNotice({ kind: v.unknown.length || failed ? 'warn' : 'ok', text: parts.join('. ') });
      refreshOverview();
    });
  };

  return (
    <div class="svc-grid-tab">
      <div class="svc-cabinet">
        {boards.map(([board, cells]) => (
          <div class="svc-board" key={board}>
            <h2>{fill(m.boardTitle, { board })}</h2>
            <div class="svc-cells">
              {cells.map((c) => (
                <button
                  key={c.id}
                  type="button"
                  class={`svc-cell door-${readingOf(c).door}${c.outOfService ? ' is-oos' : ''}${c.reserved ? ' is-reserved' : ''}${c.needsCheck ? ' is-needs-check' : ''}${c.id === selectedId ? ' is-selected' : ''}`}
                  data-testid="svc-compartment"
                  data-compartment={c.id}
                  data-door={readingOf(c).door}
                  data-stale={stale ? 'true' : 'false'}
                  data-oos={c.outOfService ? 'true' : 'false'}
                  data-reserved={c.reserved ? 'true' : 'false'}
                  data-needs-check={c.needsCheck ? 'true' : 'false'}
                  aria-pressed={c.id === selectedId ? 'true' : 'false'}
                  onClick={() => {
                    setSelectedId(c.id);
                    setNotice(null);
                  }}
                >
                  <span class="svc-cell-id">{c.id}</span>
                  <span class="svc-cell-size">{c.size}</span>
                  <span class="svc-cell-door">{stale ? m.doorStates.unknown : m.doorStates[c.door]}</span>
                  {stale ? (
                    <span class="svc-cell-age" data-testid="svc-door-age">
                      {doorText(c)}
                    </span>
                  ) : null}
                  {c.outOfService ? <span class="svc-cell-oos">{m.svcOos}</span> : null}
                  {c.needsCheck ? <span class="svc-cell-check">{m.svcNeedsCheck}</span> : null}
                  {c.reserved ? <span class="svc-cell-reserved">{m.svcReserved}</span> : null}
                  {c.occupied ? <i class="svc-cell-parcel" aria-label={m.svcOccupied} /> : null}
                </button>
              ))}
            </div>
          </div>
        ))}
      </div>
      <aside class="svc-panel">
        <button type="button" class="btn btn-danger" data-testid="svc-open-all" disabled={busy || count === 0} onClick={() => setConfirmStep(1)}>
          {m.svcOpenAll}
        </button>
        <NoticeLine notice={notice} />
        {selected ? (
          <div class="svc-detail" data-testid="svc-detail" data-selected={selected.id}>
            <h2>{selected.id}</h2>
            <dl class="facts">
              <dt>{m.colSize}</dt>
              <dd>{m.sizes[selected.size]}</dd>
              <dt>{m.svcDoor}</dt>
              <dd data-testid="svc-detail-door">{stale ? `${m.doorUnknownStale}: ${doorText(selected)}` : m.doorStates[selected.door]}</dd>
              <dt>{m.svcContents}</dt>
              <dd>{selected.occupied ? m.svcOccupied : m.svcEmpty}</dd>
              <dt>{m.colState}</dt>
              <dd>{selected.outOfService ? m.svcOos : m.svcInService}</dd>
              {selected.reserved ? (
                <>
                  <dt>{m.svcReserved}</dt>
                  <dd>{m.yes}</dd>
                </>
              ) : null}
              {selected.needsCheck ? (
                <>
                  <dt>{m.svcNeedsCheck}</dt>
                  <dd>{m.yes}</dd>
                </>
              ) : null}
            </dl>
            <p class="muted">{fill(m.boardLock, { board: selected.board, lock: selected.lock })}</p>
            {selected.needsCheck ? (
              <button type="button" class="btn btn-warning" data-testid="svc-check" disabled={busy} onClick={() => void checksThen({ name: 'service' }, selected.id)}>
                {m.svcCheckNow}
              </button>
            ) : null}
            <button type="button" class="btn btn-primary" data-testid="svc-open" disabled={busy} onClick={() => openOne(selected)}>
              {m.svcOpen}
            </button>
            {selected.outOfService ? null : (
              <fieldset class="reasons">
                <legend>{m.svcReason}</legend>
                {OOS_REASONS.map((r) => (
                  <button key={r} type="button" class={`chip${r === reason ? ' is-on' : ''}`} data-reason={r} aria-pressed={r === reason ? 'true' : 'false'} onClick={() => setReason(r)}>
                    {m.oosReasons[r]}
                  </button>
                ))}
              </fieldset>
            )}
            <button type="button" class={`btn ${selected.outOfService ? 'btn-primary' : 'btn-warning'}`} data-testid="svc-oos" disabled={busy} onClick={() => toggleService(selected)}>
              {selected.outOfService ? m.svcBackInService : m.svcMarkOos}
            </button>
            <button type="button" class="btn" data-testid="svc-cancel-codes" disabled={busy} onClick={() => cancelCodes(selected)}>
              {m.svcCancelCodes}
            </button>
          </div>
        ) : (
          <p class="muted">{m.svcSelectHint}</p>
        )}
      </aside>
      {confirmStep === 1 ? <ConfirmDialog text={m.confirmOpenAllFirst} yes={m.confirmYes} no={m.confirmNo} onYes={() => setConfirmStep(2)} onNo={() => setConfirmStep(0)} /> : null}
      {confirmStep === 2 ? (
        <ConfirmDialog key="second" swapped text={fill(m.confirmOpenAllSecond, { count })} yes={m.confirmYes} no={m.confirmNo} onYes={openAll} onNo={() => setConfirmStep(0)} />
      ) : null}
    </div>
  );
}

import { useState } from 'preact/hooks';
import type { CallOutput } from '../../../shared/contract.js';
import { ageText as ageWords } from '../../logic/age.js';
import { fill } from '../../logic/format.js';
import type { Messages } from '../../i18n/messages.js';
import { useMessages, useServices } from '../context.js';
import { NoticeLine, RefreshButton, useServiceCalls, useTabLoad } from './common.js';

type Outbox = CallOutput<'service.outbox'>;

function ageText(m: Messages, ms: number): string {
  return ageWords(ms, m);
}

/** Outbox depth in total and per destination; "retry failed" requeues the dead-lettered events. */
export function OutboxTab({ active }: { active: boolean }) {
  const { api } = useServices();
  const m = useMessages();
  const [outbox, setOutbox] = useState<Outbox | null>(null);
  const { busy, notice, setNotice, run } = useServiceCalls();
  const load = (): void => void run(api.call('service.outbox', {}), setOutbox);
  useTabLoad(active, load);

  const retry = (): void => {
    void run(api.call('service.retryDead', {}), (v) => {
      void run(api.call('service.outbox', {}), (next) => {
        setOutbox(next);
        setNotice({ kind: 'ok', text: fill(m.retried, { count: v.retried }) });
      });
    });
  };

  return (
    <div class="svc-tab">
      <div class="svc-toolbar">
        <button type="button" class="btn btn-primary" data-testid="svc-retry-dead" disabled={busy || (outbox?.dead ?? 0) === 0} onClick={retry}>
          {m.retryDead}
        </button>
        {active ? <RefreshButton onClick={load} busy={busy} /> : null}
      </div>
      {active ? <NoticeLine notice={notice} /> : null}
      {outbox ? (
        <>
          <dl class="facts facts-inline" data-testid="svc-outbox-totals">
            <dt>{m.colPending}</dt>
            <dd data-field="pending">{outbox.pending}</dd>
            <dt>{m.colDead}</dt>
            <dd data-field="dead" class={outbox.dead > 0 ? 'is-bad' : ''}>
              {outbox.dead}
            </dd>
            <dt>{m.colDelivered}</dt>
            <dd data-field="delivered">{outbox.delivered}</dd>
            <dt>{m.colSkipped}</dt>
            <dd data-field="skipped">{outbox.skipped}</dd>
            <dt>{m.colOldest}</dt>
            <dd>{outbox.oldestPendingAgeMs === null ? m.none : ageText(m, outbox.oldestPendingAgeMs)}</dd>
          </dl>
          {outbox.destinations.length === 0 ? (
            <p class="muted">{m.outboxEmpty}</p>
          ) : (
            <table class="data-table" data-testid="svc-outbox">
              <thead>
                <tr>
                  <th>{m.colDestination}</th>
                  <th class="num">{m.colPending}</th>
                  <th class="num">{m.colDead}</th>
                  <th class="num">{m.colSkipped}</th>
                  <th>{m.colConnection}</th>
                </tr>
              </thead>
              <tbody>
                {outbox.destinations.map((d) => (
                  <tr key={d.destination} data-destination={d.destination}>
                    <td class="cell-strong">{d.destination}</td>
                    <td class="num" data-field="pending">
                      {d.pending}
                    </td>
                    <td class={`num${d.dead > 0 ? ' is-bad' : ''}`} data-field="dead">
                      {d.dead}
                    </td>
                    <td class="num" data-field="skipped">
                      {d.skipped}
                    </td>
                    <td class={d.state === 'offline' || d.state === 'paused' ? 'is-bad' : ''} data-field="state" title={d.lastError ?? undefined}>
                      {m.destinationState[d.state]}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {outbox.unsent.length > 0 ? (
            <>
              <h2>{m.unsentTitle}</h2>
              <table class="data-table" data-testid="svc-outbox-unsent">
                <thead>
                  <tr>
                    <th>{m.colState}</th>
                    <th>{m.colDestination}</th>
                    <th>{m.colEvent}</th>
                    <th>{m.colAge}</th>
                    <th>{m.colReason}</th>
                  </tr>
                </thead>
                <tbody>
                  {outbox.unsent.map((r) => (
                    <tr key={`${r.eventId}/${r.destination}`} data-event={r.eventId} data-destination={r.destination} data-state={r.state}>
                      <td class={r.state === 'dead' ? 'is-bad' : 'muted'}>{m.unsentState[r.state]}</td>
                      <td>{r.destination}</td>
                      <td>{r.eventType}</td>
                      <td>{ageText(m, r.ageMs)}</td>
                      <td data-field="reason">{r.reason ?? m.none}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          <VendorOrders orders={outbox.vendorOrders} />
          <VendorResults results={outbox.vendorResults} />
        </>
      ) : null}
    </div>
  );
}

/** Orders a vendor notified (Yopoint), and whether its own record of each could be read yet. */
function VendorOrders({ orders }: { orders: Outbox['vendorOrders'] }) {
  const m = useMessages();
  if (orders.length === 0) return null;
  const now = Date.now();
  return (
    <>
      <h2>{m.vendorOrdersTitle}</h2>
      <table class="data-table" data-testid="svc-vendor-orders">
        <thead>
          <tr>
            <th>{m.colSource}</th>
            <th>{m.colOrder}</th>
            <th>{m.colAge}</th>
            <th>{m.colVendorRecord}</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={`${o.source}/${o.orderRef}`} data-order={o.orderRef} data-fetched={o.fetched ? 'yes' : 'no'}>
              <td>{o.source}</td>
              <td class="cell-strong">{o.orderRef}</td>
              <td>{ageText(m, Math.max(0, now - o.receivedAt))}</td>
              <td class={o.fetched ? '' : 'is-bad'} title={o.fetchError ?? undefined}>
                {o.fetched ? m.vendorOrderFetched : `${m.vendorOrderWaiting}${o.fetchError ? `: ${o.fetchError}` : ''}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** What a vendor said later about an event it had taken (a Dingshang delivery result), in its own words. */
function VendorResults({ results }: { results: Outbox['vendorResults'] }) {
  const m = useMessages();
  if (results.length === 0) return null;
  const now = Date.now();
  return (
    <>
      <h2>{m.vendorResultsTitle}</h2>
      <table class="data-table" data-testid="svc-vendor-results">
        <thead>
          <tr>
            <th>{m.colDestination}</th>
            <th>{m.colEvent}</th>
            <th>{m.colAge}</th>
            <th>{m.colOutcome}</th>
            <th>{m.colReason}</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={`${r.destination}/${r.vendorRef}`} data-destination={r.destination} data-ref={r.vendorRef} data-outcome={r.outcome ?? ''}>
              <td>{r.destination}</td>
              <td>{r.eventType}</td>
              <td>{ageText(m, Math.max(0, now - r.at))}</td>
              <td>{r.outcome ?? m.none}</td>
              <td data-field="reason">{r.reason ?? m.none}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

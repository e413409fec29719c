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
        </>
      ) : null}
    </div>
  );
}

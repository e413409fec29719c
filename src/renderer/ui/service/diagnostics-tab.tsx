import { useState } from 'preact/hooks';
import type { DiagnosticsView } from '../../../shared/contract.js';
import { formatClock } from '../../logic/format.js';
import { useMessages, useServices } from '../context.js';
import { NoticeLine, RefreshButton, useServiceCalls, useTabLoad } from './common.js';

/** Serial port, boards, counters, the last frames and recent errors, refreshed on demand. */
export function DiagnosticsTab({ active }: { active: boolean }) {
  const { api } = useServices();
  const m = useMessages();
  const [diag, setDiag] = useState<DiagnosticsView | null>(null);
  const { busy, notice, run } = useServiceCalls();
  const load = (): void => void run(api.call('service.diagnostics', {}), setDiag);
  useTabLoad(active, load);

  return (
    <div class="svc-tab">
      <div class="svc-toolbar">
        {active ? <RefreshButton onClick={load} busy={busy} /> : null}
      </div>
      {active ? <NoticeLine notice={notice} /> : null}
      {diag ? (
        <div class="diag" data-testid="svc-diagnostics">
          <dl class="facts facts-inline">
            <dt>{m.diagPort}</dt>
            <dd class="mono">{diag.port}</dd>
            <dt>{m.diagBaud}</dt>
            <dd class="mono">{diag.baudRate}</dd>
            <dt>{m.diagConnected}</dt>
            <dd class={diag.connected ? 'is-ok' : 'is-bad'} data-connected={diag.connected ? 'true' : 'false'}>
              {diag.connected ? m.yes : m.no}
            </dd>
          </dl>

          <h2>{m.diagBoards}</h2>
          <table class="data-table mono">
            <thead>
              <tr>
                <th>{m.colAddress}</th>
                <th>{m.colProtocol}</th>
                <th class="num">{m.colLocks}</th>
              </tr>
            </thead>
            <tbody>
              {diag.boards.map((b) => (
                <tr key={b.address}>
                  <td>{b.address}</td>
                  <td>{b.protocol}</td>
                  <td class="num">{b.locks}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <h2>{m.diagStats}</h2>
          <dl class="facts facts-grid mono">
            {Object.entries(diag.stats).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>

          <h2>{m.diagFrames}</h2>
          {diag.lastFrames.length === 0 ? (
            <p class="muted">{m.nothingYet}</p>
          ) : (
            <table class="data-table mono frames">
              <thead>
                <tr>
                  <th>{m.colTime}</th>
                  <th>{m.colDir}</th>
                  <th>{m.colHex}</th>
                  <th>{m.colOk}</th>
                  <th>{m.colNote}</th>
                </tr>
              </thead>
              <tbody>
                {diag.lastFrames.map((f, i) => (
                  <tr key={i} class={f.ok ? '' : 'is-bad'}>
                    <td>{formatClock(f.at)}</td>
                    <td class={`dir-${f.dir}`}>{f.dir}</td>
                    <td class="wrap">{f.hex}</td>
                    <td>{f.ok ? m.yes : m.no}</td>
                    <td>{f.note ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>{m.diagErrors}</h2>
          {diag.recentErrors.length === 0 ? (
            <p class="muted">{m.nothingYet}</p>
          ) : (
            <table class="data-table mono">
              <thead>
                <tr>
                  <th>{m.colTime}</th>
                  <th>{m.colMessage}</th>
                </tr>
              </thead>
              <tbody>
                {diag.recentErrors.map((e, i) => (
                  <tr key={i}>
                    <td>{formatClock(e.at)}</td>
                    <td class="wrap">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ) : null}
    </div>
  );
}

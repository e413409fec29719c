import { useState } from 'preact/hooks';
import { fill } from '../../logic/format.js';
import { useMessages, useServices } from '../context.js';
import { DiagnosticsTab } from './diagnostics-tab.js';
import { GridTab } from './grid-tab.js';
import { LogTab } from './log-tab.js';
import { OutboxTab } from './outbox-tab.js';
import { SetupTab } from './setup-tab.js';

export const SERVICE_TABS = ['grid', 'outbox', 'diagnostics', 'log', 'setup'] as const;
export type ServiceTab = (typeof SERVICE_TABS)[number];

/**
 * Technician service mode: five tabs, exit logs out (idle does too, see
 * `idlePolicy`). Exit while setup holds the cabinet cancels setup first, so
 * the agent takes the line back rather than leaving the cabinet closed.
 */
export function ServiceScreen() {
  const { nav, info, api } = useServices();
  const m = useMessages();
  const [tab, setTab] = useState<ServiceTab>('grid');
  const [setupRunning, setSetupRunning] = useState(false);
  const labels: Record<ServiceTab, string> = { grid: m.tabGrid, outbox: m.tabOutbox, diagnostics: m.tabDiagnostics, log: m.tabLog, setup: m.tabSetup };
  const exit = (): void => {
    if (!setupRunning) return nav.logout();
    void api.call('commission.cancel', {}).then(() => nav.logout());
  };
  return (
    <section class="service">
      <div class="svc-head">
        <h1>{m.serviceTitle}</h1>
        <div class="tabs" role="tablist">
          {SERVICE_TABS.map((t) => (
            <button key={t} type="button" role="tab" class={`tab${t === tab ? ' is-on' : ''}`} data-tab={t} aria-selected={t === tab ? 'true' : 'false'} onClick={() => setTab(t)}>
              {labels[t]}
            </button>
          ))}
        </div>
        <span class="muted svc-idle">{fill(m.serviceIdle, { minutes: Math.max(1, Math.round(info.serviceIdleExitMs / 60_000)) })}</span>
        <button type="button" class="btn btn-secondary" data-testid="svc-exit" onClick={exit}>
          {m.exit}
        </button>
      </div>
      {/* Every tab stays mounted and loads on entry, so switching shows data at once; a tab refreshes when shown. */}
      <div class="svc-body" role="tabpanel" hidden={tab !== 'grid'}>
        <GridTab />
      </div>
      <div class="svc-body" role="tabpanel" hidden={tab !== 'outbox'}>
        <OutboxTab active={tab === 'outbox'} />
      </div>
      <div class="svc-body" role="tabpanel" hidden={tab !== 'diagnostics'}>
        <DiagnosticsTab active={tab === 'diagnostics'} />
      </div>
      <div class="svc-body" role="tabpanel" hidden={tab !== 'log'}>
        <LogTab active={tab === 'log'} />
      </div>
      {/* Setup calls nothing until "Start setup": beginning closes the cabinet to customers. */}
      <div class="svc-body" role="tabpanel" hidden={tab !== 'setup'}>
        <SetupTab onRunning={setSetupRunning} />
      </div>
    </section>
  );
}

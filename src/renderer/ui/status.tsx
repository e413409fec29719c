import type { HealthView } from '../../shared/contract.js';
import { fill } from '../logic/format.js';
import type { Messages } from '../i18n/messages.js';
import { useMessages, useServices, useStore } from './context.js';

function cloudText(m: Messages, cloud: HealthView['cloud']): string {
  if (cloud === 'online') return m.healthOnline;
  if (cloud === 'offline') return m.healthOffline;
  return m.healthNotConfigured;
}

/** Small corner indicator from pushed `health` events. */
export function HealthIndicator() {
  const { stores } = useServices();
  const m = useMessages();
  const health = useStore(stores.health);
  const connection = useStore(stores.connection);
  if (!health) return null;
  const locksOk = health.lockBus === 'connected';
  const cloudState = health.cloud === 'online' ? 'ok' : health.cloud === 'offline' ? 'warn' : 'off';
  const queueState = health.outbox.dead > 0 ? 'bad' : health.outbox.pending > 0 ? 'warn' : 'ok';
  return (
    <div class={`health${connection === 'open' ? '' : ' is-stale'}`} role="status" aria-label={m.healthLabel} data-testid="health" data-lockbus={health.lockBus} data-cloud={health.cloud}>
      <span class={`health-item hi-${locksOk ? 'ok' : 'bad'}`} title={locksOk ? m.healthConnected : m.healthDisconnected}>
        <i class="dot" aria-hidden="true" />
        {m.healthLocks}
      </span>
      <span class={`health-item hi-${cloudState}`} title={cloudText(m, health.cloud)}>
        <i class="dot" aria-hidden="true" />
        {m.healthCloud}
      </span>
      <span class={`health-item hi-${queueState}`} title={fill(m.healthQueueCounts, { pending: health.outbox.pending, dead: health.outbox.dead })}>
        <i class="dot" aria-hidden="true" />
        {m.healthQueue}
        {health.outbox.pending + health.outbox.dead > 0 ? <b class="health-count">{health.outbox.pending + health.outbox.dead}</b> : null}
      </span>
    </div>
  );
}

/** Shown on customer screens while the lock bus is down (they may still try), or while a technician sets the cabinet up. */
export function UnavailableBanner() {
  const { stores } = useServices();
  const m = useMessages();
  const health = useStore(stores.health);
  if (health?.lockBus === 'in-setup') {
    const setup = m.errors['cabinet-in-setup'];
    return (
      <div class="banner" role="alert" data-testid="unavailable-banner" data-reason="in-setup">
        <strong>{setup.title}</strong>
        <span>{setup.next}</span>
      </div>
    );
  }
  if (health?.lockBus !== 'disconnected') return null;
  return (
    <div class="banner" role="alert" data-testid="unavailable-banner" data-reason="disconnected">
      <strong>{m.unavailableBanner}</strong>
      <span>{m.unavailableHint}</span>
    </div>
  );
}

/** "Reconnecting…" while the browser-mode socket is down. */
export function ConnectionIndicator() {
  const { stores } = useServices();
  const m = useMessages();
  const state = useStore(stores.connection);
  if (state !== 'reconnecting') return null;
  return (
    <span class="reconnecting" role="status" data-testid="reconnecting">
      <i class="spinner spinner--small" aria-hidden="true" />
      {m.reconnecting}
    </span>
  );
}

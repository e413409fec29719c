import { useEffect, useState } from 'preact/hooks';
import { COMPARTMENT_SIZES, type CompartmentSize } from '../../../shared/domain.js';
import { screenAfterDropoffStart } from '../../logic/door-outcome.js';
import { fill, formatDateTime } from '../../logic/format.js';
import type { Screen } from '../../logic/screens.js';
import { useAlive, useLanguage, useMessages, useServices, useStore } from '../context.js';
import { Template } from '../template.js';
import { DoorNumber, Spinner } from '../widgets.js';
import { DoorOpenView } from './pickup.js';

/** S / M / L / XL with the free count of each; a full size is disabled. */
export function DropoffSizeScreen() {
  const { api, nav, stores, sound, refreshOverview } = useServices();
  const m = useMessages();
  const alive = useAlive();
  const overview = useStore(stores.overview);
  const [busy, setBusy] = useState(false);
  useEffect(refreshOverview, []);

  const start = (size: CompartmentSize): void => {
    setBusy(true);
    void api.call('dropoff.start', { size }).then((result) => {
      if (!alive.current) return;
      if (!result.ok) {
        nav.fail(result.error, { name: 'dropoff-size' });
        return;
      }
      refreshOverview();
      if (result.value.outcome !== 'opened') sound.error();
      nav.go(screenAfterDropoffStart(result.value, Date.now()));
    });
  };

  return (
    <section class="menu">
      <h1>{m.sizeTitle}</h1>
      <div class="size-grid">
        {COMPARTMENT_SIZES.map((size) => {
          const free = overview?.freeBySize[size] ?? 0;
          return (
            <button key={size} type="button" class={`btn btn-size size-${size}`} data-size={size} disabled={busy || free === 0} onClick={() => start(size)}>
              <span class="size-letter">{size}</span>
              <span class="size-name">{m.sizes[size]}</span>
              <span class="size-free" data-free={free}>
                {free === 0 ? m.sizeNone : fill(m.sizeFree, { count: free })}
              </span>
            </button>
          );
        })}
      </div>
      <div class="actions">
        {busy ? <Spinner /> : null}
        <button type="button" class="btn btn-secondary" data-testid="staff-back" disabled={busy} onClick={() => nav.go({ name: 'courier-menu' })}>
          {m.back}
        </button>
      </div>
    </section>
  );
}

/** How long the screen keeps asking `dropoff.awaitStored` before it gives up and says the door is still open. */
export const AWAIT_STORED_BUDGET_MS = 15 * 60_000;
/** Pause between two asks, in case main answers `door-still-open` at once. */
const AWAIT_STORED_PAUSE_MS = 500;

/**
 * "Door N is open: put the parcel in and close the door", while
 * `dropoff.awaitStored` waits for the door; `door-still-open` (and a busy
 * agent) mean ask again, within a time budget.
 */
export function DropoffOpenScreen({ compartmentId, parcelId }: { compartmentId: string; parcelId: string }) {
  const { api, nav } = useServices();
  const m = useMessages();
  const alive = useAlive();
  useEffect(() => {
    const deadline = Date.now() + AWAIT_STORED_BUDGET_MS;
    const ask = async (): Promise<void> => {
      for (;;) {
        const asked = Date.now();
        const result = await api.call('dropoff.awaitStored', { parcelId });
        if (!alive.current) return;
        if (result.ok) {
          nav.go({ name: 'dropoff-code', compartmentId: result.value.compartmentId, code: result.value.code, expiresAt: result.value.expiresAt });
          return;
        }
        const again = result.error.code === 'door-still-open' || result.error.code === 'agent-busy';
        if (!again || Date.now() >= deadline) {
          nav.fail(result.error, { name: 'courier-menu' });
          return;
        }
        const wait = AWAIT_STORED_PAUSE_MS - (Date.now() - asked);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!alive.current) return;
      }
    };
    void ask();
  }, []);
  return (
    <DoorOpenView
      compartmentId={compartmentId}
      instruction={m.dropoffInstruction}
      note={
        <p class="waiting" data-testid="dropoff-waiting">
          <Spinner />
          {m.dropoffWaiting}
        </p>
      }
    />
  );
}

/** The issued pickup code, large, then the next parcel (or, after an answered check, `then`) or done. */
export function DropoffCodeScreen({ compartmentId, code, expiresAt, then }: { compartmentId: string; code: string; expiresAt: number | null; then?: Screen | undefined }) {
  const { nav } = useServices();
  const m = useMessages();
  const lang = useLanguage();
  return (
    <section class="issued">
      <h1>
        <Template text={m.issuedTitle} slots={{ door: <DoorNumber id={compartmentId} /> }} />
      </h1>
      <div class="issued-box">
        <span class="issued-label">{m.issuedCodeLabel}</span>
        <span class="issued-code" data-testid="issued-code">
          {code}
        </span>
        {expiresAt !== null ? <span class="issued-expiry">{fill(m.issuedExpires, { time: formatDateTime(expiresAt, lang) })}</span> : null}
      </div>
      <p class="lead">{m.issuedHint}</p>
      <div class="actions">
        <button type="button" class="btn btn-secondary btn-large" data-testid="dropoff-finish" onClick={() => nav.logout()}>
          {m.dropoffFinish}
        </button>
        <button type="button" class="btn btn-primary btn-large" data-testid="dropoff-next" onClick={() => nav.go(then ?? { name: 'dropoff-size' })}>
          {then ? m.checkContinue : m.dropoffNext}
        </button>
      </div>
    </section>
  );
}

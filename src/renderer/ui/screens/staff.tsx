import { useEffect, useState } from 'preact/hooks';
import type { StaffRole } from '../../../shared/contract.js';
import { PIN_LENGTH } from '../../logic/code-entry.js';
import { CodeInput } from '../code-input.js';
import { useAlive, useMessages, useServices } from '../context.js';
import { useChecksThen } from './check.js';
import { prefetchServiceScreen } from '../service/lazy-service.js';

/** Courier or technician PIN on the same keypad (no OS keyboard). */
export function StaffLoginScreen({ role }: { role: StaffRole }) {
  const { api, nav, sound } = useServices();
  // Service mode's code comes while the technician types the PIN.
  useEffect(() => {
    if (role === 'technician') void prefetchServiceScreen();
  }, [role]);
  const m = useMessages();
  const alive = useAlive();
  const checksThen = useChecksThen();
  const [busy, setBusy] = useState(false);
  const submit = (pin: string): void => {
    setBusy(true);
    void api.call('staff.login', { role, pin }).then((result) => {
      if (!alive.current) return;
      if (!result.ok) {
        nav.fail(result.error, { name: 'staff-login', role });
        return;
      }
      sound.success();
      // Compartments waiting for "is a parcel inside?" come first, one at a time.
      void checksThen(result.value.role === 'technician' ? { name: 'service' } : { name: 'courier-menu' });
    });
  };
  return (
    <section class="entry">
      <div class="entry-text">
        <h1>{role === 'courier' ? m.staffCourierTitle : m.staffTechnicianTitle}</h1>
        <p class="lead">{m.staffHint}</p>
      </div>
      <CodeInput length={PIN_LENGTH} fieldLabel={m.pinFieldLabel} busy={busy} onSubmit={submit} />
      <div class="entry-actions">
        <button type="button" class="btn btn-secondary" data-testid="staff-cancel" onClick={() => nav.home()}>
          {m.cancel}
        </button>
      </div>
    </section>
  );
}

export function CourierMenuScreen() {
  const { nav } = useServices();
  const m = useMessages();
  return (
    <section class="menu">
      <h1>{m.courierTitle}</h1>
      <div class="menu-buttons">
        <button type="button" class="btn btn-tile" data-testid="courier-dropoff" onClick={() => nav.go({ name: 'dropoff-size' })}>
          <strong>{m.courierDropoff}</strong>
          <span>{m.courierDropoffHint}</span>
        </button>
        <button type="button" class="btn btn-tile" data-testid="courier-return" onClick={() => nav.go({ name: 'return-list' })}>
          <strong>{m.courierReturn}</strong>
          <span>{m.courierReturnHint}</span>
        </button>
      </div>
      <div class="actions">
        <button type="button" class="btn btn-secondary" data-testid="staff-logout" onClick={() => nav.logout()}>
          {m.logout}
        </button>
      </div>
    </section>
  );
}

import { keyToAction } from '../../logic/keyboard.js';
import { useDocumentKeys, useMessages, useServices } from '../context.js';
import { Icon } from '../widgets.js';

/** The start: one big button; a typed or scanned digit jumps straight into code entry. */
export function AttractScreen() {
  const { nav, activity } = useServices();
  const m = useMessages();
  useDocumentKeys((e) => {
    const action = keyToAction(e);
    if (action?.type !== 'digit') return;
    e.preventDefault();
    activity();
    nav.go({ name: 'code', initial: action.digit });
  });
  return (
    <section class="attract">
      <div class="attract-hero">
        <Icon name="parcel" />
        <h1>{m.attractTitle}</h1>
        <p class="lead">{m.attractHint}</p>
      </div>
      <button type="button" class="btn btn-hero" data-testid="start-pickup" onClick={() => nav.go({ name: 'code', initial: '' })}>
        <Icon name="parcel" />
        <span>{m.startPickup}</span>
      </button>
      <div class="attract-staff">
        <button type="button" class="btn btn-quiet" data-testid="start-courier" onClick={() => nav.go({ name: 'staff-login', role: 'courier' })}>
          {m.startCourier}
        </button>
        <button type="button" class="btn btn-quiet" data-testid="start-technician" onClick={() => nav.go({ name: 'staff-login', role: 'technician' })}>
          {m.startTechnician}
        </button>
      </div>
    </section>
  );
}

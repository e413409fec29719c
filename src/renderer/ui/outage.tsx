import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { nextLostAt, outageView } from '../logic/outage.js';
import { useMessages, useServices, useStore } from './context.js';
import { Icon, Support } from './widgets.js';

/** Input a person could give while the screen is out of service: all of it is swallowed. */
const BLOCKED = ['keydown', 'keypress', 'keyup', 'pointerdown', 'pointerup', 'click', 'touchstart', 'mousedown'] as const;

/**
 * "Temporarily out of service" over the whole screen once the agent has been
 * away for `outageAfterMs`, with the support contact. Keys and taps are
 * swallowed in the capture phase before any screen sees them, so a keypad
 * press or a scanner's code cannot start anything nobody can answer. The
 * screen below stays as it was and comes back by itself when the link does.
 */
export function OutageGate({ onChange }: { onChange(out: boolean): void }) {
  const { stores, info } = useServices();
  const m = useMessages();
  const state = useStore(stores.connection);
  const [lostAt, setLostAt] = useState<number | null>(() => nextLostAt(state, null, Date.now()));
  const [now, setNow] = useState(() => Date.now());
  useLayoutEffect(() => setLostAt((prev) => nextLostAt(state, prev, Date.now())), [state]);
  const view = outageView(state, lostAt, now, info.outageAfterMs);

  useEffect(() => {
    if (view !== 'pending' || lostAt === null) return undefined;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, lostAt + info.outageAfterMs - Date.now()));
    return () => clearTimeout(timer);
  }, [view, lostAt, info.outageAfterMs]);

  useEffect(() => onChange(view === 'out'), [view === 'out']);

  useLayoutEffect(() => {
    if (view !== 'out') return undefined;
    const swallow = (e: Event): void => {
      e.preventDefault();
      e.stopImmediatePropagation();
    };
    for (const type of BLOCKED) window.addEventListener(type, swallow, true);
    // Whatever had the focus must not take a key either.
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    return () => {
      for (const type of BLOCKED) window.removeEventListener(type, swallow, true);
    };
  }, [view]);

  if (view !== 'out') return null;
  return (
    <div class="outage" role="alert" aria-live="assertive" data-testid="outage" data-state={state}>
      <div class="outage-body">
        <Icon name="alert" />
        <h1>{m.outageTitle}</h1>
        <p class="lead">{m.outageNext}</p>
        <Support />
        {state === 'unauthorised' ? <p class="muted outage-tech">{m.outageTechnician}</p> : null}
      </div>
    </div>
  );
}

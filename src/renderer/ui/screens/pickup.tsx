import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useAlive, useMessages, useServices, useStore } from '../context.js';
import { CabinetDrawing } from '../cabinet-drawing.js';
import { Template } from '../template.js';
import { DoorNumber, Icon, Spinner } from '../widgets.js';

/** The pickup call in flight. */
export function OpeningScreen({ code }: { code: string }) {
  const { api, nav, sound, refreshOverview } = useServices();
  const m = useMessages();
  const alive = useAlive();
  useEffect(() => {
    void api.call('pickup', { code }).then((result) => {
      if (!alive.current) return;
      if (result.ok) {
        sound.success();
        refreshOverview();
        nav.go({ name: 'open', compartmentId: result.value.compartmentId, reopened: result.value.reopened });
      } else {
        nav.fail(result.error, { name: 'code', initial: '' });
      }
    });
  }, []);
  return (
    <section class="status-screen">
      <Spinner />
      <h1>{m.openingTitle}</h1>
      <p class="lead">{m.openingHint}</p>
    </section>
  );
}

/**
 * "Door N is open" with the compartment lit on the cabinet drawing; shared
 * by pickup, courier drop-off and return (each with its own sentence).
 */
export function DoorOpenView({ compartmentId, instruction, note, children }: { compartmentId: string; instruction: string; note?: ComponentChildren; children?: ComponentChildren }) {
  const { stores } = useServices();
  const m = useMessages();
  const overview = useStore(stores.overview);
  const door = overview?.compartments.find((c) => c.id === compartmentId)?.door ?? 'unknown';
  const [seenOpen, setSeenOpen] = useState(false);
  useEffect(() => {
    if (door === 'open') setSeenOpen(true);
  }, [door]);
  const closed = seenOpen && door === 'closed';
  return (
    <section class="door-open">
      <div class="door-open-text">
        <h1 class="door-open-title">
          <Template text={m.openTitle} slots={{ door: <DoorNumber id={compartmentId} /> }} />
        </h1>
        <p class="instruction">{instruction}</p>
        {closed ? (
          <p class="door-closed" data-testid="door-closed">
            <Icon name="check" />
            {m.doorClosed}
          </p>
        ) : null}
        {note}
      </div>
      <div class="door-open-drawing">
        <CabinetDrawing highlight={compartmentId} />
      </div>
      <div class="door-open-actions">{children}</div>
    </section>
  );
}

export function OpenScreen({ compartmentId, reopened }: { compartmentId: string; reopened: boolean }) {
  const { nav } = useServices();
  const m = useMessages();
  return (
    <DoorOpenView compartmentId={compartmentId} instruction={m.openInstruction} note={reopened ? <p class="note">{m.openReopened}</p> : null}>
      <button type="button" class="btn btn-primary btn-large" data-testid="done" onClick={() => nav.go({ name: 'thanks' })}>
        {m.done}
      </button>
    </DoorOpenView>
  );
}

/** Back to the start on its own after this long. */
export const THANKS_MS = 5_000;

export function ThanksScreen() {
  const { nav } = useServices();
  const m = useMessages();
  useEffect(() => {
    const timer = setTimeout(() => nav.home(true), THANKS_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <section class="status-screen thanks">
      <Icon name="check" />
      <h1>{m.thanksTitle}</h1>
      <p class="lead">{m.thanksHint}</p>
      <button type="button" class="btn btn-secondary btn-large" data-testid="thanks-home" onClick={() => nav.home(true)}>
        {m.backToStart}
      </button>
    </section>
  );
}

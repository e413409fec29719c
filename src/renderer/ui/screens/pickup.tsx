import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { pickupOutcomeText, screenAfterPickup, screenAfterPickupFailure } from '../../logic/door-outcome.js';
import { keyToAction } from '../../logic/keyboard.js';
import { useAlive, useDocumentKeys, useMessages, useServices, useStore } from '../context.js';
import { CabinetDrawing } from '../cabinet-drawing.js';
import { Template } from '../template.js';
import { useDoorLocator } from '../voice-widgets.js';
import { DoorNumber, Icon, Spinner, Support } from '../widgets.js';
import { DoorHelpButton, DoorWait, NextCodeQueue, useDoor } from './door-wait.js';

/**
 * The pickup call in flight. The door number shows as soon as the agent has
 * accepted the code and is pulsing the lock (its `door-opening` event, sent to
 * this screen only), or at once when it is known already (a re-open).
 */
export function OpeningScreen({ code, door: knownDoor }: { code: string; door?: string | undefined }) {
  const { api, nav, sound, refreshOverview } = useServices();
  const m = useMessages();
  const alive = useAlive();
  const [door, setDoor] = useState(knownDoor);
  useEffect(() => {
    // Subscribed before the call leaves: the event comes on the same link, before the reply.
    const off = api.onEvent((e) => {
      if (e.type === 'door-opening') setDoor(e.compartmentId);
    });
    void api.call('pickup', { code }).then((result) => {
      off();
      if (!alive.current) return;
      if (result.ok) {
        if (result.value.outcome === 'opened') sound.success();
        else sound.error();
        refreshOverview();
        nav.go(screenAfterPickup(result.value, code));
        return;
      }
      // The link dropped after the call left: a door may have opened; never "failed" or "busy".
      const lost = screenAfterPickupFailure(result.error);
      if (lost) nav.go(lost);
      else nav.fail(result.error, { name: 'code', initial: '' });
    });
    return off;
  }, []);
  return (
    <section class="status-screen" data-testid="opening" data-door={door}>
      <Spinner />
      <h1>{door === undefined ? m.openingTitle : <Template text={m.openingDoorTitle} slots={{ door: <DoorNumber id={door} /> }} />}</h1>
      <p class="lead">{m.openingHint}</p>
    </section>
  );
}

/** The link to the agent dropped while a pickup was in flight: a door may have opened; check, retype, or staff. */
export function PickupUnknownScreen() {
  const { nav } = useServices();
  const m = useMessages();
  return (
    <section class="status-screen pickup-unknown" data-testid="pickup-unknown">
      <Icon name="door" />
      <h1>{m.pickupLostTitle}</h1>
      <p class="lead">{m.pickupLostNext}</p>
      <Support />
      <div class="door-open-actions">
        <button type="button" class="btn btn-primary btn-large" data-testid="pickup-retry" onClick={() => nav.go({ name: 'code', initial: '' })}>
          {m.pickupRetry}
        </button>
        <button type="button" class="btn btn-secondary btn-large" data-testid="done" onClick={() => nav.go({ name: 'thanks' })}>
          {m.done}
        </button>
      </div>
    </section>
  );
}

/**
 * "Door N is open" with the compartment lit on the cabinet drawing; shared
 * by pickup, courier drop-off and return (each with its own sentence).
 * `title` (with `{door}`) replaces "Door N is open" when the door did not
 * open or may have.
 */
export function DoorOpenView({ compartmentId, title, instruction, note, children }: { compartmentId: string; title?: string; instruction: string; note?: ComponentChildren; children?: ComponentChildren }) {
  const { stores } = useServices();
  const m = useMessages();
  const overview = useStore(stores.overview);
  const door = overview?.compartments.find((c) => c.id === compartmentId)?.door ?? 'unknown';
  const [seenOpen, setSeenOpen] = useState(false);
  useEffect(() => {
    if (door === 'open') setSeenOpen(true);
  }, [door]);
  const closed = seenOpen && door === 'closed';
  useDoorLocator(door);
  return (
    <section class="door-open">
      <div class="door-open-text">
        <h1 class="door-open-title">
          <Template text={title ?? m.openTitle} slots={{ door: <DoorNumber id={compartmentId} /> }} />
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

/**
 * The pickup's door is open: it stays until the door is known closed (with a
 * reminder, and a clear message before it ever leaves under an open door),
 * offers "Door didn't open?", and keeps a code scanned meanwhile.
 */
export function OpenScreen({ compartmentId, reopened, retryCode }: { compartmentId: string; reopened: boolean; retryCode: string | null }) {
  const { nav } = useServices();
  const m = useMessages();
  const { closed } = useDoor(compartmentId);
  return (
    <DoorOpenView
      compartmentId={compartmentId}
      instruction={m.openInstruction}
      note={
        <>
          {reopened ? <p class="note">{m.openReopened}</p> : null}
          <DoorWait compartmentId={compartmentId} closed={closed} />
          <NextCodeQueue compartmentId={compartmentId} closed={closed} />
        </>
      }
    >
      <button type="button" class="btn btn-primary btn-large" data-testid="done" onClick={() => nav.go({ name: 'thanks' })}>
        {m.done}
      </button>
      {closed ? null : <DoorHelpButton compartmentId={compartmentId} retryCode={retryCode} />}
    </DoorOpenView>
  );
}

/**
 * The pickup's door did not open, or may have: the door number, then the
 * keypad once more (the code has an open left) or the staff contact.
 */
export function PickupOutcomeScreen({ compartmentId, outcome, opensLeft }: { compartmentId: string; outcome: 'not-opened' | 'unknown'; opensLeft: number }) {
  const { nav } = useServices();
  const m = useMessages();
  const text = pickupOutcomeText(outcome, opensLeft);
  // A door that did not open, or may have, is done with once it reads closed.
  const { closed } = useDoor(compartmentId, true);
  return (
    <DoorOpenView
      compartmentId={compartmentId}
      title={m[text.title]}
      instruction={m[text.next]}
      note={
        <>
          {text.support ? <Support /> : null}
          <DoorWait compartmentId={compartmentId} closed={closed} />
          <NextCodeQueue compartmentId={compartmentId} closed={closed} />
        </>
      }
    >
      {text.retry ? (
        <button type="button" class="btn btn-primary btn-large" data-testid="pickup-retry" onClick={() => nav.go({ name: 'code', initial: '' })}>
          {m.pickupRetry}
        </button>
      ) : null}
      {outcome === 'unknown' ? (
        <button type="button" class="btn btn-secondary btn-large" data-testid="done" onClick={() => nav.go({ name: 'thanks' })}>
          {m.done}
        </button>
      ) : (
        <button type="button" class="btn btn-secondary btn-large" data-testid="back-to-start" onClick={() => nav.home(true)}>
          {m.backToStart}
        </button>
      )}
    </DoorOpenView>
  );
}

/** Back to the start on its own after this long. */
export const THANKS_MS = 5_000;

export function ThanksScreen() {
  const { nav, activity } = useServices();
  const m = useMessages();
  // The next customer's scanner or keyboard starts straight into code entry, as on the start screen.
  useDocumentKeys((e) => {
    const action = keyToAction(e);
    if (action?.type !== 'digit') return;
    e.preventDefault();
    activity();
    nav.go({ name: 'code', initial: action.digit });
  });
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

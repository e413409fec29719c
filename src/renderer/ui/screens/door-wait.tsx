import { useEffect, useState } from 'preact/hooks';
import type { DoorState } from '../../../shared/domain.js';
import { doorHelp } from '../../logic/door-outcome.js';
import { DOOR_LEAVING_MS, doorWaitPhase } from '../../logic/door-wait.js';
import { fill } from '../../logic/format.js';
import { feedScan, keyToAction } from '../../logic/keyboard.js';
import { useDocumentKeys, useMessages, useServices, useStore } from '../context.js';
import { useDoorWaitVoice } from '../voice-widgets.js';
import { ConfirmDialog, Support } from '../widgets.js';

/**
 * A door as the open-door screens see it: its live state, and whether it was
 * seen open and then closed (`closed`): only then is the pickup over. With
 * `closedCounts`, a door that reads closed counts at once (a door that did not
 * open, or may have: it is shut now).
 */
export function useDoor(compartmentId: string, closedCounts = false): { door: DoorState; closed: boolean } {
  const { stores } = useServices();
  const overview = useStore(stores.overview);
  const door = overview?.compartments.find((c) => c.id === compartmentId)?.door ?? 'unknown';
  const [seenOpen, setSeenOpen] = useState(false);
  useEffect(() => {
    if (door === 'open') setSeenOpen(true);
  }, [door]);
  return { door, closed: door === 'closed' && (seenOpen || closedCounts) };
}

/**
 * The open door waits to be closed: the screen tells the app (the idle
 * timeout starts only once it is closed), reminds the customer to close it,
 * and leaves only after saying the door is still open (door-wait.ts).
 */
export function DoorWait({ compartmentId, closed }: { compartmentId: string; closed: boolean }) {
  const { info, nav, doorClosed } = useServices();
  const m = useMessages();
  const [started] = useState(() => Date.now());
  const [now, setNow] = useState(started);
  useEffect(() => doorClosed(closed), [closed]);
  useEffect(() => () => doorClosed(false), []);
  const phase = closed ? 'waiting' : doorWaitPhase(now - started, info.idleResetMs, DOOR_LEAVING_MS);
  useDoorWaitVoice(phase, compartmentId);
  useEffect(() => {
    if (closed) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [closed]);
  useEffect(() => {
    if (phase === 'leave') nav.home(true);
  }, [phase]);
  if (closed) {
    return (
      <p class="door-closed-thanks" data-testid="closed-thanks">
        {m.closedThanks}
      </p>
    );
  }
  if (phase === 'waiting' || phase === 'leave') return null;
  return (
    <p class={`close-reminder${phase === 'leaving' ? ' is-leaving' : ''}`} role="alert" data-testid="close-reminder" data-phase={phase}>
      {fill(phase === 'leaving' ? m.closeDoorLeaving : m.closeDoorReminder, { door: compartmentId })}
    </p>
  );
}

/**
 * "Door didn't open?": first what the agent reads (a door it reads open
 * needs a pull, not a pulse), then the code's one grace re-open (asked
 * first: it is the last), else the staff contact. Nothing here pulses a door
 * without the agent's own checks: the re-open is the pickup call again.
 */
export function DoorHelpButton({ compartmentId, retryCode }: { compartmentId: string; retryCode: string | null }) {
  const { nav } = useServices();
  const m = useMessages();
  const { door } = useDoor(compartmentId);
  const [shown, setShown] = useState<'none' | 'reads-open' | 'confirm' | 'staff'>('none');
  const ask = (skipRead: boolean): void => {
    const help = doorHelp(skipRead ? 'closed' : door, retryCode);
    setShown(help === 'reopen' ? 'confirm' : help);
  };
  return (
    <>
      <button type="button" class="btn btn-secondary btn-large" data-testid="door-help" onClick={() => ask(false)}>
        {m.doorHelp}
      </button>
      {shown === 'reads-open' ? (
        <div class="door-help" role="status" data-testid="door-help-reads-open">
          <p>{fill(m.doorHelpReadsOpen, { door: compartmentId })}</p>
          <button type="button" class="btn btn-secondary" data-testid="door-help-still-shut" onClick={() => ask(true)}>
            {m.doorHelpStillShut}
          </button>
        </div>
      ) : null}
      {shown === 'staff' ? (
        <div class="door-help" role="status" data-testid="door-help-staff">
          <p>{m.doorHelpStaff}</p>
          <Support />
        </div>
      ) : null}
      {shown === 'confirm' && retryCode !== null ? (
        <ConfirmDialog
          text={fill(m.doorHelpConfirm, { door: compartmentId })}
          yes={m.confirmYes}
          no={m.confirmNo}
          onNo={() => setShown('none')}
          onYes={() => nav.go({ name: 'opening', code: retryCode, door: compartmentId })}
        />
      ) : null}
    </>
  );
}

/**
 * A code typed or scanned while a door screen shows is not dropped: it waits
 * here, is shown, and starts its pickup as soon as this door is known closed
 * (or at once when the next customer taps "Open it now").
 */
export function NextCodeQueue({ compartmentId, closed }: { compartmentId: string; closed: boolean }) {
  const { info, nav, activity } = useServices();
  const m = useMessages();
  const [digits, setDigits] = useState('');
  const [queued, setQueued] = useState<string | null>(null);
  useDocumentKeys((e) => {
    const action = keyToAction(e);
    if (!action) return;
    e.preventDefault();
    activity();
    const fed = feedScan(digits, action, info.codeLength);
    setDigits(fed.digits);
    if (fed.code !== null) setQueued(fed.code);
  });
  useEffect(() => {
    if (queued !== null && closed) nav.go({ name: 'opening', code: queued });
  }, [queued, closed]);
  if (queued === null) return null;
  return (
    <div class="next-code" role="status" data-testid="next-code">
      <p>{fill(m.nextCodeQueued, { door: compartmentId })}</p>
      <button type="button" class="btn btn-primary" data-testid="next-code-now" onClick={() => nav.go({ name: 'opening', code: queued })}>
        {m.nextCodeNow}
      </button>
    </div>
  );
}

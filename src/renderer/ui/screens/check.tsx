import { useState } from 'preact/hooks';
import type { CheckView, ContractError } from '../../../shared/contract.js';
import { checkQuestion, checkQueue, notOpenedNext, screenAfterCheck, screenForChecks } from '../../logic/door-outcome.js';
import type { Screen } from '../../logic/screens.js';
import { CabinetDrawing } from '../cabinet-drawing.js';
import { useAlive, useMessages, useServices } from '../context.js';
import { Template } from '../template.js';
import { DoorNumber, Spinner } from '../widgets.js';
import { DoorOpenView } from './pickup.js';

/**
 * Loads `check.list` and shows each waiting compartment's question before
 * `then` (or `then` at once when none waits). `first` (a listed compartment's
 * id) is asked first.
 */
export function useChecksThen(): (then: Screen, first?: string) => Promise<void> {
  const { api, nav } = useServices();
  const alive = useAlive();
  return async (then, first) => {
    const result = await api.call('check.list', {});
    if (!alive.current) return;
    if (!result.ok) {
      nav.fail(result.error, then);
      return;
    }
    nav.go(screenForChecks(checkQueue(result.value, first), then));
  };
}

/** Errors worth asking the same question again for; any other skips it (it is asked again at the next login). */
const ASK_AGAIN: ReadonlySet<ContractError['code']> = new Set(['agent-busy', 'internal']);

/** "Door 7: a drop-off was interrupted. Is a parcel inside?" with big Yes / No, one compartment at a time. */
export function CheckScreen({ queue, liveId, then }: { queue: CheckView[]; liveId: string | null; then: Screen }) {
  const { api, nav, sound, refreshOverview } = useServices();
  const m = useMessages();
  const alive = useAlive();
  const [busy, setBusy] = useState(false);
  const [current, ...rest] = queue;
  if (!current) return null;

  const answer = (parcelInside: boolean): void => {
    setBusy(true);
    void api.call('check.answer', { compartmentId: current.compartmentId, parcelInside }).then((result) => {
      if (!alive.current) return;
      if (!result.ok) {
        nav.fail(result.error, ASK_AGAIN.has(result.error.code) ? { name: 'check', queue, liveId, then } : screenForChecks(rest, then));
        return;
      }
      sound.success();
      refreshOverview();
      nav.go(screenAfterCheck(result.value, rest, then));
    });
  };

  return (
    <section class="door-open check" data-testid="check" data-compartment={current.compartmentId} data-kind={current.kind}>
      <div class="door-open-text">
        <h1 class="door-open-title" data-testid="check-question">
          <Template text={m[checkQuestion(current.kind, current.compartmentId === liveId)]} slots={{ door: <DoorNumber id={current.compartmentId} /> }} />
        </h1>
        <p class="note">{m.checkHint}</p>
      </div>
      <div class="door-open-drawing">
        <CabinetDrawing highlight={current.compartmentId} />
      </div>
      <div class="door-open-actions">
        {busy ? <Spinner /> : null}
        <button type="button" class="btn btn-primary btn-large" data-testid="check-yes" disabled={busy} onClick={() => answer(true)}>
          {m.checkYes}
        </button>
        <button type="button" class="btn btn-secondary btn-large" data-testid="check-no" disabled={busy} onClick={() => answer(false)}>
          {m.checkNo}
        </button>
      </div>
    </section>
  );
}

/** A courier's door stayed shut: which one, and back to choose again. */
export function DoorNotOpenedScreen({ compartmentId, back }: { compartmentId: string; back: Screen }) {
  const { nav } = useServices();
  const m = useMessages();
  return (
    <DoorOpenView compartmentId={compartmentId} title={m.doorNotOpenedTitle} instruction={m[notOpenedNext(back)]}>
      <button type="button" class="btn btn-primary btn-large" data-testid="choose-again" onClick={() => nav.go(back)}>
        {m.chooseAgain}
      </button>
    </DoorOpenView>
  );
}

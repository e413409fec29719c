import { useState } from 'preact/hooks';
import type { ContractError } from '../../../shared/contract.js';
import { keyToAction } from '../../logic/keyboard.js';
import { errorButton, type Screen } from '../../logic/screens.js';
import { useDocumentKeys, useMessages, useServices } from '../context.js';
import { Countdown } from '../countdown.js';
import { Template } from '../template.js';
import { Icon, Support } from '../widgets.js';

/**
 * One screen for every failure: what happened and what to do next from the
 * catalogue (never the error's `message`), the lock-out countdown, support.
 */
export function ErrorScreen({ error, back, lockedUntil }: { error: ContractError; back: Screen; lockedUntil: number | null }) {
  const { nav } = useServices();
  const m = useMessages();
  const text = m.errors[error.code];
  const showCountdown = error.code === 'locked-out' && lockedUntil !== null;
  const [over, setOver] = useState(() => showCountdown && lockedUntil <= Date.now());
  const toCode = back.name === 'code';
  const button = errorButton(error, back);

  useDocumentKeys((e) => {
    const action = keyToAction(e);
    if (!action) return;
    if (action.type === 'ok') {
      e.preventDefault();
      nav.go(button.target);
    } else if (action.type === 'digit' && toCode) {
      // A scanner used right away on the error screen starts a new code.
      e.preventDefault();
      nav.go({ name: 'code', initial: action.digit });
    }
  });

  return (
    <section class="error-screen">
      <div class="error-main">
        <Icon name="alert" />
        <div data-testid="error-message" class="error-message" role="alert">
          <h1>{text.title}</h1>
          <p class="lead">{text.next}</p>
        </div>
        {showCountdown ? (
          <p class="lockout-big">{over ? m.lockoutOver : <Template text={m.lockoutCountdown} slots={{ seconds: <Countdown until={lockedUntil} onDone={() => setOver(true)} /> }} />}</p>
        ) : null}
        <button type="button" class="btn btn-primary btn-large" data-testid="error-back" data-action={button.label} onClick={() => nav.go(button.target)}>
          {button.label === 'tryAgain' ? m.errorTryAgain : button.label === 'backToStart' ? m.backToStart : m.back}
        </button>
      </div>
      <Support />
    </section>
  );
}

import { fill } from '../../logic/format.js';
import { CodeInput } from '../code-input.js';
import { useMessages, useServices } from '../context.js';

/** Pickup code entry: keypad, keyboard and scanner; OK starts the pickup. */
export function CodeScreen({ initial, lockedUntil }: { initial: string; lockedUntil: number | null }) {
  const { info, nav } = useServices();
  const m = useMessages();
  const { min, max } = info.codeLength;
  return (
    <section class="entry">
      <div class="entry-text">
        <h1>{m.codeTitle}</h1>
        <p class="lead">{min === max ? fill(m.codeHintExact, { min }) : fill(m.codeHintRange, { min, max })}</p>
      </div>
      <CodeInput length={info.codeLength} initial={initial} fieldLabel={m.codeFieldLabel} lockedUntil={lockedUntil} shownByDefault onSubmit={(code) => nav.go({ name: 'opening', code })} />
      <div class="entry-actions">
        <button type="button" class="btn btn-secondary" data-testid="code-cancel" onClick={() => nav.home()}>
          {m.cancel}
        </button>
      </div>
    </section>
  );
}

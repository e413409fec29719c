import { Component } from 'preact';
import { useCallback, useReducer, useRef, useState } from 'preact/hooks';
import { canSubmit, initialCodeState, maskCode, reduceCode, slotCount, type CodeAction, type CodeLength, type CodeState } from '../logic/code-entry.js';
import { KEYPAD_KEYS, keyToAction, keypadKeyToAction, type KeyAction, type KeypadKey } from '../logic/keyboard.js';
import { useMessages, useServices, useDocumentKeys } from './context.js';
import { Countdown } from './countdown.js';
import { Template } from './template.js';
import { Icon } from './widgets.js';

export interface CodeInputProps {
  length: CodeLength;
  /** A digit typed on the attract screen carries over. */
  initial?: string;
  /** Spoken name of the field ("Code", "PIN"). */
  fieldLabel: string;
  /** The parent navigates away or sets `busy` at once (a scanner's Enter right after an OK tap must not submit twice). */
  onSubmit(code: string): void;
  /** While a call runs: keys do nothing. */
  busy?: boolean;
  /** Keypad lock-out end (epoch ms): OK stays off and the seconds count down. */
  lockedUntil?: number | null;
  /** Digits in clear until the hide toggle (the pickup code); dots otherwise (a PIN). */
  shownByDefault?: boolean;
}

/**
 * The code field, its show toggle and the big keypad, fed also by the
 * physical keyboard / barcode scanner. The typed digits live here only: a
 * key press re-renders this component and nothing above it.
 */
export function CodeInput({ length, initial = '', fieldLabel, onSubmit, busy = false, lockedUntil = null, shownByDefault = false }: CodeInputProps) {
  const { sound, activity } = useServices();
  const m = useMessages();
  const [state, dispatch] = useReducer<CodeState, CodeAction, string>((s, a) => reduceCode(s, a, length), initial, (init) => initialCodeState(init, length, shownByDefault));
  const [locked, setLocked] = useState(() => lockedUntil !== null && lockedUntil > Date.now());
  const ready = canSubmit(state, length) && !locked && !busy;

  const act = (action: KeyAction): void => {
    if (busy) return;
    if (action.type === 'ok') {
      activity();
      if (!ready) {
        sound.error();
        return;
      }
      sound.key();
      onSubmit(state.digits);
      return;
    }
    dispatch(action);
    // The digit first: the click and the activity ping (a WebSocket send) run in the task after
    // the frame that shows the digit, so they never sit between the key and its paint (a task
    // queued now could run before that frame when it is not yet due).
    requestAnimationFrame(() =>
      setTimeout(() => {
        sound.key();
        activity();
      }, 0),
    );
  };
  // The keypad re-renders only when OK turns on or off, never for a digit: its handler reads the latest `act`.
  const actRef = useRef(act);
  actRef.current = act;
  const onKey = useCallback((key: KeypadKey) => actRef.current(keypadKeyToAction(key)), []);

  useDocumentKeys((e) => {
    const action = keyToAction(e);
    if (!action) return;
    // Stops Enter from also "clicking" a focused keypad button.
    e.preventDefault();
    act(action);
  });

  const slots = slotCount(state.digits, length);
  const text = maskCode(state.digits, state.shown);
  return (
    <>
      <div class="entry-field">
        <div class="code-row">
          <div class={`code-field${state.digits.length === 0 ? ' is-empty' : ''}`} data-testid="code-field" role="status" aria-live="polite" aria-label={fieldLabel}>
            {Array.from({ length: slots }, (_, i) => (
              <span key={i} class={`code-slot${i < text.length ? ' is-filled' : ''}${i === text.length ? ' is-next' : ''}`}>
                {text[i] ?? ''}
              </span>
            ))}
          </div>
          <button
            type="button"
            class="code-show"
            data-testid="code-show"
            aria-pressed={state.shown ? 'true' : 'false'}
            onClick={() => {
              activity();
              dispatch({ type: 'toggle-show' });
            }}
          >
            <Icon name={state.shown ? 'eye-off' : 'eye'} />
            <span>{state.shown ? m.hide : m.show}</span>
          </button>
        </div>
        {locked && lockedUntil !== null ? (
          <p class="lockout" role="alert" data-testid="lockout-notice">
            <Template text={m.lockoutNotice} slots={{ seconds: <Countdown until={lockedUntil} onDone={() => setLocked(false)} /> }} />
          </p>
        ) : null}
      </div>
      <Keypad onKey={onKey} okEnabled={ready} busy={busy} />
    </>
  );
}

interface KeypadProps {
  onKey: (key: KeypadKey) => void;
  okEnabled: boolean;
  busy: boolean;
}

/**
 * Skips the thirteen keys when a digit changes nothing they show (the point
 * of the split: a key press renders the field only). preact/compat's `memo`
 * would do the same but installs option hooks for the whole app.
 */
class Keypad extends Component<KeypadProps> {
  override shouldComponentUpdate(next: KeypadProps): boolean {
    return next.okEnabled !== this.props.okEnabled || next.busy !== this.props.busy || next.onKey !== this.props.onKey;
  }

  override render() {
    return <KeypadKeys onKey={this.props.onKey} okEnabled={this.props.okEnabled} busy={this.props.busy} />;
  }
}

/** The keys themselves; the catalogue comes by context, so a language switch still re-renders them. */
function KeypadKeys({ onKey, okEnabled, busy }: KeypadProps) {
  const m = useMessages();
  return (
    <div class="entry-keypad">
      <div class="keypad" role="group">
        {KEYPAD_KEYS.map((key) => {
          const isOk = key === 'ok';
          return (
            <button
              key={key}
              type="button"
              class={`key key-${isOk ? 'ok' : key === 'clear' || key === 'back' ? 'fn' : 'digit'}`}
              data-key={key}
              disabled={busy || (isOk && !okEnabled)}
              aria-label={key === 'back' ? m.keyBack : undefined}
              onPointerDown={(e) => {
                // Act on the press, not the release: the digit shows while the finger is still down.
                if (e.button === 0) onKey(key);
              }}
              onClick={(e) => {
                // A click without a pointer (assistive technology) still works; a pointer's click was handled above.
                if (e.detail === 0) onKey(key);
              }}
            >
              {key === 'back' ? <Icon name="backspace" /> : key === 'clear' ? m.keyClear : isOk ? m.keyOk : key}
            </button>
          );
        })}
      </div>
    </div>
  );
}

import { useEffect } from 'preact/hooks';
import type { DoorState } from '../../shared/domain.js';
import type { DoorWaitPhase } from '../logic/door-wait.js';
import { doorWaitPrompt, utterance } from '../logic/voice-script.js';
import { useLanguage, useMessages, useServices, useStore } from './context.js';

/** Repeats while the door stands open, so a customer who cannot read the screen finds it. */
export const LOCATOR_CHIME_MS = 2_500;

/** Spoken prompts on or off for this customer (the next one gets `ui.voice` again). */
export function VoiceToggle() {
  const { voice } = useServices();
  const m = useMessages();
  const on = useStore(voice.enabled);
  return (
    // The spoken name holds the visible words (axe: label-content-name-mismatch), after what the button is for.
    <button type="button" class="lang-toggle voice-toggle" data-testid="voice-toggle" aria-pressed={on} data-on={on ? 'true' : 'false'} onClick={() => voice.enabled.set(!on)}>
      <span class="sr-only">{m.voiceToggleLabel}: </span>
      {on ? m.voiceOn : m.voiceOff}
    </button>
  );
}

/** While `door` is open: the locator chime every LOCATOR_CHIME_MS. Stops when the door closes or the screen goes. */
export function useDoorLocator(door: DoorState): void {
  const { voice } = useServices();
  useEffect(() => {
    if (door !== 'open') return;
    const chime = setInterval(() => voice.chime(), LOCATOR_CHIME_MS);
    return () => clearInterval(chime);
  }, [door, voice]);
}

/** Says the open door's reminder as the wait reaches it ("please close door N", then "… returning to the start"). */
export function useDoorWaitVoice(phase: DoorWaitPhase, compartmentId: string): void {
  const { voice } = useServices();
  const m = useMessages();
  const lang = useLanguage();
  useEffect(() => {
    const phrases = doorWaitPrompt(phase, compartmentId);
    if (phrases.length) voice.say(utterance(phrases, lang, m));
  }, [phase]);
}

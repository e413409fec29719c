/**
 * The screen's one WebAudio context, shared by the key cues and the spoken
 * prompts. Creating a context opens the audio device, which blocks the page
 * for a few hundred milliseconds on a Linux kiosk (measured 270 ms in
 * headless Chromium): it is made once, when the page is idle after start,
 * not by the first key press or the first prompt.
 */
export interface AudioOutput {
  /** The context, created now if the idle warm-up has not run yet; null without audio support. */
  context(): AudioContext | null;
  /** Opens the device at the page's next idle moment (called when some sound is on by default). */
  warmUp(): void;
}

export function createAudioOutput(): AudioOutput {
  let ctx: AudioContext | null | undefined;
  const context = (): AudioContext | null => {
    if (ctx === undefined) {
      try {
        ctx = new AudioContext();
      } catch {
        // No audio device or no WebAudio: every cue and prompt is optional.
        ctx = null;
      }
    }
    if (ctx?.state === 'suspended') void ctx.resume().catch(() => undefined);
    return ctx;
  };
  return { context, warmUp: () => void requestIdleCallback(() => void context(), { timeout: 5_000 }) };
}

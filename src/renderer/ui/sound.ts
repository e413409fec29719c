import type { AudioOutput } from './audio-output.js';

/** Short cues made with WebAudio oscillators: no audio files. */
export interface Sound {
  key(): void;
  success(): void;
  error(): void;
}

export const SILENT: Sound = { key() {}, success() {}, error() {} };

export function createSound(enabled: boolean, audio: AudioOutput): Sound {
  if (!enabled) return SILENT;

  const tone = (freq: number, ms: number, delayMs = 0, type: OscillatorType = 'sine', volume = 0.12): void => {
    try {
      const ctx = audio.context();
      if (!ctx) return;
      const t0 = ctx.currentTime + delayMs / 1_000;
      const t1 = t0 + ms / 1_000;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      // A fast attack and exponential release: no click at either end.
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(volume, t0 + 0.005);
      gain.gain.exponentialRampToValueAtTime(0.0001, t1);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t1 + 0.02);
    } catch {
      // No audio device or autoplay refused: the cue is optional.
    }
  };

  return {
    key: () => tone(880, 40),
    success: () => {
      tone(660, 90);
      tone(990, 160, 100);
    },
    error: () => tone(220, 280, 0, 'square', 0.06),
  };
}

/// <reference types="vite/client" />
import { createStore, type Store } from '../logic/store.js';
import type { AudioOutput } from './audio-output.js';

/**
 * Spoken prompts from the recorded clips that ship with the screen
 * (src/renderer/assets/voice, made by scripts/build-voice.ts), and the
 * locator chime of an open door. Everything here is fire-and-forget: a clip
 * is fetched, decoded and scheduled on WebAudio off the render path, and a
 * missing device, a refused autoplay or a missing clip leaves the screen
 * exactly as it was. The kiosk shells allow sound without a touch first
 * (Electron `autoplayPolicy`, Chromium `--autoplay-policy=no-user-gesture-required`).
 *
 * What was said is written on `<html>` for the end-to-end tests, which do
 * not listen to audio: `data-voice-said` (the clip ids of the last prompt),
 * `data-voice-played` (clips whose playback ran to its end, oldest first,
 * the last 40), `data-voice-chimes` (locator chimes sounded) and
 * `data-voice-error` (the last clip that could not be played, and why).
 */

/** Every clip as a URL of the build (hashed file names), keyed by clip id (`en/openTitle.0`). */
const CLIP_URLS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../assets/voice/*/*.wav', { eager: true, query: '?url', import: 'default' })).map(([path, url]) => [
    path.replace('../assets/voice/', '').replace(/\.wav$/, ''),
    url,
  ]),
);

/** Silence between two clips of one prompt: "Door · 5 · is open" reads as one sentence. */
const GAP_S = 0.08;
const PLAYED_LOG = 40;

export interface Voice {
  /** On for this customer; the topbar toggle flips it, the next customer gets the configured default. */
  readonly enabled: Store<boolean>;
  /** Says these clips in order, cutting off whatever was being said. Nothing when switched off. */
  say(clipIds: readonly string[]): void;
  /** One locator chime, unless a prompt is being said. */
  chime(): void;
  /** Stops what is being said. */
  hush(): void;
  /** Back to the configured default (a new customer). */
  reset(): void;
}

export function createVoice(defaultOn: boolean, output: AudioOutput): Voice {
  const enabled = createStore(defaultOn);
  const root = document.documentElement;
  const decoded = new Map<string, Promise<AudioBuffer>>();
  let playing: AudioScheduledSourceNode[] = [];
  let generation = 0;
  /** AudioContext time at which the current prompt ends. */
  let speakingUntil = 0;
  const played: string[] = [];
  let chimes = 0;

  const context = (): AudioContext => {
    const ctx = output.context();
    if (!ctx) throw new Error('no audio output');
    return ctx;
  };

  const load = (id: string): Promise<AudioBuffer> => {
    let buffer = decoded.get(id);
    if (!buffer) {
      const url = CLIP_URLS[id];
      buffer = url
        ? fetch(url)
            .then((r) => {
              if (!r.ok) throw new Error(`HTTP ${r.status}`);
              return r.arrayBuffer();
            })
            .then((bytes) => context().decodeAudioData(bytes))
        : Promise.reject(new Error('no such clip in this build'));
      // A failed fetch is tried again next time rather than remembered.
      buffer.catch(() => decoded.delete(id));
      decoded.set(id, buffer);
    }
    return buffer;
  };

  const hush = (): void => {
    generation += 1;
    speakingUntil = 0;
    for (const node of playing) {
      try {
        node.stop();
      } catch {
        // Already ended.
      }
    }
    playing = [];
  };

  const say = (clipIds: readonly string[]): void => {
    hush();
    root.dataset['voiceSaid'] = clipIds.join(' ');
    if (!enabled.get() || clipIds.length === 0) return;
    const mine = generation;
    void Promise.all(clipIds.map((id) => load(id).then((buffer) => ({ id, buffer }))))
      .then((clips) => {
        if (mine !== generation) return;
        const audio = context();
        let at = audio.currentTime + 0.03;
        for (const { id, buffer } of clips) {
          const source = audio.createBufferSource();
          source.buffer = buffer;
          source.connect(audio.destination);
          // onended also fires on stop(): only a clip of the current prompt that ran out counts as played.
          source.onended = () => {
            if (mine !== generation) return;
            played.push(id);
            if (played.length > PLAYED_LOG) played.shift();
            root.dataset['voicePlayed'] = played.join(' ');
          };
          source.start(at);
          playing.push(source);
          at += buffer.duration + GAP_S;
        }
        speakingUntil = at;
      })
      .catch((err: unknown) => {
        root.dataset['voiceError'] = `${clipIds.join(' ')}: ${err instanceof Error ? err.message : String(err)}`;
      });
  };

  const chime = (): void => {
    if (!enabled.get()) return;
    try {
      const audio = context();
      if (audio.currentTime < speakingUntil) return;
      // Two soft sine notes, a fifth apart: findable without being an alarm.
      for (const [freq, delay] of [
        [784, 0],
        [1175, 0.16],
      ] as const) {
        const t0 = audio.currentTime + delay;
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t0);
        gain.gain.exponentialRampToValueAtTime(0.15, t0 + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.35);
        osc.connect(gain).connect(audio.destination);
        osc.start(t0);
        osc.stop(t0 + 0.4);
      }
      chimes += 1;
      root.dataset['voiceChimes'] = String(chimes);
    } catch {
      // No audio device: the chime is a help, not a requirement.
    }
  };

  enabled.subscribe((on) => {
    if (!on) hush();
  });

  return {
    enabled,
    say,
    chime,
    hush,
    reset: () => enabled.set(defaultOn),
  };
}

// Records the kiosk's spoken prompts, offline, from the message catalogue:
// every clip listed by src/renderer/logic/voice-script.ts voiceClips(), in
// Mandarin and English, with espeak-ng (Debian package `espeak-ng`). The clips
// and their manifest are committed, so the kiosk needs no speech engine.
//
//   node --import tsx scripts/build-voice.ts          # (re)record every clip
//   node --import tsx scripts/build-voice.ts --check  # exit 1 when a clip is missing or stale
//
// Encoding: espeak-ng writes 22050 Hz 16-bit mono; each clip is trimmed of
// leading and trailing silence, low-pass filtered and halved to 11025 Hz, and
// stored as G.711 µ-law WAV (8 bits a sample, WAVE format 7), which Chromium
// and Electron decode natively: about 11 kB per second of speech. Rerunning
// on the same catalogue and espeak-ng writes the same bytes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MESSAGES } from '../src/renderer/i18n/messages.js';
import { voiceClipProblems, voiceClips, type ClipSource } from '../src/renderer/logic/voice-script.js';
import type { Language } from '../src/shared/contract.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const VOICE_DIR = join(ROOT, 'src/renderer/assets/voice');
const MANIFEST = join(VOICE_DIR, 'manifest.json');

/** espeak-ng voice and words per minute per screen language (`espeak-ng --voices`). */
const VOICES: Record<Language, { voice: string; speed: number }> = {
  zh: { voice: 'cmn', speed: 220 },
  en: { voice: 'en', speed: 160 },
};
const SOURCE_RATE = 22_050;
const RATE = 11_025;
/** Samples quieter than this (of 32767) count as silence when trimming. */
const SILENCE = 400;
const LEAD_MS = 20;
const TAIL_MS = 40;

interface ManifestClip {
  text: string;
  file: string;
  ms: number;
  bytes: number;
  sha256: string;
}

function espeak(clip: ClipSource): Int16Array {
  const { voice, speed } = VOICES[clip.lang];
  const run = spawnSync('espeak-ng', ['-v', voice, '-s', String(speed), '--stdout', clip.text], { maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`espeak-ng could not run (${run.error.message}): install it with apt-get install -y espeak-ng`);
  if (run.status !== 0) throw new Error(`espeak-ng -v ${voice} failed for ${clip.id}: ${run.stderr.toString()}`);
  return pcmOf(run.stdout, clip.id);
}

/** The samples of espeak-ng's streamed WAV (its RIFF sizes are placeholders: the data runs to the end). */
function pcmOf(wav: Buffer, id: string): Int16Array {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${id}: espeak-ng did not write a WAV`);
  let at = 12;
  while (at + 8 <= wav.length) {
    const chunk = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (chunk === 'fmt ') {
      const channels = wav.readUInt16LE(at + 10);
      const rate = wav.readUInt32LE(at + 12);
      const bits = wav.readUInt16LE(at + 22);
      if (channels !== 1 || rate !== SOURCE_RATE || bits !== 16) throw new Error(`${id}: expected ${SOURCE_RATE} Hz 16-bit mono, got ${rate} Hz ${bits}-bit × ${channels}`);
    }
    if (chunk === 'data') {
      const body = wav.subarray(at + 8);
      const samples = new Int16Array(Math.floor(body.length / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = body.readInt16LE(i * 2);
      return samples;
    }
    at += 8 + size;
  }
  throw new Error(`${id}: no data chunk in espeak-ng's WAV`);
}

function trim(samples: Int16Array): Int16Array {
  let start = 0;
  let end = samples.length;
  while (start < end && Math.abs(samples[start]!) < SILENCE) start++;
  while (end > start && Math.abs(samples[end - 1]!) < SILENCE) end--;
  const lead = Math.round((SOURCE_RATE * LEAD_MS) / 1000);
  const tail = Math.round((SOURCE_RATE * TAIL_MS) / 1000);
  return samples.subarray(Math.max(0, start - lead), Math.min(samples.length, end + tail));
}

/** A 31-tap windowed-sinc low-pass at a quarter of the source rate, then every second sample: 22050 → 11025 Hz without aliasing. */
const TAPS = (() => {
  const n = 31;
  const mid = (n - 1) / 2;
  const taps = Array.from({ length: n }, (_, i) => {
    const x = i - mid;
    const sinc = x === 0 ? 0.5 : Math.sin(Math.PI * 0.5 * x) / (Math.PI * x);
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    return sinc * hann;
  });
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / sum);
})();

function halve(samples: Int16Array): Float64Array {
  const out = new Float64Array(Math.floor(samples.length / 2));
  const mid = (TAPS.length - 1) / 2;
  for (let o = 0; o < out.length; o++) {
    let acc = 0;
    for (let k = 0; k < TAPS.length; k++) {
      const i = o * 2 + k - mid;
      if (i >= 0 && i < samples.length) acc += samples[i]! * TAPS[k]!;
    }
    out[o] = acc;
  }
  return out;
}

/** ITU-T G.711 µ-law of one 16-bit sample. */
export function muLaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32_635;
  let s = Math.max(-32_768, Math.min(32_767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s = Math.min(s, CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function muLawWav(samples: Float64Array): Buffer {
  const data = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) data[i] = muLaw(samples[i]!);
  // WAVE format 7 (µ-law) carries an 18-byte fmt chunk (cbSize 0) and a fact chunk with the sample count.
  const head = Buffer.alloc(58);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(50 + data.length, 4);
  head.write('WAVE', 8, 'ascii');
  head.write('fmt ', 12, 'ascii');
  head.writeUInt32LE(18, 16);
  head.writeUInt16LE(7, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(RATE, 24);
  head.writeUInt32LE(RATE, 28);
  head.writeUInt16LE(1, 32);
  head.writeUInt16LE(8, 34);
  head.writeUInt16LE(0, 36);
  head.write('fact', 38, 'ascii');
  head.writeUInt32LE(4, 42);
  head.writeUInt32LE(samples.length, 46);
  head.write('data', 50, 'ascii');
  head.writeUInt32LE(data.length, 54);
  return Buffer.concat([head, data]);
}

function record(clip: ClipSource): { wav: Buffer; ms: number } {
  const samples = halve(trim(espeak(clip)));
  return { wav: muLawWav(samples), ms: Math.round((samples.length / RATE) * 1000) };
}

function readManifest(): { clips: Record<string, ManifestClip> } | null {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8')) as { clips: Record<string, ManifestClip> };
  } catch {
    return null;
  }
}

function main(): void {
  const check = process.argv.includes('--check');
  const clips = voiceClips(MESSAGES);
  if (check) {
    const problems = voiceClipProblems(clips, readManifest() ?? { clips: {} });
    if (problems.length) {
      console.error(`voice clips missing or stale:\n  ${problems.join('\n  ')}\nrun: node --import tsx scripts/build-voice.ts`);
      process.exit(1);
    }
    console.log(`${clips.length} voice clips match the catalogue`);
    return;
  }
  rmSync(VOICE_DIR, { recursive: true, force: true });
  const entries: Record<string, ManifestClip> = {};
  let total = 0;
  for (const clip of clips) {
    const { wav, ms } = record(clip);
    const file = join(VOICE_DIR, `${clip.id}.wav`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, wav);
    total += wav.length;
    entries[clip.id] = { text: clip.text, file: relative(VOICE_DIR, file), ms, bytes: wav.length, sha256: createHash('sha256').update(wav).digest('hex') };
  }
  const manifest = {
    generator: 'scripts/build-voice.ts',
    engine: spawnSync('espeak-ng', ['--version']).stdout.toString().trim(),
    voices: VOICES,
    format: { container: 'wav', codec: 'mu-law', sampleRate: RATE, channels: 1 },
    clips: entries,
  };
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 1) + '\n');
  const files = readdirSync(VOICE_DIR, { recursive: true }).length;
  console.log(`${clips.length} clips (${files} entries under ${relative(ROOT, VOICE_DIR)}), ${(total / 1024).toFixed(0)} KiB of audio`);
}

main();

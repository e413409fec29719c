import type { Language } from '../../shared/contract.js';

/** Fills `{name}` placeholders; unknown names stay as written so a catalogue typo shows up. */
export function fill(template: string, vars: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

export type TemplatePart = { text: string } | { slot: string };

/** Splits a template around its placeholders so a component can put an element (a live countdown, say) in a slot. */
export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) parts.push({ text: template.slice(last, m.index) });
    parts.push({ slot: m[1] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

/** The placeholder names a template uses, sorted (the catalogue test holds them equal across languages). */
export function placeholders(template: string): string[] {
  return splitTemplate(template)
    .flatMap((p) => ('slot' in p ? [p.slot] : []))
    .sort();
}

const LOCALES: Record<Language, string> = { zh: 'zh-CN', en: 'en-GB' };

/** Date and time for people: expiry of a parcel, oldest outbox row. */
export function formatDateTime(ms: number, lang: Language): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(ms);
}

/** Wall-clock time with milliseconds, for the serial frame table. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export type AgeUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/** A waiting time in its largest whole unit (59 s, 3 min, 2 h, 4 d), rounded down. */
export function ageOf(ms: number): { n: number; unit: AgeUnit } {
  const s = Math.max(0, Math.floor(ms / 1_000));
  if (s < 60) return { n: s, unit: 'seconds' };
  if (s < 3_600) return { n: Math.floor(s / 60), unit: 'minutes' };
  if (s < 86_400) return { n: Math.floor(s / 3_600), unit: 'hours' };
  return { n: Math.floor(s / 86_400), unit: 'days' };
}

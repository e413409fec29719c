/**
 * The journal of test/helpers/crash-worker.ts (one fsync'ed JSON line per
 * record) and what the crash test and the next child read from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { seededRandom } from '../../src/shared/seeded-random.js';

export type JournalRecord =
  | { op: 'start'; pid: number; at: number }
  | { op: 'ready'; pid: number; at: number }
  | { op: 'code-recovered'; parcelId: string; code: string; compartmentId: string }
  | { op: 'dropoff-opened'; parcelId: string; compartmentId: string }
  | { op: 'dropoff-stored'; parcelId: string; code: string; compartmentId: string }
  | { op: 'pickup-begin'; parcelId: string; code: string }
  | { op: 'pickup-done'; parcelId: string; code: string; compartmentId: string; via: 'opened' | 'code-used' }
  | { op: 'unpark'; compartmentId: string }
  /** A compartment on the check list after a restart, answered by the person at it (`code` when a drop-off was stored). */
  | { op: 'check-answered'; compartmentId: string; parcelId: string | null; inside: boolean; code: string | null }
  /** A begun pickup whose code had spent its two opens unconfirmed: staff must help; it counts as done. */
  | { op: 'pickup-refused'; parcelId: string; code: string; reason: string }
  | { op: 'finished'; pid: number; at: number };

/** Messages between the test and the worker. */
export type WorkerMessage =
  | { t: 'ready' }
  | { t: 'close'; board: number; lock: number }
  /** "Is a parcel inside?": the test knows whether the board got an open frame for it since `since`. */
  | { t: 'look'; compartmentId: string; since: number }
  | { t: 'done' };
export type ParentMessage = { t: 'go' } | { t: 'seen'; compartmentId: string; inside: boolean };

/** Parses a journal; a torn last line (killed mid-write) is ignored. */
export function readJournal(path: string): JournalRecord[] {
  if (!existsSync(path)) return [];
  const out: JournalRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      // only the last line can be torn; the next writer starts on a fresh line
    }
  }
  return out;
}

/**
 * Keyed by parcel id, not by code: the digits of a used code may be issued
 * again to a later parcel (only active codes must be unique).
 */
export interface JournalState {
  /** Parcels whose code the journal knows. */
  parcels: Map<string, { code: string; compartmentId: string }>;
  picked: Set<string>;
  /** Parcels whose code was refused `code-open-limit` on a retry (staff must help): no longer waiting. */
  refused: Set<string>;
  /** Parcels whose pickup was begun and never confirmed: the next child tries again first. */
  begun: Set<string>;
  ops: number;
  dropoffs: number;
  pickups: number;
}

export function journalState(records: readonly JournalRecord[]): JournalState {
  const s: JournalState = { parcels: new Map(), picked: new Set(), refused: new Set(), begun: new Set(), ops: 0, dropoffs: 0, pickups: 0 };
  for (const r of records) {
    switch (r.op) {
      case 'dropoff-stored':
      case 'code-recovered':
        if (r.op === 'dropoff-stored') {
          s.ops++;
          s.dropoffs++;
        }
        s.parcels.set(r.parcelId, { code: r.code, compartmentId: r.compartmentId });
        break;
      case 'pickup-begin':
        s.begun.add(r.parcelId);
        break;
      case 'pickup-done':
        s.ops++;
        s.pickups++;
        s.begun.delete(r.parcelId);
        s.picked.add(r.parcelId);
        break;
      case 'pickup-refused':
        s.ops++;
        s.begun.delete(r.parcelId);
        s.refused.add(r.parcelId);
        break;
      case 'check-answered':
        if (r.code !== null && r.parcelId !== null) s.parcels.set(r.parcelId, { code: r.code, compartmentId: r.compartmentId });
        break;
      default:
        break;
    }
  }
  return s;
}

export { seededRandom as mulberry32 };

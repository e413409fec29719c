/**
 * Durable pickups per second: the completing transaction of a pickup, exactly
 * as src/core/pickup.ts commits it (`recordPickup`: resolveOpenIntent,
 * a success attempt only when recent failures exist, completePickup = transitionParcel + markCodeUsed + recordEvent with one
 * outbox destination + appendAudit), one BEGIN IMMEDIATE … COMMIT each, with
 * the store's pragmas (WAL, synchronous=FULL). The baseline is bare
 * better-sqlite3 inserting one row per transaction with the same pragmas, on a
 * file in the same directory. The two loops run interleaved in blocks so both
 * see the same disk and the same neighbours.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Doors, OpenRequest } from '../src/core/context.js';
import { createFlowContext } from '../src/core/flow-context.js';
import { defaultFlowPolicy } from '../src/main/config/default-policy.js';
import { recordPickup } from '../src/core/pickup.js';
import { COMPARTMENT_SIZES } from '../src/shared/domain.js';
import * as store from '../src/store/index.js';
import { progress, summarize, tempDir, type Summary } from './stats.js';

export interface DurableOptions {
  warmup: number;
  /** Timed transactions of each kind. */
  count: number;
  /** Interleaving block size. */
  block: number;
}

export interface DurableResult {
  pickupsPerS: number;
  bareInsertsPerS: number;
  ratio: number;
  pickupTxnMs: Summary;
  bareTxnMs: Summary;
  /** WAL frames (pages) written per commit, from 10 commits after a TRUNCATE checkpoint. */
  walPagesPerPickup: number;
  walPagesPerBareInsert: number;
  /** Where the pickup's WAL pages go: frames per commit by table or index (dbstat), largest first. */
  walPagesByBtree: Array<{ btree: string; pages: number }>;
  /**
   * Diagnostic, not a target: 300 more of each with synchronous=OFF at the end (no fsync), so
   * FULL − OFF is what the fsync costs and OFF is the CPU + WAL write of the transaction.
   */
  pickupTxnNoSyncMs: Summary;
  bareTxnNoSyncMs: Summary;
  journalMode: string;
  synchronous: number;
}

interface Prepared {
  code: store.PickupCode;
  intentId: string;
  req: OpenRequest;
  compartment: store.Compartment;
}

const unusedDoors: Doors = {
  open: () => Promise.reject(new Error('no doors in the durable-pickups bench')),
  readDoor: () => Promise.reject(new Error('no doors in the durable-pickups bench')),
};

export async function runDurablePickups(o: DurableOptions): Promise<DurableResult> {
  const dir = tempDir('durable');
  const dbPath = join(dir.path, 'kiosk.db');
  const db = store.openDatabase(dbPath);
  const bare = new Database(join(dir.path, 'bare.db'));
  try {
    const PROBE = 10;
    const NOSYNC = 300;
    const total = o.warmup + o.count + PROBE + NOSYNC;
    // One stored parcel per compartment (a schema rule), so one compartment per pickup.
    store.syncCompartments(db, Array.from({ length: total }, (_, i) => ({
      id: `C${i + 1}`, board: 1 + Math.floor(i / 64), lock: 1 + (i % 64), size: COMPARTMENT_SIZES[i % COMPARTMENT_SIZES.length]!,
    })));
    const secret = randomBytes(32);
    const ctx = createFlowContext({ db, doors: unusedDoors, secret, destinations: () => ['cloud'], policy: defaultFlowPolicy() });
    // What exists when the board has just answered: stored parcel, active code, unresolved intent.
    progress(`durable: preparing ${total} parcels, codes and open intents`);
    const prepared: Prepared[] = store.inTransaction(db, () => {
      const now = Date.now();
      return Array.from({ length: total }, (_, i): Prepared => {
        const compartmentId = `C${i + 1}`;
        const parcel = store.createParcel(db, { compartmentId, state: 'stored', courier: 'bench', now });
        const code = store.insertPickupCode(db, {
          hash: store.hashPickupCode(secret, String(10_000_000 + i)), parcelId: parcel.id, compartmentId, source: 'local', validFrom: now - 1000, validUntil: now + 86_400_000, now,
        });
        const req: OpenRequest = { kind: 'pickup', compartmentId, parcelId: parcel.id, codeId: code.id, actor: 'customer:keypad' };
        const intent = store.createOpenIntent(db, { ...req, now });
        store.countCodeOpen(db, code.id, 1);
        return { code, intentId: intent.id, req, compartment: store.getCompartment(db, compartmentId)! };
      });
    });
    bare.pragma('journal_mode = WAL');
    bare.pragma('synchronous = FULL');
    bare.pragma(`wal_autocheckpoint = ${store.WAL_AUTOCHECKPOINT_PAGES}`);
    bare.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, v TEXT NOT NULL)');
    const insert = bare.prepare('INSERT INTO t (at, v) VALUES (?, ?)');
    const bareTxn = bare.transaction((at: number) => insert.run(at, 'x'));

    // The pickup's completing commit, as in pickupNow() after pulseDoor().
    let next = 0;
    const pickupTxn = () => {
      const p = prepared[next++]!;
      const at = Date.now();
      const attempt = { intentId: p.intentId, compartment: p.compartment, outcome: 'opened' as const, driver: 'opened' as const, sent: true, at };
      recordPickup(ctx, { attempt, req: p.req, code: p.code, source: 'keypad', reopened: false });
    };
    const bareOnce = () => bareTxn.immediate(Date.now());

    for (let i = 0; i < o.warmup; i++) {
      pickupTxn();
      bareOnce();
    }
    // Pages per commit: 10 commits into a freshly truncated WAL (before the timed loop).
    const walFrames = (d: Database.Database) => {
      const [row] = d.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
      return row?.log ?? 0;
    };
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    bare.pragma('wal_checkpoint(TRUNCATE)');
    for (let i = 0; i < PROBE; i++) pickupTxn();
    for (let i = 0; i < PROBE; i++) bareOnce();
    const walPagesByBtree = pagesByBtree(db.sqlite, `${dbPath}-wal`, PROBE);
    const walPagesPerPickup = walFrames(db.sqlite) / PROBE;
    const walPagesPerBareInsert = walFrames(bare) / PROBE;
    const pickupMs: number[] = [];
    const bareMs: number[] = [];
    progress(`durable: ${o.count} pickup transactions vs ${o.count} bare inserts, interleaved in blocks of ${o.block}`);
    for (let done = 0, round = 0; done < o.count; done += o.block, round++) {
      const n = Math.min(o.block, o.count - done);
      const runPickups = () => {
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          pickupTxn();
          pickupMs.push(performance.now() - t);
        }
      };
      const runBare = () => {
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          bareOnce();
          bareMs.push(performance.now() - t);
        }
      };
      // Alternate which goes first, so neither always follows the other's checkpoint.
      if (round % 2 === 0) {
        runPickups();
        runBare();
      } else {
        runBare();
        runPickups();
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const journalMode = String(db.sqlite.pragma('journal_mode', { simple: true }));
    const synchronous = Number(db.sqlite.pragma('synchronous', { simple: true }));
    db.sqlite.pragma('synchronous = OFF');
    bare.pragma('synchronous = OFF');
    const pickupNoSync: number[] = [];
    const bareNoSync: number[] = [];
    for (let i = 0; i < NOSYNC; i++) {
      let t = performance.now();
      pickupTxn();
      pickupNoSync.push(performance.now() - t);
      t = performance.now();
      bareOnce();
      bareNoSync.push(performance.now() - t);
    }
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    const pickupsPerS = (pickupMs.length * 1000) / sum(pickupMs);
    const bareInsertsPerS = (bareMs.length * 1000) / sum(bareMs);
    // Sanity: every timed pickup really committed.
    const picked = (db.sqlite.prepare(`SELECT count(*) AS n FROM parcels WHERE state = 'picked-up'`).get() as { n: number }).n;
    if (picked !== total) throw new Error(`durable bench: ${picked} parcels picked up, expected ${total}`);
    return {
      pickupsPerS,
      bareInsertsPerS,
      ratio: pickupsPerS / bareInsertsPerS,
      pickupTxnMs: summarize(pickupMs),
      bareTxnMs: summarize(bareMs),
      walPagesPerPickup,
      walPagesPerBareInsert,
      walPagesByBtree,
      pickupTxnNoSyncMs: summarize(pickupNoSync),
      bareTxnNoSyncMs: summarize(bareNoSync),
      journalMode,
      synchronous,
    };
  } finally {
    bare.close();
    store.closeDatabase(db);
    dir.remove();
  }
}

/**
 * Reads the WAL's frame headers (a 32-byte file header, then per frame a
 * 24-byte header whose first 4 bytes are the page number, big-endian, and the
 * page) and names each page's table or index through dbstat.
 */
function pagesByBtree(sqlite: Database.Database, walPath: string, commits: number): Array<{ btree: string; pages: number }> {
  const wal = readFileSync(walPath);
  const pageSize = wal.readUInt32BE(8);
  const owner = new Map<number, string>();
  for (const row of sqlite.prepare('SELECT name, pageno FROM dbstat').all() as Array<{ name: string; pageno: number }>) owner.set(row.pageno, row.name);
  const counts = new Map<string, number>();
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    const page = wal.readUInt32BE(at);
    const btree = owner.get(page) ?? (page === 1 ? 'sqlite_schema' : 'freelist or new page');
    counts.set(btree, (counts.get(btree) ?? 0) + 1);
  }
  return [...counts].map(([btree, n]) => ({ btree, pages: Math.round((n / commits) * 100) / 100 })).sort((a, b) => b.pages - a.pages);
}

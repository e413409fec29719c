/**
 * Keypad code lookup at scale: 1,000,000 active codes in a file database
 * (the store's schema, pragmas and indexes), then 10,000 lookups of random
 * existing codes exactly as pickup.ts does them:
 * `findCodeByHash(db, hashPickupCode(secret, code), now)`.
 *
 * The database is closed and reopened with `openDatabase` before the timed
 * lookups, so SQLite's page cache starts empty as after an agent restart
 * (the OS page cache stays warm: dropping it needs root).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as store from '../src/store/index.js';
import { FIND_ACTIVE_CODE_SQL, FIND_NEWEST_CODE_SQL } from '../src/store/pickup-codes.js';
import { progress, summarize, tempDir, type Summary } from './stats.js';

export interface CodeLookupOptions {
  codes: number;
  lookups: number;
  /** After the lookups: this many extra rows through insertPickupCode, and as many through the raw INSERT, to compare. */
  viaStore: number;
  batch: number;
}

export interface CodeLookupResult {
  codes: number;
  /** Full lookup: HMAC + findCodeByHash (SQL probe + zod row parse + verdict). */
  lookupUs: Summary;
  /** Breakdown, second sample: the HMAC alone, the raw prepared-statement probe alone, findCodeByHash with the hash given. */
  hashOnlyUs: Summary;
  rawProbeUs: Summary;
  findByHashUs: Summary;
  wrongVerdicts: number;
  queryPlan: string[];
  load: {
    seconds: number;
    rowsPerS: number;
    insertPickupCodeRowsPerS: number;
    rawInsertRowsPerS: number;
    dbMb: number;
  };
  closeMs: number;
  reopenMs: number;
}

/** The store's INSERT (pickup-codes.ts INSERT_CODE_SQL), positional for the bulk load. */
const RAW_INSERT = `INSERT INTO pickup_codes
  (hash, parcel_id, compartment_id, source, external_id, state, valid_from, valid_until, created_at, updated_at)
  VALUES (?, NULL, NULL, 'bench', ?, 'active', ?, ?, ?, ?)`;

const codeOf = (i: number) => String(1_000_000_000 + i);

export async function runCodeLookup(o: CodeLookupOptions): Promise<CodeLookupResult> {
  const dir = tempDir('lookup');
  const path = join(dir.path, 'codes.db');
  const secret = randomBytes(32);
  const now = Date.now();
  const validFrom = now - 3_600_000;
  const validUntil = now + 7 * 86_400_000;
  let db = store.openDatabase(path);
  try {
    progress(`code lookup: loading ${o.codes.toLocaleString('en')} codes`);
    const t0 = performance.now();
    // A big page cache for the load connection only, so random index inserts do not spill
    // (the file layout is what random inserts give; the reopened handle has the default cache).
    db.sqlite.pragma('cache_size = -524288');
    const insert = db.sqlite.prepare(RAW_INSERT);
    for (let start = 0; start < o.codes; start += o.batch) {
      const end = Math.min(o.codes, start + o.batch);
      store.inTransaction(db, () => {
        for (let i = start; i < end; i++) insert.run(store.hashPickupCode(secret, codeOf(i)), codeOf(i), validFrom, validUntil, now, now);
      });
      if ((end / o.batch) % 5 === 0) progress(`code lookup: ${end.toLocaleString('en')} codes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const t2 = performance.now();
    const count = (db.sqlite.prepare(`SELECT count(*) AS n FROM pickup_codes WHERE state = 'active'`).get() as { n: number }).n;
    if (count !== o.codes) throw new Error(`code lookup: ${count} active codes loaded, expected ${o.codes}`);

    const c0 = performance.now();
    store.closeDatabase(db);
    const c1 = performance.now();
    db = store.openDatabase(path);
    const c2 = performance.now();
    const dbMb = (statSync(path).size + safeSize(`${path}-wal`)) / 1024 / 1024;
    const plan = [FIND_ACTIVE_CODE_SQL, FIND_NEWEST_CODE_SQL].flatMap((sql) => (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(Buffer.alloc(32)) as Array<{ detail: string }>).map((r) => r.detail));

    progress(`code lookup: ${o.lookups.toLocaleString('en')} random lookups`);
    const lookup: number[] = [];
    let wrong = 0;
    for (let k = 0; k < o.lookups; k++) {
      const code = codeOf(randomInt(0, o.codes));
      const t = performance.now();
      const hit = store.findCodeByHash(db, store.hashPickupCode(secret, code), now);
      lookup.push((performance.now() - t) * 1000);
      if (hit?.verdict !== 'valid' || hit.code.externalId !== code) wrong++;
    }
    // Breakdown on a second random sample.
    const hashOnly: number[] = [];
    const rawProbe: number[] = [];
    const findByHash: number[] = [];
    const probe = db.stmt(FIND_ACTIVE_CODE_SQL);
    for (let k = 0; k < o.lookups; k++) {
      const code = codeOf(randomInt(0, o.codes));
      let t = performance.now();
      const hash = store.hashPickupCode(secret, code);
      hashOnly.push((performance.now() - t) * 1000);
      if (k % 2 === 0) {
        t = performance.now();
        probe.get(hash);
        rawProbe.push((performance.now() - t) * 1000);
        t = performance.now();
        store.findCodeByHash(db, hash, now);
        findByHash.push((performance.now() - t) * 1000);
      } else {
        // Alternate the order so neither always runs on the page the other just fetched.
        t = performance.now();
        store.findCodeByHash(db, hash, now);
        findByHash.push((performance.now() - t) * 1000);
        t = performance.now();
        probe.get(hash);
        rawProbe.push((performance.now() - t) * 1000);
      }
    }
    // The store's insertPickupCode (insert, read back, zod parse) vs the raw INSERT, same full table.
    const extra = (i: number) => o.codes + i;
    const s0 = performance.now();
    store.inTransaction(db, () => {
      for (let i = 0; i < o.viaStore; i++) {
        store.insertPickupCode(db, { hash: store.hashPickupCode(secret, codeOf(extra(i))), source: 'bench', externalId: codeOf(extra(i)), validFrom, validUntil, now });
      }
    });
    const s1 = performance.now();
    const rawInsert = db.sqlite.prepare(RAW_INSERT);
    store.inTransaction(db, () => {
      for (let i = o.viaStore; i < 2 * o.viaStore; i++) rawInsert.run(store.hashPickupCode(secret, codeOf(extra(i))), codeOf(extra(i)), validFrom, validUntil, now, now);
    });
    const s2 = performance.now();
    const loadS = (t2 - t0) / 1000;
    return {
      codes: o.codes,
      lookupUs: summarize(lookup),
      hashOnlyUs: summarize(hashOnly),
      rawProbeUs: summarize(rawProbe),
      findByHashUs: summarize(findByHash),
      wrongVerdicts: wrong,
      queryPlan: plan,
      load: {
        seconds: loadS,
        rowsPerS: o.codes / loadS,
        insertPickupCodeRowsPerS: o.viaStore / ((s1 - s0) / 1000),
        rawInsertRowsPerS: o.viaStore / ((s2 - s1) / 1000),
        dbMb,
      },
      closeMs: c1 - c0,
      reopenMs: c2 - c1,
    };
  } finally {
    store.closeDatabase(db);
    dir.remove();
  }
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

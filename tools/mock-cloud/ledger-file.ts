import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MemoryLedger } from './ledger.js';
import type { LedgerEntry } from './types.js';

/**
 * The ledger with a state file, so exactly-once holds across a mock that is
 * killed and restarted (issue 4 §6 chaos test). One JSON line per fact:
 *
 *   {"op":"apply","entry":{vendor,key,stream,kind,body,at,order?}}
 *   {"op":"duplicate","vendor":…,"key":…}
 *
 * Each line is written with one synchronous write() before `apply` returns,
 * so before the vendor answers: a SIGKILL after an answer cannot lose what was
 * acknowledged (the kernel keeps the written page; fsync would only matter for
 * a power cut, which the chaos test does not simulate). A kill during the
 * write leaves a torn last line, which `open` drops: the request was never
 * answered, so the sender resends it and it is applied then.
 */

export type MockLedgerErrorCode = 'corrupt-state-file' | 'ledger-closed' | 'unserialisable-entry';

export class MockLedgerError extends Error {
  override readonly name = 'MockLedgerError';
  constructor(
    readonly code: MockLedgerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const order = z.union([z.number(), z.string()]);
const entrySchema = z.object({
  vendor: z.string(),
  key: z.string(),
  stream: z.string().nullable(),
  kind: z.string(),
  body: z.unknown(),
  at: z.number(),
  order: order.optional(),
});
const lineSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('apply'), entry: entrySchema }),
  z.object({ op: z.literal('duplicate'), vendor: z.string(), key: z.string() }),
]);
type Line = z.infer<typeof lineSchema>;

/** What `open` found in the file. */
export interface LedgerRecovery {
  applied: number;
  duplicates: number;
  /** Bytes of a torn last line that were cut off (0 when the file ended cleanly). */
  tornBytes: number;
}

export class FileLedger extends MemoryLedger {
  readonly path: string;
  readonly recovered: LedgerRecovery;
  #fd: number | null;

  private constructor(path: string, fd: number, recovered: LedgerRecovery) {
    super();
    this.path = path;
    this.#fd = fd;
    this.recovered = recovered;
  }

  /**
   * Opens (creating it and its folder if needed) and replays the state file.
   * A torn last line is cut off the file. Throws MockLedgerError
   * 'corrupt-state-file' for a whole line that is not a ledger line (the file
   * is then left untouched), and the fs errors of an unreadable path.
   */
  static open(path: string): FileLedger {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a+');
    try {
      const content = readFileSync(fd);
      const end = content.lastIndexOf(0x0a) + 1;
      const lines = parseLines(content.subarray(0, end).toString('utf8'), path);
      const tornBytes = content.length - end;
      // 'a+' appends at the end whatever the position: cutting the file is all a torn line needs.
      if (tornBytes > 0) ftruncateSync(fd, end);
      const ledger = new FileLedger(path, fd, { applied: 0, duplicates: 0, tornBytes });
      ledger.#replay(lines);
      return ledger;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * Writes the fact, then applies it in memory. Throws MockLedgerError
   * 'ledger-closed' after `close`, 'unserialisable-entry' for a body JSON
   * cannot hold, and the fs error of a failed write; nothing is applied then.
   */
  override apply(entry: LedgerEntry): 'fresh' | 'duplicate' {
    if (this.#fd === null) throw new MockLedgerError('ledger-closed', `mock ledger ${this.path} is closed`);
    const line: Line = this.has(entry.vendor, entry.key)
      ? { op: 'duplicate', vendor: entry.vendor, key: entry.key }
      : { op: 'apply', entry: { ...entry } };
    let text: string;
    try {
      text = `${JSON.stringify(line)}\n`;
    } catch (err) {
      throw new MockLedgerError('unserialisable-entry', `${entry.vendor} entry ${entry.key} cannot be written as JSON`, { cause: err });
    }
    const bytes = Buffer.from(text, 'utf8');
    // One write call per line: a kill can tear only the line being written.
    let written = 0;
    while (written < bytes.length) written += writeSync(this.#fd, bytes, written);
    return super.apply(entry);
  }

  /** Closes the file; later `apply` calls throw. Idempotent. */
  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
  }

  #replay(lines: readonly Line[]): void {
    for (const line of lines) {
      if (line.op === 'apply') {
        // zod's output keeps `order` absent when it was absent; LedgerEntry wants the same.
        const { order: o, ...rest } = line.entry;
        this.restore(o === undefined ? rest : { ...rest, order: o });
        this.recovered.applied += 1;
      } else {
        this.restoreDuplicates(line.vendor, 1);
        this.recovered.duplicates += 1;
      }
    }
  }
}

function parseLines(text: string, path: string): Line[] {
  const lines: Line[] = [];
  const raw = text.split('\n');
  raw.pop(); // the empty piece after the last newline
  raw.forEach((value, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    const result = lineSchema.safeParse(parsed);
    if (!result.success) throw new MockLedgerError('corrupt-state-file', `${path} line ${index + 1} is not a ledger line; move the file away to start empty`);
    lines.push(result.data);
  });
  return lines;
}

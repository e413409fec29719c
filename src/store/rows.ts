/**
 * Row ↔ domain helpers shared by the repositories. Every row read from SQLite
 * goes through a zod schema so a damaged row surfaces as
 * StoreError('corrupt-row') at the store boundary, not as an undefined deep in
 * a flow or the UI (docs/architecture.md §8, anti-pattern 3).
 */
import { z } from 'zod';
import { StoreError } from './errors.js';

/** SQLite has no boolean: 0/1 integers, refused otherwise. */
export const bool01 = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1);

/** Epoch milliseconds as stored (INTEGER). */
export const epochMs = z.number().int();

/**
 * Parses one raw row. Throws StoreError('corrupt-row') with the table, the
 * row key and the zod issues when the row does not match.
 */
export function parseRow<S extends z.ZodType>(schema: S, raw: unknown, table: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new StoreError('corrupt-row', `corrupt row in ${table}`, {
    table,
    key: rowKey(raw),
    issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
  });
}

/** parseRow for every element; throws on the first corrupt row. */
export function parseRows<S extends z.ZodType>(schema: S, raws: readonly unknown[], table: string): Array<z.output<S>> {
  return raws.map((raw) => parseRow(schema, raw, table));
}

function rowKey(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  return r['id'] ?? r['event_id'] ?? r['command_id'] ?? r['key'];
}

/**
 * Serialises a value for a JSON TEXT column. `undefined` becomes JSON `null`.
 * Throws TypeError when the value cannot be serialised (BigInt, cycles): the
 * caller's transaction then rolls back, which is what we want for a payload
 * that could never be delivered.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Parses a JSON TEXT column; StoreError('corrupt-row') if it is not JSON. */
export function fromJson(text: string, table: string, key: unknown): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new StoreError('corrupt-row', `invalid JSON in ${table}`, { table, key }, { cause });
  }
}

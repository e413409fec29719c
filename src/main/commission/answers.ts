import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BOARD_PROTOCOLS, COMPARTMENT_SIZES } from '../../shared/domain.js';
import { CommissionError } from './errors.js';

/**
 * The non-interactive answers to `cabinet-kiosk setup --answers FILE` (JSON
 * or YAML), for automation and tests. Every key optional; flags win.
 */
export const answersSchema = z
  .object({
    /** The serial device to scan. */
    port: z.string().min(1).optional(),
    protocols: z.array(z.enum(BOARD_PROTOCOLS)).min(1).optional(),
    baudRates: z.array(z.number().int().positive()).min(1).optional(),
    addresses: z.array(z.number().int().min(0).max(247)).min(1).optional(),
    /** Locks wired per board address, when fewer than its status reports (protocol A pads to whole bytes). */
    locks: z.record(z.string().regex(/^\d+$/), z.number().int().min(1).max(64)).default({}),
    /** The door map: each entry is opened in turn; `skip` leaves the lock out without opening it. */
    doors: z
      .array(
        z
          .object({
            board: z.number().int().min(0).max(247),
            lock: z.number().int().min(1).max(64),
            compartment: z.string().min(1).max(32).optional(),
            size: z.enum(COMPARTMENT_SIZES).default('M'),
            skip: z.boolean().default(false),
          })
          .strict()
          .refine((d) => d.skip || d.compartment !== undefined, { message: 'give a compartment id or skip: true' }),
      )
      .default([]),
  })
  .strict();
export type Answers = z.output<typeof answersSchema>;

export function readAnswers(path: string): Answers {
  let doc: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    doc = path.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new CommissionError('answers-invalid', `answers file ${path} cannot be read: ${(cause as Error).message}`, 'give a readable JSON or YAML file to --answers', { cause });
  }
  const parsed = answersSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new CommissionError('answers-invalid', `answers file ${path}: ${issues}`, 'fix the answers file (README "Commissioning" shows its keys)');
  }
  return parsed.data;
}

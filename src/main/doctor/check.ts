import { z } from 'zod';

/**
 * One doctor finding. `fail` stops the cabinet from working and makes
 * `cabinet-kiosk doctor` exit 1; `warn` works but needs attention; `info`
 * is a fact the technician may want (headless, not under systemd). Every
 * finding that is not `pass` or `info` names the one action that fixes it.
 */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'info'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const checkResultSchema = z
  .object({
    /** Stable id, `area.what` (`serial.device`, `board.1`, `vendor.dingshang`). */
    id: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/),
    status: z.enum(CHECK_STATUSES),
    /** One line: what was found. */
    summary: z.string().min(1),
    /** The one thing to do about it; null when nothing is to be done. */
    action: z.string().min(1).nullable(),
  })
  .strict()
  .refine((c) => c.status === 'pass' || c.status === 'info' || c.action !== null, { message: 'a warn or fail names its action', path: ['action'] });
export type CheckResult = z.infer<typeof checkResultSchema>;

/** What `doctor --json` prints: one object, this schema (test/integration/main/doctor.test.ts holds it). */
export const doctorReportSchema = z
  .object({
    ok: z.boolean(),
    version: z.string(),
    config: z.string(),
    /** Where the bus facts came from: the running agent (which holds the port), the doctor's own reads, or nowhere (simulator, no device). */
    bus: z.enum(['agent', 'doctor', 'none']),
    counts: z.object({ pass: z.number().int(), warn: z.number().int(), fail: z.number().int(), info: z.number().int() }).strict(),
    checks: z.array(checkResultSchema),
  })
  .strict();
export type DoctorReport = z.infer<typeof doctorReportSchema>;

export const pass = (id: string, summary: string): CheckResult => ({ id, status: 'pass', summary, action: null });
export const info = (id: string, summary: string): CheckResult => ({ id, status: 'info', summary, action: null });
export const warn = (id: string, summary: string, action: string): CheckResult => ({ id, status: 'warn', summary, action });
export const fail = (id: string, summary: string, action: string): CheckResult => ({ id, status: 'fail', summary, action });

export function summarise(checks: readonly CheckResult[]): DoctorReport['counts'] {
  const counts = { pass: 0, warn: 0, fail: 0, info: 0 };
  for (const c of checks) counts[c.status]++;
  return counts;
}

/** Exit 0 only when nothing fails. */
export function doctorExitCode(checks: readonly CheckResult[]): 0 | 1 {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}

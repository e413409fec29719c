import { KIOSK_ERROR_CODES, KioskError, type KioskErrorCode, type Result } from '../shared/errors.js';

/** Exceptions never cross a process boundary raw: they become `{ ok: false, error: { code } }`. */
export function toErrorResult(err: unknown): Extract<Result<never>, { ok: false }> {
  if (err instanceof KioskError) return { ok: false, error: { code: err.code, message: err.message, meta: err.meta } };
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (KIOSK_ERROR_CODES as readonly string[]).includes(code)) {
    return { ok: false, error: { code: code as KioskErrorCode, message: (err as Error).message } };
  }
  if ((err as { name?: string } | null)?.name === 'DriverError') {
    return { ok: false, error: { code: 'hardware-unavailable', message: (err as Error).message } };
  }
  return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
}

export function fromErrorResult(result: Extract<Result<never>, { ok: false }>): KioskError {
  return new KioskError(result.error.code, result.error.message, result.error.meta ?? {});
}

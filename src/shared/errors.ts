/**
 * Error codes a person can act on. The UI and the CLI turn each code into a
 * sentence from the message catalogue; `message` is for logs only.
 */
export const KIOSK_ERROR_CODES = [
  'code-invalid',
  'code-expired',
  'code-used',
  /** The code already caused its two pulses (an open and a re-open, or two unconfirmed opens): staff must help. */
  'code-open-limit',
  'locked-out',
  'door-did-not-open',
  'compartment-out-of-service',
  'compartment-not-found',
  'compartment-occupied',
  'no-free-compartment',
  'door-still-open',
  'parcel-not-found',
  'parcel-not-returnable',
  'parcel-not-stored',
  'code-in-use',
  'hardware-unavailable',
  /** Free space is below the reserve: no door opens until the result of an open can be recorded. */
  'storage-full',
  /** A compartment waits for a person to answer "is a parcel inside?". */
  'compartment-needs-check',
  'offline-action',
  /** A technician is commissioning the cabinet (service mode, Setup): no door opens for anyone else until the agent restarts. */
  'cabinet-in-setup',
  /** A commissioning step failed; `meta.reason` is the CommissionError code and `meta.hint` the one thing to do. */
  'commission-failed',
  'pin-invalid',
  'not-authorised',
  'bad-request',
  'agent-busy',
  'internal',
] as const;
export type KioskErrorCode = (typeof KIOSK_ERROR_CODES)[number];

export class KioskError extends Error {
  override readonly name = 'KioskError';
  constructor(
    readonly code: KioskErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: KioskErrorCode; message: string; meta?: Record<string, unknown> } };
